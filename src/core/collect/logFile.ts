// OOM events from a log file a user already has (attached to a ticket, copied off a server):
// plain files through the reader's own read-ahead path, .gz streamed through gunzip, and a clear
// error when it cannot be read. The file is opened here; the reader only sees its bytes.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { INBOX_BYTES, OomEventReader, readOomEventsFromStream, type OomEventsSource } from '../parse/kernelLog';
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

/** A stream with gzip undone when its first bytes say so (a .gz piped in, `zcat` forgotten). */
export async function maybeGunzip(stream: NodeJS.ReadableStream | AsyncIterable<Buffer | string>): Promise<AsyncIterable<Buffer | string>> {
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return Readable.from([]);
  const head = typeof first.value === 'string' ? Buffer.from(first.value) : first.value;
  async function* all() {
    yield head;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const rest = Readable.from(all(), { objectMode: false });
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    const gz = createGunzip();
    rest.on('error', (e) => gz.destroy(e));
    return rest.pipe(gz);
  }
  return rest;
}

/** OOM events from a stream: standard input, a FIFO, `<(…)` — gzip or not. */
export async function eventsFromStream(stream: NodeJS.ReadableStream, source: OomEventsSource): Promise<OomEventsResult> {
  return readOomEventsFromStream(await maybeGunzip(stream), source);
}

export async function eventsFromFile(path: string): Promise<OomEventsResult> {
  const fail = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OomLensError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  };
  let gz = false;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new OomLensError(`cannot read ${path}: it is a directory`);
    // A pipe or FIFO (events <(journalctl -k)) cannot be read at an offset: streamed instead.
    if (!st.isFile()) return await eventsFromStream(createReadStream(path, { highWaterMark: 1 << 20 }), { kind: 'file', path });
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

/**
 * Reads a file in 64 KiB pieces into one buffer (the scanner's inbox) the reader lets go of after each piece. Reads are
 * synchronous (a page-cache read is shorter than a trip through the thread pool, which left the
 * reader idle 30 % of the time); the event loop gets a turn every few MiB. 64 KiB, as cat and grep
 * use: reads into bigger (mmap-backed) buffers ran 3-5x slower on the machines we measured.
 */
export async function readOomEventsFromFile(
  path: string,
  source: OomEventsSource = { kind: 'file', path },
  options: { scan?: 'auto' | 'indexof' } = {},
): Promise<OomEventsResult> {
  const fd = openSync(path, 'r');
  const r = new OomEventReader(source, options);
  try {
    const buf = r.inputBuffer(FILE_CHUNK);
    for (let i = 1; ; i++) {
      const n = readSync(fd, buf, 0, FILE_CHUNK, null);
      if (n === 0) break;
      const piece = n === FILE_CHUNK ? buf : buf.subarray(0, n);
      r.push(piece);
      r.release(piece);
      if (i % YIELD_EVERY === 0) await new Promise((res) => setImmediate(res));
    }
  } finally {
    closeSync(fd);
  }
  return r.end();
}

const FILE_CHUNK = INBOX_BYTES;
/** Pieces between two turns of the event loop (4 MiB). */
const YIELD_EVERY = 64;
