// Leak-tool output -> LeakReport (the contract of `oom-lens leaks --json`).
//
//   detectLeakFormat(head)           which tool wrote it (from the first KBs), or null
//   parseLeakReport(text, opts?)     detect + parse a whole text; never throws
//   parseLeakSource(source)          same for text that arrives in chunks (a file: collect/leakFile.ts
//                                    opens it): valgrind text/XML, massif and LSan are streamed in bounded
//                                    memory, heap snapshots too (any size); heap profiles are read whole (limit below)
//   parseLeakReportPair / parseLeakSources(before, after)
//                                    growth between two outputs (two heap snapshots, two histograms…)
//   compareLeakReports(before, after) fixed / added / grown sites
//   firstUserFrame(site, isUserFile) the frame the extension points at
import type { LeakReport, LeakTool } from '../../model/leakReport';
import { emptyLeakReport } from '../../model/leakReport';
import { detectFormat, FORMAT_TOOL, type LeakFormat } from './detect';
import { MemcheckTextParser, parseMemcheckText } from './memcheckText';
import { MemcheckXmlParser, parseMemcheckXml } from './memcheckXml';
import { MassifParser, parseMassif } from './massif';
import { parseMemrayStats, parseTracemalloc } from './tracemalloc';
import { heapSnapshotReport, parseHeapProfile, parseHeapSnapshot } from './node';
import { HeapSnapshotScanner, heapSnapshotStats, type ConstructorStat } from './heapSnapshotStream';
import { growthByLabel, parseJavaHistogram } from './java';
import { parseHeaptrack } from './heaptrack';
import { LsanParser, parseLsan } from './lsan';
import { parseGoPprofTop } from './goPprof';
import { parseMemoryProfiler } from './memoryProfiler';
import { diffLeakReports } from './compare';
import { errMessage, firstLine, site, sortSites } from './util';
import { boundSite } from './frames';
import { MAX_SITES_KEPT } from './siteList';

export { detectLeakFormat, detectFormat, type LeakFormat } from './detect';
export { compareLeakReports, diffLeakReports, type LeakComparison } from './compare';
export { firstUserFrame, isSystemFrame, isAllocatorFrame, defaultIsUserFile, siteKey, boundFrames, MAX_SITE_FRAMES } from './frames';
export { sortSites } from './util';

export interface ParseLeakOptions {
  /** Skip detection and read the text as this format. */
  format?: LeakFormat;
}

/** Bytes of a file's beginning used for detection. */
export const HEAD_BYTES = 256 * 1024;
/** Heap profiles are read with JSON.parse: the text must fit in one V8 string (~512 MiB). */
// 200 MiB, well under V8's limits on strings and arrays (a 450 MB JSON parsed whole killed the
// process with SIGTRAP). Heap snapshots, which get that big, are streamed instead.
export const MAX_JSON_BYTES = 200 * 1024 * 1024;
/** Line formats that are not streamed (tracemalloc, histograms, heaptrack) are read whole up to this. */
const MAX_WHOLE_TEXT_BYTES = 256 * 1024 * 1024;

/**
 * Last line of defence: non-finite numbers (absurd digit strings, 1e400) become null / 0 with a
 * warning; stacks longer than MAX_SITE_FRAMES are cut (the tree readers already cut while reading).
 */
function sanitize(r: LeakReport): LeakReport {
  let bad = 0;
  const fix = (o: Record<string, unknown>, keys: string[], zero: string[] = []) => {
    for (const k of keys) {
      const v = o[k];
      if (typeof v === 'number' && !Number.isFinite(v)) {
        o[k] = zero.includes(k) ? 0 : null;
        bad++;
      }
    }
  };
  fix(r.summary as unknown as Record<string, unknown>, Object.keys(r.summary));
  for (const s of r.sites) {
    fix(
      s as unknown as Record<string, unknown>,
      ['bytes', 'directBytes', 'indirectBytes', 'count', 'bytesDiff', 'countDiff', 'record', 'recordsTotal'],
      ['bytes'],
    );
    for (const f of s.frames) fix(f as unknown as Record<string, unknown>, ['line', 'column']);
    boundSite(s);
  }
  if (bad > 0) {
    r.warnings.push(`${bad} number(s) out of range were dropped`);
    r.sites = sortSites(r.sites);
  }
  // formats read whole (text, histograms, profiles): the same bound as the streamed ones
  if (r.sites.length > MAX_SITES_KEPT) {
    const n = r.sites.length - MAX_SITES_KEPT;
    r.sites = sortSites(r.sites).slice(0, MAX_SITES_KEPT);
    r.warnings.push(`${n} smaller leak sites not listed: only the ${MAX_SITES_KEPT} largest are (the totals count all ${n + MAX_SITES_KEPT})`);
    r.details = { ...(r.details ?? {}), sitesDropped: n + Number(r.details?.sitesDropped ?? 0) };
  }
  return r;
}

