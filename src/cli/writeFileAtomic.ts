// A file written whole or not at all: a temp file beside it, fsync, then rename. Prometheus may
// reload a rules file at any moment, and a kill -9 during `--out` must leave the previous report
// intact. A path that is not a regular file (/dev/stdout, a FIFO) is written to directly.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let mode = 0o644;
  try {
    const st = statSync(path);
    if (!st.isFile()) {
      writeFileSync(path, text);
      return;
    }
    mode = st.mode & 0o7777; // keep the permissions of the file it replaces
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  let fd: number | null = null;
  try {
    fd = openSync(temp, 'w', mode);
    writeSync(fd, text);
    fsyncSync(fd); // the bytes are on disk before the name points at them
    closeSync(fd);
    fd = null;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== null) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
}
