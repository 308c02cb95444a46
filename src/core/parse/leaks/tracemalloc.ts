// Python tracemalloc printouts (and the 2013 pytracemalloc/tracemalloctext "top" output):
//  - str(Statistic)      `/app.py:12: size=1234 KiB, count=56, average=22 B`
//  - str(StatisticDiff)  `/app.py:12: size=1234 KiB (+1000 KiB), count=56 (+50), average=22 B`
//  - display_top recipe  `#1: app.py:12: 419.8 KiB` + source line, `8 other: 4.3 KiB`, `Total allocated size: …`
//  - legacy top          `#1: file.py:120: size=93 MiB, count=13, average=7 MiB`, `#3: <frozen x>: 401 MiB`,
//                        `#1: memory block 0x805e7010: size=80 MiB`, `1330 more: 822 MiB`,
//                        `Traced Python memory: size=151 MiB, count=…`, `metric.name: value`
//  - traceback groups    `903 memory blocks: 870.1 KiB` / `  File "x.py", line 12` (Traceback.format())
//  - repr()              `<Statistic traceback=<Traceback (<Frame filename='x.py' lineno=12>,)> size=123 count=4>`
//                        `<StatisticDiff traceback=<Traceback (…)> size=123 (+100) count=4 (+2)>`
// Sizes are binary (KiB = 1024) and rounded by Python to 3 significant digits: bytes are approximate.
// Tracebacks (repr and format()) are read oldest-first, as Python >= 3.7 prints them, and reversed to
// the contract's innermost-first order.
import type { LeakFrame, LeakGroup, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { binarySize, site, sortSites } from './util';

const SZ = '[+-]?\\d+(?:\\.\\d+)? (?:B|KiB|MiB|GiB|TiB)';
const STAT = new RegExp(`^(?:#(\\d+): )?(.+?):(\\d+): size=(${SZ})(?: \\((${SZ})\\))?, count=(\\d+)(?: \\(([+-]\\d+)\\))?(?:, average=(${SZ}))?\\s*$`);
const TOP_LINE = new RegExp(`^#(\\d+): (.+?):(\\d+): (${SZ})\\s*$`);
const TOP_FILE = new RegExp(`^#(\\d+): (.+?): (?:size=)?(${SZ})(?:, count=(\\d+))?(?:, average=(${SZ}))?\\s*$`);
const TOP_ADDR = new RegExp(`^#(\\d+): memory block (0x[0-9A-Fa-f]+): size=(${SZ})(?:, count=(\\d+))?(?:, average=(${SZ}))?\\s*$`);
const REST = new RegExp(`^(\\d+) (?:more|other): (?:size=)?(${SZ})(?:, count=(\\d+))?(?:, average=(${SZ}))?\\s*$`);
const TRACED = new RegExp(`^(?:Traced Python memory: size=|Total allocated size: )(${SZ})(?:, count=(\\d+))?`);
const BLOCKS = new RegExp(`^(\\d+) memory blocks?: (\\d+(?:\\.\\d+)?) KiB\\s*$`);
const FILE_LINE = /^File "(.+)", line (\d+)/;
const TITLE = /^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d): )?(.*\b[Tt]op \d+\b.*?)\s*$/;
const METRIC = /^([a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+): (\S.*)$/;
const STR_Q = `'(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"`;
const FRAME_REPR = new RegExp(`<Frame filename=(${STR_Q}) lineno=(\\d+)>`, 'g');
const STAT_REPR = new RegExp(
  `<Statistic(Diff)? traceback=<Traceback \\(((?:<Frame filename=(?:${STR_Q}) lineno=\\d+>(?:, ?)?)*)\\)(?: total_nframe=\\d+)?> ` +
    `size=(\\d+)(?: \\(([+-]\\d+)\\))? count=(\\d+)(?: \\(([+-]\\d+)\\))?>`,
  'g',
);

function pyString(q: string): string {
  return q.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}

function groupByFromTitle(title: string): string | null {
  const t = title.toLowerCase();
  if (/line ?number|lineno|\blines?\b/.test(t)) return 'lineno';
  if (/traceback/.test(t)) return 'traceback';
  if (/address/.test(t)) return 'address';
  if (/filename|\bfiles?\b/.test(t)) return 'filename';
  return null;
}

/** Rank of a group for being the report's sites: growth > lineno/traceback > filename > address. */
function groupRank(g: LeakGroup): number {
  if (g.sites.some((s) => s.kind === 'growth')) return 4;
  if (g.groupBy === 'lineno' || g.groupBy === 'traceback' || g.groupBy === null) return 3;
  if (g.groupBy === 'filename') return 2;
  return 1;
}

export function parseTracemalloc(text: string): LeakReport {
  const report = { ...emptyReport(), tool: 'tracemalloc' as const };
  const groups: LeakGroup[] = [];
  let group: LeakGroup | null = null;
  let legacy = false;
  const metrics: Record<string, string> = {};
  const newGroup = (title: string | null, groupBy: string | null, timestamp: string | null = null): LeakGroup => {
    const g: LeakGroup = { title, groupBy, timestamp, sites: [], rest: null, total: null };
    groups.push(g);
    return g;
  };
  const cur = (by: string | null): LeakGroup => {
    if (!group) group = newGroup(null, by);
    if (group.groupBy === null && by !== null) group.groupBy = by;
    return group;
  };
  let lastSite: LeakSite | null = null;
  let lastSiteFrames: LeakFrame[] | null = null; // File "…" frames read after lastSite (oldest first)
  const flushFrames = () => {
    if (lastSite && lastSiteFrames && lastSiteFrames.length > 0) {
      lastSite.frames = [...lastSiteFrames].reverse();
      const g = groups.find((x) => x.sites.includes(lastSite!));
      if (g && (g.groupBy === null || g.groupBy === 'lineno')) g.groupBy = 'traceback';
    }
    lastSiteFrames = null;
  };

  // repr() forms may sit anywhere (inside a printed list), scan the whole text.
  const reprGroups: LeakGroup[] = [];
  for (const m of text.matchAll(STAT_REPR)) {
    const frames: LeakFrame[] = [];
    for (const f of m[2].matchAll(FRAME_REPR)) frames.push({ function: null, file: pyString(f[1]), line: Number(f[2]), object: null });
    frames.reverse();
    const diff = m[1] === 'Diff';
    let rg = reprGroups[reprGroups.length - 1];
    if (!rg || rg.sites[0].kind !== (diff ? 'growth' : 'allocated')) {
      rg = { title: null, groupBy: 'traceback', sites: [], rest: null, total: null };
      reprGroups.push(rg);
    }
    rg.sites.push(
      site(diff ? 'growth' : 'allocated', Number(m[3]), {
        count: Number(m[5]),
        bytesDiff: diff && m[4] !== undefined ? Number(m[4]) : null,
        countDiff: diff && m[6] !== undefined ? Number(m[6]) : null,
        frames,
      }),
    );
  }

  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('<Statistic')) continue; // repr, done above
    let m: RegExpExecArray | null;
    if ((m = FILE_LINE.exec(line))) {
      if (lastSite) (lastSiteFrames ??= []).push({ function: null, file: m[1], line: Number(m[2]), object: null });
      continue;
    }
    if ((m = STAT.exec(line))) {
      flushFrames();
      if (m[1]) legacy = true;
      const diff = m[5] !== undefined;
      const s = site(diff ? 'growth' : 'allocated', binarySize(m[4]) ?? 0, {
        count: Number(m[6]),
        bytesDiff: diff ? binarySize(m[5]) : null,
        countDiff: m[7] !== undefined ? Number(m[7]) : null,
        frames: [{ function: null, file: m[2], line: Number(m[3]) || null, object: null }],
      });
      cur(Number(m[3]) === 0 ? 'filename' : 'lineno').sites.push(s);
      lastSite = s;
      continue;
    }
    if ((m = TOP_ADDR.exec(line))) {
      flushFrames();
      legacy = true;
      const s = site('allocated', binarySize(m[3]) ?? 0, { count: m[4] ? Number(m[4]) : null, label: `memory block ${m[2]}` });
      cur('address').sites.push(s);
      lastSite = null;
      continue;
    }
    if ((m = TOP_LINE.exec(line))) {
      flushFrames();
      const s = site('allocated', binarySize(m[4]) ?? 0, { frames: [{ function: null, file: m[2], line: Number(m[3]), object: null }] });
      cur('lineno').sites.push(s);
      lastSite = s;
      continue;
    }
    if ((m = TOP_FILE.exec(line))) {
      flushFrames();
      legacy = true;
      const s = site('allocated', binarySize(m[3]) ?? 0, {
        count: m[4] ? Number(m[4]) : null,
        frames: [{ function: null, file: m[2], line: null, object: null }],
      });
      cur('filename').sites.push(s);
      lastSite = null;
      continue;
    }
    if ((m = REST.exec(line))) {
      flushFrames();
      cur(null).rest = { entries: Number(m[1]), bytes: binarySize(m[2]), count: m[3] ? Number(m[3]) : null };
      lastSite = null;
      continue;
    }
    if ((m = TRACED.exec(line))) {
      flushFrames();
      if (line.startsWith('Traced')) legacy = true;
      cur(null).total = { bytes: binarySize(m[1]), count: m[2] ? Number(m[2]) : null };
      lastSite = null;
      continue;
    }
    if ((m = BLOCKS.exec(line))) {
      flushFrames();
      const s = site('allocated', Math.round(Number(m[2]) * 1024), { count: Number(m[1]) });
      cur('traceback').sites.push(s);
      lastSite = s;
      lastSiteFrames = [];
      continue;
    }
    if ((m = TITLE.exec(line)) && !line.includes('size=')) {
      flushFrames();
      const title = m[2].replace(/^\[\s*|\s*\]$/g, '');
      group = newGroup(title, groupByFromTitle(title), m[1] ?? null);
      if (m[1]) legacy = true;
      lastSite = null;
      continue;
    }
    if ((m = METRIC.exec(line)) && legacy) {
      flushFrames();
      metrics[m[1]] = m[2].trim();
      lastSite = null;
      continue;
    }
    // anything else: a source line printed under a frame, or prose; keep collecting frames
  }
  flushFrames();
  for (const g of reprGroups) groups.push(g);

  const nonEmpty = groups.filter((g) => g.sites.length > 0);
  let chosen: LeakGroup | null = null;
  for (const g of nonEmpty) if (!chosen || groupRank(g) >= groupRank(chosen)) chosen = g;
  report.sites = chosen ? sortSites(chosen.sites) : [];
  if (nonEmpty.length > 1) {
    report.groups = groups;
    report.warnings.push(
      `${nonEmpty.length} blocks of statistics in the input; sites are from ` +
        `${chosen?.title ? `'${chosen.title}'` : 'the last block'} (grouped by ${chosen?.groupBy ?? 'line'}); the others are in groups`,
    );
  }
  if (chosen && chosen.sites.some((s) => s.frames.length === 0 && s.label?.startsWith('memory block'))) {
    report.warnings.push('sites are per memory block (address): no source locations');
  }
  const totalGroup = (chosen?.total ? chosen : null) ?? groups.find((g) => g.total) ?? null;
  if (totalGroup?.total) {
    report.summary.liveBytes = totalGroup.total.bytes;
    report.summary.liveCount = totalGroup.total.count;
  }
  if (Object.keys(metrics).length > 0) {
    report.details = { metrics };
    const peak = binarySize(metrics['tracemalloc.traced.max_size']);
    if (peak !== null) report.summary.peakBytes = peak;
    if (report.summary.liveBytes == null) report.summary.liveBytes = binarySize(metrics['tracemalloc.traced.size']);
  }
  if (report.sites.length === 0) report.warnings.push('no tracemalloc statistics found');
  else if (report.sites.some((s) => s.kind === 'growth')) {
    report.warnings.push('sizes are as Python printed them (3 significant digits): bytes are approximate');
  }
  return report;
}

