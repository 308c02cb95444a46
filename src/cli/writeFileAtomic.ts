// A file written whole or not at all: a temp file beside it, then rename. Prometheus may reload a
// rules file at any moment; it must never read half of one.
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, text: string): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let mode = 0o644;
  try {
    mode = statSync(path).mode & 0o7777; // keep the permissions of the file it replaces
  } catch {
    // a new file
  }
  try {
    writeFileSync(temp, text, { mode });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}
