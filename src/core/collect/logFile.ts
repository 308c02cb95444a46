// OOM events from a log file a user already has (attached to a ticket, copied off a server):
// plain files through the reader's own read-ahead path, .gz streamed through gunzip, and a clear
// error when it cannot be read.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { readOomEventsFromStream, readOomEventsFromFile } from '../parse/kernelLog';
import { OomLensError } from '../errors';
import type { OomEventsResult } from '../model/oomEvent';

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export async function eventsFromFile(path: string): Promise<OomEventsResult> {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OomLensError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  };
  let gz = false;
  try {
    if (statSync(path).isDirectory()) throw new OomLensError(`cannot read ${path}: it is a directory`);
    gz = isGzip(path);
  } catch (e) {
    if (e instanceof OomLensError) throw e;
    fail(e);
  }
  try {
    const source = { kind: 'file', path };
    return gz
      ? await readOomEventsFromStream(createReadStream(path, { highWaterMark: 1 << 20 }).pipe(createGunzip()), source)
      : await readOomEventsFromFile(path, source);
  } catch (e) {
    return fail(e);
  }
}