function emptyReport(): LeakReport {
  return { tool: null, toolVersion: null, pid: null, command: null, summary: emptyLeakSummary(), sites: [], warnings: [] };
}

// ---------------------------------------------------------------------------------------------
// memray `stats` (text, as printed to a terminal, and --json)

const MEMRAY_SZ = '[+-]?\\d+(?:\\.\\d+)?(?:B|KB|MB|GB|TB|PB)';

/** memray prints sizes with KB/MB names but 1024-based (its size_fmt divides by 1024). */
function memraySize(s: string | undefined): number | null {
  return binarySize(s);
}

function memrayLocation(loc: string): LeakFrame[] {
  const m = /^(.*?):(.*):(\d+)$/.exec(loc.trim());
  if (!m) return [];
  return [{ function: m[1] || null, file: m[2] || null, line: Number(m[3]), object: null }];
}

export function parseMemrayStats(text: string): LeakReport {
  const report: LeakReport = { ...emptyReport(), tool: 'memray' };
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      report.summary.totalAllocs = typeof j.total_num_allocations === 'number' ? j.total_num_allocations : null;
      report.summary.totalBytesAllocated = typeof j.total_bytes_allocated === 'number' ? j.total_bytes_allocated : null;
      const meta = (j.metadata ?? {}) as Record<string, unknown>;
      if (typeof meta.peak_memory === 'number') report.summary.peakBytes = meta.peak_memory;
      if (typeof meta.pid === 'number') report.pid = meta.pid;
      if (typeof meta.command_line === 'string') report.command = meta.command_line;
      const counts = new Map<string, number>();
      for (const e of (Array.isArray(j.top_allocations_by_count) ? j.top_allocations_by_count : []) as Array<Record<string, unknown>>) {
        if (typeof e.location === 'string' && typeof e.count === 'number') counts.set(e.location, e.count);
      }
      for (const e of (Array.isArray(j.top_allocations_by_size) ? j.top_allocations_by_size : []) as Array<Record<string, unknown>>) {
        if (typeof e.location !== 'string' || typeof e.size !== 'number') continue;
        report.sites.push(site('allocated', e.size, { count: counts.get(e.location) ?? null, frames: memrayLocation(e.location) }));
      }
      report.sites = sortSites(report.sites);
      return report;
    } catch {
      report.warnings.push('memray stats JSON could not be parsed');
      return report;
    }
  }
  const lines = text.split(/\r?\n/);
  let section: string | null = null;
  const bySize: Array<{ loc: string; bytes: number }> = [];
  const byCount = new Map<string, number>();
  const histogram: Array<{ upper: number | null; inclusive: boolean; count: number }> = [];
  let histMin: number | null = null;
  let histMax: number | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if (/Total allocations:\s*$/.test(line)) {
      section = 'allocs';
      continue;
    }
    if (/Total memory allocated:\s*$/.test(line)) {
      section = 'bytes';
      continue;
    }
    if (/Peak memory usage:\s*$/.test(line)) {
      section = 'peak';
      continue;
    }
    if (/Histogram of allocation size:/.test(line)) {
      section = 'hist';
      continue;
    }
    if (/Allocator type distribution:/.test(line)) {
      section = 'alloc-types';
      continue;
    }
    if (/largest allocating locations \(by size\)/.test(line)) {
      section = 'top-size';
      continue;
    }
    if (/largest allocating locations \(by number of allocations\)/.test(line)) {
      section = 'top-count';
      continue;
    }
    if (section === 'allocs' && /^\d+$/.test(line)) {
      report.summary.totalAllocs = Number(line);
      section = null;
      continue;
    }
    if (section === 'bytes' && (m = new RegExp(`^(${MEMRAY_SZ})$`).exec(line))) {
      report.summary.totalBytesAllocated = memraySize(m[1]);
      section = null;
      continue;
    }
    if (section === 'peak' && (m = new RegExp(`^(${MEMRAY_SZ})$`).exec(line))) {
      report.summary.peakBytes = memraySize(m[1]);
      section = null;
      continue;
    }
    if (section === 'hist' && (m = new RegExp(`^(<=|<)\\s*(${MEMRAY_SZ})\\s*:\\s*(\\d+)`).exec(line))) {
      histogram.push({ upper: memraySize(m[2]), inclusive: m[1] === '<=', count: Number(m[3]) });
      continue;
    }
    if (section === 'hist' && (m = new RegExp(`^(min|max): (${MEMRAY_SZ})$`).exec(line))) {
      if (m[1] === 'min') histMin = memraySize(m[2]);
      else histMax = memraySize(m[2]);
      continue;
    }
    if (section === 'top-size' && (m = new RegExp(`^- (.*) -> (${MEMRAY_SZ})$`).exec(line))) {
      bySize.push({ loc: m[1], bytes: memraySize(m[2]) ?? 0 });
      continue;
    }
    if (section === 'top-count' && (m = /^- (.*) -> (\d+)$/.exec(line))) {
      byCount.set(m[1], Number(m[2]));
      continue;
    }
  }
  for (const e of bySize) report.sites.push(site('allocated', e.bytes, { count: byCount.get(e.loc) ?? null, frames: memrayLocation(e.loc) }));
  report.sites = sortSites(report.sites);
  report.details = { histogram, histogramMinBytes: histMin, histogramMaxBytes: histMax };
  if (report.sites.length === 0) {
    report.warnings.push('memray stats without "largest allocating locations": totals only, no sites');
  }
  return report;
}
