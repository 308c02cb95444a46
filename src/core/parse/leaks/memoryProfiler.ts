// Python memory_profiler's line-by-line output (`python -m memory_profiler app.py`, `@profile`):
//
//   Filename: /src/app.py
//
//   Line #    Mem usage    Increment  Occurrences   Line Contents
//   =============================================================
//        1   21.852 MiB   21.852 MiB           1   @profile
//        2                                         def build():
//        3   60.000 MiB   38.148 MiB           1       a = [0] * 5_000_000
//        5   60.000 MiB  -15.262 MiB           1       del b
//
// One table per profiled function. A site per row with a positive Increment (kind "growth": the
// process's memory grew by that much on that line), at Filename:Line #, labelled with the line's
// code. The first row with numbers is where the function was entered: its Increment is the memory
// the process already had, not something the line allocated, so it is no site. Versions before
// 0.58 print no Occurrences column. Sizes are MiB with 1 to 4 decimals: bytes are approximate.
// Rows are searched for in the line, not anchored at its start (log prefixes, indentation).
import type { LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakReport } from '../../model/leakReport';
import { binarySize, site, sortSites } from './util';

const SZ = '-?\\d+(?:\\.\\d+)? [KMGT]?i?B';
const FILENAME = /(?:^|\s)Filename: (\S(?:.*\S)?)\s*$/;
const HEADER = /Line #\s+Mem usage\s+Increment\s+(?:(Occurrences|Occurences)\s+)?Line Contents/;
// "    12     50.1 MiB     40.0 MiB           1       data = [0] * 5_000_000"
const ROW = new RegExp(`(?:^|\\s)(\\d{1,9})\\s+(${SZ})\\s+(${SZ})(?:\\s+(\\d{1,12}))?(?:\\s(.*))?$`);
const ROW_NO_OCC = new RegExp(`(?:^|\\s)(\\d{1,9})\\s+(${SZ})\\s+(${SZ})(?:\\s(.*))?$`);

export function parseMemoryProfiler(text: string): LeakReport {
  const r = emptyLeakReport('memory-profiler');
  const sites: LeakSite[] = [];
  let file: string | null = null;
  /** Inside a table: whether it has the Occurrences column, and whether its entry row was seen. */
  let table: { occurrences: boolean; entered: boolean } | null = null;
  let tables = 0;
  let peak: number | null = null;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    let m: RegExpExecArray | null;
    if ((m = FILENAME.exec(raw))) {
      file = m[1];
      table = null;
      continue;
    }
    if ((m = HEADER.exec(raw))) {
      table = { occurrences: m[1] !== undefined, entered: false };
      tables++;
      continue;
    }
    if (!table) continue;
    const row = table.occurrences ? ROW.exec(raw) : ROW_NO_OCC.exec(raw);
    if (!row) continue;
    const usage = binarySize(row[2]);
    const inc = binarySize(row[3]);
    if (usage !== null) peak = Math.max(peak ?? 0, usage);
    const code = ((table.occurrences ? row[5] : row[4]) ?? '').trim();
    if (!table.entered) {
      table.entered = true;
      continue;
    }
    if (inc === null || inc <= 0) continue;
    sites.push(site('growth', inc, { bytesDiff: inc, label: code || null, frames: [{ function: null, file, line: Number(row[1]), object: null }] }));
  }
  if (tables === 0) r.warnings.push('no memory_profiler table (header "Line #    Mem usage    Increment ... Line Contents") found');
  else if (file === null) r.warnings.push('no "Filename:" line: the sites have line numbers but no file');
  r.sites = sortSites(sites);
  r.details = { tables, memUsagePeakBytes: peak, note: 'increments of the whole process memory (RSS) per line, not allocations' };
  return r;
}
