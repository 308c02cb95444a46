// oom-lens leaks FILE [FILE2]: leak sites from a leak tool's output; two files: growth and comparison.
import { existsSync, statSync } from 'node:fs';
import { compareLeakReports } from '../../core/parse/leaks';
import { parseLeakReportFile, parseLeakReportFiles } from '../../core/collect/leakFile';
import type { LeakReport } from '../../core/model/leakReport';
import { renderComparisonText, renderLeakText } from '../../core/tools/render';
import { OomLensError } from '../../core/errors';
import { UsageError } from '../args';

/** The JSON for two files: the growth report (contract shape) plus the site comparison. */
export interface LeakPairJson extends LeakReport {
  comparison: { fixed: number; added: number; grown: number; shrunk: number; sites: ReturnType<typeof compareLeakReports> };
}

export async function leaksCommand(files: string[], opts: { json: boolean; top: number }): Promise<string> {
  if (files.length === 0)
    throw new UsageError('leaks needs a FILE: the output of valgrind, heaptrack_print, tracemalloc, a Node heap profile/snapshot or a Java histogram');
  for (const f of files) if (f !== '-' && !existsSync(f)) throw new OomLensError(`no such file: ${f}`);
  if (files.length === 1) {
    const r = await parseLeakReportFile(files[0]);
    // The first line is the input's, quoted in the error: escaped by the CLI before it is printed.
    if (r.tool === null && !opts.json) throw new OomLensError(`${files[0]}: ${r.warnings[0] ?? 'not a recognized leak report'}`);
    return opts.json ? JSON.stringify(r, null, 2) + '\n' : renderLeakText(r, { top: opts.top });
  }
  // Two reads of stdin are impossible: the pair is read once, and each side from that.
  if (files.some((f) => f === '-' || !statSync(f).isFile()))
    throw new UsageError('comparing needs two files: standard input (-) and pipes work for one report only (each side is read twice)');
  const [before, after] = await Promise.all([parseLeakReportFile(files[0]), parseLeakReportFile(files[1])]);
  const growth = await parseLeakReportFiles(files[0], files[1]);
  const c = compareLeakReports(before, after);
  if (opts.json) {
    const out: LeakPairJson = {
      ...growth,
      comparison: { fixed: c.fixed.length, added: c.added.length, grown: c.grown.length, shrunk: c.shrunk.length, sites: c },
    };
    return JSON.stringify(out, null, 2) + '\n';
  }
  return renderLeakText(growth, { top: opts.top, title: `growth from ${files[0]} to ${files[1]}` }) + renderComparisonText(c, after.tool, opts.top);
}
