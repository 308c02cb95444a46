// Leak reports from files: the file is opened here (gzip decompressed on the fly) and its text
// handed to the parser in chunks; parse/leaks never touches the file system.
import { createReadStream, promises as fsp } from 'node:fs';
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

/** parseLeakSource for a file. Never rejects: problems become warnings. */
export function parseLeakReportFile(path: string, opts: ParseLeakOptions = {}): Promise<LeakReport> {
  return parseLeakSource(leakFileSource(path), opts);
}

/** Growth between two files of the same tool. Never rejects. */
export function parseLeakReportFiles(beforePath: string, afterPath: string): Promise<LeakReport> {
  return parseLeakSources(leakFileSource(beforePath), leakFileSource(afterPath));
}
