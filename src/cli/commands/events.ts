// oom-lens events [FILE|-]: OOM events from a log file, standard input, or this machine's kernel log.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { readOomEventsFromStream } from '../../core/parse/kernelLog';
import { readKernelLog } from '../../core/collect/kernelLog';
import { renderEventsText } from '../../core/report/eventsText';
import { OomLensError } from '../../core/errors';
import type { Host } from '../../core/host/host';
import type { OomEventsResult } from '../../core/model/oomEvent';

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally { closeSync(fd); }
}

/** Opens a log file as a stream (gunzipped when it is gzip), with a clear error when it cannot. */
function openLog(path: string): Readable {
  let st;
  try { st = statSync(path); } catch (e) {
    throw new OomLensError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new OomLensError(`cannot read ${path}: it is a directory`);
  try {
    const raw = createReadStream(path, { highWaterMark: 1 << 20 });
    return isGzip(path) ? raw.pipe(createGunzip()) : raw;
  } catch (e) {
    throw new OomLensError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export async function eventsFromFile(path: string): Promise<OomEventsResult> {
  const stream = openLog(path);
  try {
    return await readOomEventsFromStream(stream, { kind: 'file', path });
  } catch (e) {
    throw new OomLensError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export async function eventsCommand(file: string | undefined, host: Host, json: boolean, signal: AbortSignal): Promise<string> {
  if (file === '-') {
    const r = await readOomEventsFromStream(process.stdin, { kind: 'stdin' });
    return json ? JSON.stringify(r, null, 2) + '\n' : renderEventsText(r.events, r.warnings.map((w) => `warning: ${w}`));
  }
  if (file) {
    const r = await eventsFromFile(file);
    return json ? JSON.stringify(r, null, 2) + '\n' : renderEventsText(r.events, r.warnings.map((w) => `warning: ${w}`));
  }
  const r = await readKernelLog(host, { signal });
  if (r.unreadable && !json) {
    throw new OomLensError(`${r.warnings[0]}${r.fixes.length ? ` — fix: ${r.fixes.join('; or ')}` : ''}`);
  }
  if (json) return JSON.stringify(r, null, 2) + '\n';
  return renderEventsText(r.events, [
    ...r.sources.map((s) => `source: ${s.detail}`),
    ...r.warnings.map((w) => `warning: ${w}`),
    ...r.fixes.map((f) => `fix: ${f}`),
  ]);
}