function notRecognized(text: string): LeakReport {
  const r = emptyLeakReport(null);
  const fl = firstLine(text);
  r.warnings.push(fl === '' ? 'not a recognized leak report: empty input' : `not a recognized leak report: first line '${fl}'`);
  return r;
}

function failed(format: LeakFormat | null, e: unknown): LeakReport {
  const r = emptyLeakReport(format ? FORMAT_TOOL[format] : null);
  r.warnings.push(`could not read the ${format ?? 'leak'} report: ${errMessage(e)}`);
  return r;
}

function parseJson(text: string, format: LeakFormat): LeakReport {
  if (format === 'heap-snapshot') return parseHeapSnapshot(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const r = emptyLeakReport(FORMAT_TOOL[format]);
    r.warnings.push(`invalid JSON (${errMessage(e)}): truncated file?`);
    return r;
  }
  return parseHeapProfile(json);
}

function parseAs(format: LeakFormat, text: string): LeakReport {
  switch (format) {
    case 'memcheck-xml':
      return parseMemcheckXml(text);
    case 'memcheck-text':
      return parseMemcheckText(text);
    case 'massif':
      return parseMassif(text);
    case 'tracemalloc':
      return parseTracemalloc(text);
    case 'memray':
      return parseMemrayStats(text);
    case 'heap-profile':
    case 'heap-snapshot':
      return parseJson(text, format);
    case 'java-histogram':
      return parseJavaHistogram(text);
    case 'heaptrack':
      return parseHeaptrack(text);
    case 'lsan':
      return parseLsan(text);
    case 'go-pprof-top':
      return parseGoPprofTop(text);
    case 'memory-profiler':
      return parseMemoryProfiler(text);
  }
}

/** Detects the format from the content and parses it. Never throws: problems become warnings. */
export function parseLeakReport(text: string, opts: ParseLeakOptions = {}): LeakReport {
  let format: LeakFormat | null = null;
  try {
    if (typeof text !== 'string') return notRecognized('');
    format = opts.format ?? detectFormat(text.slice(0, HEAD_BYTES)) ?? (text.length > HEAD_BYTES ? detectFormat(text) : null);
    if (!format) return notRecognized(text);
    return sanitize(parseAs(format, text));
  } catch (e) {
    return failed(format, e);
  }
}

// ---------------------------------------------------------------------------------------------
// text that arrives in chunks (a file, decompressed on the fly): the parser never opens it

/** Where a leak report's text comes from: collect/leakFile.ts makes one for a file (gzip or not). */
export interface LeakTextSource {
  /** The first HEAD_BYTES of the text (decompressed), whether it was compressed, and its stored size. */
  head(): Promise<{ head: string; gzip: boolean; size: number }>;
  /** The whole text from the start, in chunks; a fresh iteration each call. */
  chunks(): AsyncIterable<string>;
}

async function readAll(src: LeakTextSource, limit: number): Promise<string | null> {
  let out = '';
  for await (const chunk of src.chunks()) {
    out += chunk;
    if (out.length > limit) return null;
  }
  return out;
}

async function streamLines(src: LeakTextSource, push: (line: string) => void): Promise<void> {
  let rest = '';
  for await (const chunk of src.chunks()) {
    const s = rest + chunk;
    let start = 0;
    let i: number;
    while ((i = s.indexOf('\n', start)) >= 0) {
      push(s.slice(start, i));
      start = i + 1;
    }
    rest = s.slice(start);
    if (rest.length > 16 * 1024 * 1024) {
      push(rest);
      rest = '';
    } // a monstrous line: cut it
  }
  if (rest !== '') push(rest);
}

/**
 * Reads a leak report from a source. Valgrind memcheck text, memcheck XML and massif are streamed
 * (bounded memory: only the sites are kept), and so are heap snapshots; heap profiles are read whole (up to MAX_JSON_BYTES);
 * other formats whole up to 256 MiB. Never rejects: problems become warnings.
 */
