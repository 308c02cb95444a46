// OOM events from a log file a user already has (attached to a ticket, copied off a server):
// streamed, gunzipped when it is gzip, with a clear error when it cannot be read.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { readOomEventsFromStream } from '../parse/kernelLog';
import { OomLensError } from '../errors';
import type { OomEventsResult } from '../model/oomEvent';

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

