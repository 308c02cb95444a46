// Leak reports from files: the file is opened here (gzip decompressed on the fly) and its text
// handed to the parser in chunks; parse/leaks never touches the file system.
import { createReadStream, promises as fsp, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { HEAD_BYTES, parseLeakSource, parseLeakSources, type LeakTextSource, type ParseLeakOptions } from '../parse/leaks';
import type { LeakReport } from '../model/leakReport';

function openText(path: string, gzip: boolean): Readable {
  const raw = createReadStream(path);
  if (!gzip) {
    raw.setEncoding('utf8');
    return raw;
  }
  const gz = raw.pipe(createGunzip());
  raw.on('error', (e) => gz.destroy(e));
  gz.setEncoding('utf8');
  return gz;
}

async function gunzipHead(path: string): Promise<string> {
  let out = '';
  const stream = openText(path, true);
  for await (const chunk of stream) {
    out += chunk as string;
    if (out.length >= HEAD_BYTES) break;
  }
  stream.destroy();
  return out;
}

/** A file as a LeakTextSource: its head read once, its text streamed on each iteration. */
export function leakFileSource(path: string): LeakTextSource {
  let gzip = false;
  return {
    async head() {
      const fh = await fsp.open(path, 'r');
      let b: Buffer;
      let size: number;
      try {
        size = (await fh.stat()).size;
        const buf = Buffer.alloc(Math.min(HEAD_BYTES, size));
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        b = buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
      gzip = b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
      return { head: gzip ? await gunzipHead(path) : b.toString('utf8'), gzip, size };
    },
    async *chunks() {
      for await (const chunk of openText(path, gzip)) yield chunk as string;
    },
  };
}

/** Streams cannot be read twice (head, then the whole): what a pipe, a FIFO or stdin holds is kept here, up to this. */
const MAX_STREAM_BYTES = 256 * 2 ** 20;

/** A stream (stdin, a FIFO, `<(…)`) read whole, gzip undone, as a LeakTextSource. */
export async function leakStreamSource(stream: NodeJS.ReadableStream): Promise<LeakTextSource> {
  const { maybeGunzip } = await import('./logFile');
  const chunks: Buffer[] = [];
  let n = 0;
  let cut = false;
  for await (const c of await maybeGunzip(stream)) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    if (n + b.length > MAX_STREAM_BYTES) {
      cut = true;
      break;
    }
    chunks.push(b);
    n += b.length;
  }
  (stream as { destroy?: () => void }).destroy?.();
  if (cut) throw new Error(`the input is larger than ${MAX_STREAM_BYTES / 2 ** 20} MiB: save it to a file first`);
  const text = Buffer.concat(chunks).toString('utf8');
  return {
    async head() {
      return { head: text.slice(0, HEAD_BYTES), gzip: false, size: text.length };
    },
    async *chunks() {
      for (let i = 0; i < text.length; i += 1 << 20) yield text.slice(i, i + (1 << 20));
    },
  };
}

/** `-` is standard input; a FIFO or pipe is read as a stream; anything else as a file. */
async function sourceFor(path: string): Promise<LeakTextSource> {
  if (path === '-') return leakStreamSource(process.stdin);
  let regular = true;
  try {
    regular = statSync(path).isFile();
  } catch {
    // leakFileSource says why it cannot be read
  }
  return regular ? leakFileSource(path) : leakStreamSource(createReadStream(path));
}

function failedSource(e: unknown): LeakTextSource {
  return {
    head: () => Promise.reject(e),
    chunks: () => ({
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(e) }),
    }),
  };
}

/** parseLeakSource for a file (or `-`, a FIFO). Never rejects: problems become warnings. */
export async function parseLeakReportFile(path: string, opts: ParseLeakOptions = {}): Promise<LeakReport> {
  return parseLeakSource(await sourceFor(path).catch(failedSource), opts);
}

/** Growth between two files of the same tool. Never rejects. */
export async function parseLeakReportFiles(beforePath: string, afterPath: string): Promise<LeakReport> {
  const [b, a] = await Promise.all([sourceFor(beforePath).catch(failedSource), sourceFor(afterPath).catch(failedSource)]);
  return parseLeakSources(b, a);
}