export async function parseLeakSource(src: LeakTextSource, opts: ParseLeakOptions = {}): Promise<LeakReport> {
  let format: LeakFormat | null = opts.format ?? null;
  try {
    const { head, gzip, size } = await src.head();
    format = format ?? detectFormat(head);
    if (!format) {
      if (!gzip && size > HEAD_BYTES && size <= MAX_WHOLE_TEXT_BYTES) {
        const all = await readAll(src, MAX_WHOLE_TEXT_BYTES);
        if (all !== null) return parseLeakReport(all);
      }
      return notRecognized(head);
    }
    switch (format) {
      case 'memcheck-xml': {
        const p = new MemcheckXmlParser();
        for await (const chunk of src.chunks()) p.write(chunk);
        return sanitize(p.finish());
      }
      case 'memcheck-text': {
        const p = new MemcheckTextParser();
        await streamLines(src, (l) => p.push(l));
        return sanitize(p.finish());
      }
      case 'lsan': {
        const p = new LsanParser();
        await streamLines(src, (l) => p.push(l));
        return sanitize(p.finish());
      }
      case 'massif': {
        const p = new MassifParser();
        await streamLines(src, (l) => p.push(l));
        return sanitize(p.finish());
      }
      case 'heap-snapshot': {
        const sc = await scanSnapshot(src);
        return sanitize(heapSnapshotReport(sc.finish(), sc.warnings));
      }
      case 'heap-profile': {
        if (!gzip && size > MAX_JSON_BYTES) {
          const r = emptyLeakReport(FORMAT_TOOL[format]);
          r.warnings.push(
            `file is ${Math.round(size / 1048576)} MiB: heap profiles over ${MAX_JSON_BYTES / 1048576} MiB are not read (they would exhaust memory)`,
          );
          return r;
        }
        const all = await readAll(src, MAX_JSON_BYTES);
        if (all === null) {
          const r = emptyLeakReport(FORMAT_TOOL[format]);
          r.warnings.push(`decompressed JSON over ${MAX_JSON_BYTES / 1048576} MiB is not read (JSON.parse limit)`);
          return r;
        }
        return sanitize(parseAs(format, all));
      }
      default: {
        const all = await readAll(src, MAX_WHOLE_TEXT_BYTES);
        if (all === null) {
          const r = emptyLeakReport(FORMAT_TOOL[format]);
          r.warnings.push(`file over ${MAX_WHOLE_TEXT_BYTES / 1048576} MiB: not read`);
          return r;
        }
        return sanitize(parseAs(format, all));
      }
    }
  } catch (e) {
    return failed(format, e);
  }
}

// ---------------------------------------------------------------------------------------------
// two inputs: growth

function heapSnapshotGrowth(b: ConstructorStat[] | null, a: ConstructorStat[] | null, warnings: string[]): LeakReport | null {
  if (!a || !b) return null;
  const toSites = (l: ConstructorStat[]) => l.map((c) => site('retained', c.bytes, { count: c.count, label: c.label }));
  const r = emptyLeakReport('node-heap-snapshot');
  r.sites = sortSites(growthByLabel(toSites(b), toSites(a)));
  r.summary.liveBytes = a.reduce((x, c) => x + c.bytes, 0);
  r.summary.liveCount = a.reduce((x, c) => x + c.count, 0);
  r.warnings = warnings;
  r.details = {
    comparison: true,
    before: { liveBytes: b.reduce((x, c) => x + c.bytes, 0), liveCount: b.reduce((x, c) => x + c.count, 0) },
    after: { liveBytes: r.summary.liveBytes, liveCount: r.summary.liveCount },
    note: 'growth of shallow (self) size per constructor between the two snapshots',
  };
  return r;
}

async function scanSnapshot(src: LeakTextSource): Promise<HeapSnapshotScanner> {
  const sc = new HeapSnapshotScanner();
  for await (const chunk of src.chunks()) {
    sc.write(chunk);
    if (sc.stopped) break;
  }
  return sc;
}

/** Growth between two outputs of the same tool (e.g. two heap snapshots, two class histograms). Never throws. */
export function parseLeakReportPair(beforeText: string, afterText: string, opts: ParseLeakOptions = {}): LeakReport {
  try {
    const fb = opts.format ?? detectFormat(String(beforeText).slice(0, HEAD_BYTES));
    const fa = opts.format ?? detectFormat(String(afterText).slice(0, HEAD_BYTES));
    if (fb === 'heap-snapshot' && fa === 'heap-snapshot') {
      const warnings: string[] = [];
      const r = heapSnapshotGrowth(heapSnapshotStats(beforeText, warnings), heapSnapshotStats(afterText, warnings), warnings);
      if (r) return r;
    }
    return sanitize(diffLeakReports(parseLeakReport(beforeText, opts), parseLeakReport(afterText, opts)));
  } catch (e) {
    return failed(null, e);
  }
}

/** parseLeakReportPair for two sources (two files). Never rejects. */
export async function parseLeakSources(before: LeakTextSource, after: LeakTextSource): Promise<LeakReport> {
  try {
    const [hb, ha] = await Promise.all([before.head(), after.head()]);
    const fb = hb.gzip ? null : detectFormat(hb.head);
    const fa = ha.gzip ? null : detectFormat(ha.head);
    if (fb === 'heap-snapshot' && fa === 'heap-snapshot') {
      // one after the other: two big snapshots at once would double the peak
      const sb = await scanSnapshot(before);
      const sa = await scanSnapshot(after);
      const r = heapSnapshotGrowth(sb.finish(), sa.finish(), [...sb.warnings, ...sa.warnings]);
      if (r) return r;
    }
    const [b, a] = await Promise.all([parseLeakSource(before), parseLeakSource(after)]);
    return sanitize(diffLeakReports(b, a));
  } catch (e) {
    return failed(null, e);
  }
}

export type { LeakReport, LeakTool };
