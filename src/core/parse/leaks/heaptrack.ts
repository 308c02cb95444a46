// heaptrack_print text output. Sites come from the MEMORY LEAKS section (heaptrack_print -l), else
// from PEAK MEMORY CONSUMERS. Each merged entry is one site: the allocating location's frame(s),
// then the frames of its largest backtrace ("… from:" sub-entry). Sizes are 1000-based ("1.10K").
//
//   MEMORY LEAKS
//   1.10K leaked over 4 calls from
//   bar()
//     at /src/test.cpp:23
//     in /build/test_c
//   1.10K leaked over 4 calls from:
//       main
//         at /src/test.cpp:36
//         in /build/test_c
import type { LeakFrame, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { decimalSize, site, sortSites } from './util';

const SIZE = '([+-]?\\d+(?:\\.\\d+)?[BKMGTP]B?)';
const LEAK_HEAD = new RegExp(`^${SIZE} leaked over (\\d+) calls from(:?)\\s*$`);
const PEAK_HEAD = new RegExp(`^${SIZE} (?:peak memory consumed|consumed) over (\\d+) calls from(:?)\\s*$`);

interface Entry {
  bytes: number;
  calls: number;
  frames: LeakFrame[];
  sub: LeakFrame[][];
}

export function parseHeaptrack(text: string): LeakReport {
  const report: LeakReport = {
    tool: 'heaptrack',
    toolVersion: null,
    pid: null,
    command: null,
    summary: emptyLeakSummary(),
    sites: [],
    warnings: [],
  };
  let section: string | null = null;
  const entries: Record<'leaks' | 'peak', Entry[]> = { leaks: [], peak: [] };
  let entry: Entry | null = null;
  let frames: LeakFrame[] | null = null; // list receiving frames (entry.frames or a sub list)
  let lastFrame: LeakFrame | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '');
    let m: RegExpExecArray | null;
    if ((m = /^Debuggee command was: (.*)$/.exec(line))) {
      report.command = m[1];
      continue;
    }
    if (/^(MOST CALLS TO ALLOCATION FUNCTIONS|PEAK MEMORY CONSUMERS|MEMORY LEAKS|MOST TEMPORARY ALLOCATIONS|MOST ALLOCATIONS|[A-Z]+(?: [A-Z]+)+)$/.test(line)) {
      section = line.trim();
      entry = null;
      frames = null;
      continue;
    }
    if ((m = /^total memory leaked: (\S+)/.exec(line))) {
      report.summary.inUseAtExitBytes = decimalSize(m[1]);
      continue;
    }
    if ((m = /^peak heap memory consumption: (\S+)/.exec(line))) {
      report.summary.peakBytes = decimalSize(m[1]);
      continue;
    }
    if ((m = /^calls to allocation functions: (\d+)/.exec(line))) {
      report.summary.totalAllocs = Number(m[1]);
      continue;
    }
    if ((m = /^suppressed leaks: (\S+)/.exec(line))) {
      report.summary.suppressedBytes = decimalSize(m[1]);
      continue;
    }
    if (line.trim() === '') {
      entry = null;
      frames = null;
      lastFrame = null;
      continue;
    }
    const key = section === 'MEMORY LEAKS' ? 'leaks' : section === 'PEAK MEMORY CONSUMERS' ? 'peak' : null;
    if (!key) continue;
    const head = (key === 'leaks' ? LEAK_HEAD : PEAK_HEAD).exec(line);
    if (head) {
      const bytes = decimalSize(head[1]) ?? 0;
      if (head[3] === ':' && entry) {
        frames = [];
        entry.sub.push(frames);
      } else {
        entry = { bytes, calls: Number(head[2]), frames: [], sub: [] };
        entries[key].push(entry);
        frames = entry.frames;
      }
      lastFrame = null;
      continue;
    }
    if (!entry || !frames) continue;
    const t = line.trim();
    if (/^and .* from \d+ other places$/.test(t)) continue;
    if ((m = /^at (.+):(\d+)$/.exec(t)) && lastFrame) {
      lastFrame.file = m[1];
      lastFrame.line = Number(m[2]);
      continue;
    }
    if ((m = /^in (.+)$/.exec(t)) && lastFrame) {
      lastFrame.object = m[1] === '??' ? null : m[1];
      continue;
    }
    lastFrame = { function: t === '??' || /^0x[0-9a-f]+$/i.test(t) ? null : t, file: null, line: null, object: null };
    if (/^0x[0-9a-f]+$/i.test(t)) lastFrame.address = t;
    frames.push(lastFrame);
  }
  const used = entries.leaks.length > 0 ? 'leaks' : 'peak';
  const sites: LeakSite[] = entries[used].map((e) =>
    site('retained', e.bytes, { count: e.calls, frames: [...e.frames, ...(e.sub[0] ?? [])], stacks: e.sub.length || null }),
  );
  report.sites = sortSites(sites);
  if (sites.length === 0) report.warnings.push('no MEMORY LEAKS or PEAK MEMORY CONSUMERS entries (run heaptrack_print with -l to list leaks)');
  else if (used === 'peak') report.warnings.push('no MEMORY LEAKS section (heaptrack_print -l): sites are the PEAK MEMORY CONSUMERS');
  report.details = { section: used === 'leaks' ? 'MEMORY LEAKS' : 'PEAK MEMORY CONSUMERS' };
  return report;
}
