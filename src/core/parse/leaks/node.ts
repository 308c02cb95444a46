// Node/V8: sampling heap profiles (.heapprofile, from --heap-prof, the inspector's
// HeapProfiler.stopSampling or DevTools "Allocation sampling") and heap snapshots (.heapsnapshot).
//
// Heap profiles are read with JSON.parse (up to MAX_JSON_BYTES); heap snapshots are streamed
// (heapSnapshotStream.ts), whatever their size.
import { heapSnapshotStats, type ConstructorStat } from './heapSnapshotStream';
import type { LeakFrame, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { site, sortSites } from './util';
import { isUserCandidate, MAX_SITE_FRAMES } from './frames';

interface CallFrame {
  functionName?: string;
  url?: string;
  lineNumber?: number;
  columnNumber?: number;
  scriptId?: string | number;
}
interface ProfileNode {
  callFrame?: CallFrame;
  selfSize?: number;
  id?: number;
  children?: ProfileNode[];
}
interface Sample {
  size?: number;
  nodeId?: number;
  ordinal?: number;
}

function urlToFile(url: string | undefined): string | null {
  if (!url) return null;
  if (url.startsWith('file://')) {
    try {
      return decodeURIComponent(url.replace(/^file:\/\/(localhost)?/, ''));
    } catch {
      return url.slice(7);
    }
  }
  return url;
}

function cfFrame(cf: CallFrame): LeakFrame {
  const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : null;
  const column = typeof cf.columnNumber === 'number' && cf.columnNumber >= 0 ? cf.columnNumber + 1 : null;
  return { function: cf.functionName ? cf.functionName : '(anonymous)', file: urlToFile(cf.url), line, object: null, column };
}

const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

export function parseHeapProfile(json: unknown): LeakReport {
  const report: LeakReport = {
    tool: 'node-heap-profile',
    toolVersion: null,
    pid: null,
    command: null,
    summary: emptyLeakSummary(),
    sites: [],
    warnings: [],
  };
  const root = (json as { head?: ProfileNode } | null)?.head;
  if (!root || typeof root !== 'object') {
    report.warnings.push('heap profile without a "head" node');
    return report;
  }
  // samples per node id (count of sampled allocations still live)
  const samplesPerNode = new Map<number, number>();
  const samples = (json as { samples?: Sample[] }).samples;
  if (Array.isArray(samples)) {
    for (const s of samples) if (typeof s?.nodeId === 'number') samplesPerNode.set(s.nodeId, (samplesPerNode.get(s.nodeId) ?? 0) + 1);
  }
  const haveSamples = Array.isArray(samples) && samples.length > 0;
  interface Agg {
    site: LeakSite;
    heaviest: number;
  }
  const bySite = new Map<string, Agg>();
  let total = 0;
  // Iterative DFS keeping the path (root -> node). A site's frames are built from the path's last
  // MAX_SITE_FRAMES real frames plus the nearest user frame above them (userAt[d]: the deepest
  // user frame at depth <= d): O(MAX_SITE_FRAMES) per allocating node, whatever the depth.
  const stack: Array<{ node: ProfileNode; depth: number }> = [{ node: root, depth: 0 }];
  const path: LeakFrame[] = [];
  const real: boolean[] = []; // path[d] is a frame of the stack (not the root or a pseudo node)
  const userAt: number[] = [];
  const realCount: number[] = []; // real frames at depths 1..d
  let visited = 0;
  let maxDepth = 0;
  const framesOf = (depth: number): { frames: LeakFrame[]; omitted: number } => {
    const frames: LeakFrame[] = [];
    let d = depth;
    for (; d >= 1 && frames.length < MAX_SITE_FRAMES; d--) if (real[d]) frames.push(path[d]);
    if (d >= 1 && !frames.some(isUserCandidate) && userAt[d] >= 1) frames.push(path[userAt[d]]);
    return { frames, omitted: realCount[depth] - frames.length };
  };
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    visited++;
    if (depth > maxDepth) maxDepth = depth;
    const cf = node.callFrame ?? {};
    const isPseudo = depth === 0 || PSEUDO.has(cf.functionName ?? '');
    const f = cfFrame(cf);
    path[depth] = f;
    real[depth] = !isPseudo;
    userAt[depth] = !isPseudo && isUserCandidate(f) ? depth : depth > 0 ? userAt[depth - 1] : -1;
    realCount[depth] = (depth > 0 ? realCount[depth - 1] : 0) + (isPseudo ? 0 : 1);
    const self = typeof node.selfSize === 'number' && Number.isFinite(node.selfSize) && node.selfSize > 0 ? node.selfSize : 0;
    if (self > 0) {
      total += self;
      const top = isPseudo ? { function: cf.functionName ?? '(root)', file: null, line: null, object: null } : f;
      const key = `${top.function}\u0000${top.file ?? ''}\u0000${top.line ?? ''}`;
      const count = haveSamples && typeof node.id === 'number' ? (samplesPerNode.get(node.id) ?? 0) : null;
      const a = bySite.get(key);
      if (!a) {
        const b = framesOf(depth);
        const s = site('retained', self, { frames: b.frames.length > 0 ? b.frames : [top], count, stacks: 1, label: isPseudo ? top.function : null });
        if (b.omitted > 0) s.framesOmitted = b.omitted;
        bySite.set(key, { site: s, heaviest: self });
      } else {
        a.site.bytes += self;
        a.site.stacks = (a.site.stacks ?? 0) + 1;
        if (count !== null) a.site.count = (a.site.count ?? 0) + count;
        if (self > a.heaviest) {
          a.heaviest = self;
          const b = framesOf(depth);
          a.site.frames = b.frames.length > 0 ? b.frames : [top];
          if (b.omitted > 0) a.site.framesOmitted = b.omitted;
          else delete a.site.framesOmitted;
        }
      }
    }
    const children = Array.isArray(node.children) ? node.children : [];
    for (let i = children.length - 1; i >= 0; i--) {
      if (children[i] && typeof children[i] === 'object') stack.push({ node: children[i], depth: depth + 1 });
    }
  }
  report.sites = sortSites([...bySite.values()].map((a) => a.site));
  report.summary.liveBytes = total;
  report.summary.liveCount = haveSamples ? samples!.length : null;
  report.details = {
    nodes: visited,
    maxDepth,
    note: 'sampled allocations still live when the profile was taken; sites merged by allocating function+file+line, frames of the heaviest path',
  };
  if (visited === 1 && total === 0) report.warnings.push('heap profile is empty');
  return report;
}

// ---------------------------------------------------------------------------------------------

const MAX_SITES = 2000;

/** The constructor summary as a report (stats from HeapSnapshotScanner; null: not a snapshot). */
export function heapSnapshotReport(stats: ConstructorStat[] | null, warnings: string[]): LeakReport {
  const report: LeakReport = {
    tool: 'node-heap-snapshot',
    toolVersion: null,
    pid: null,
    command: null,
    summary: emptyLeakSummary(),
    sites: [],
    warnings: [...warnings],
  };
  if (!stats) return report;
  let sites = sortSites(stats.map((c) => site('retained', c.bytes, { count: c.count, label: c.label })));
  report.summary.liveBytes = stats.reduce((a, c) => a + c.bytes, 0);
  report.summary.liveCount = stats.reduce((a, c) => a + c.count, 0);
  if (sites.length > MAX_SITES) {
    report.warnings.push(`${sites.length} constructors: only the ${MAX_SITES} largest are listed`);
    sites = sites.slice(0, MAX_SITES);
  }
  report.sites = sites;
  report.details = { note: 'bytes are shallow (self) sizes summed per constructor, as in DevTools Summary; retained sizes are not computed' };
  return report;
}

/** A whole snapshot held as text. */
export function parseHeapSnapshot(text: string): LeakReport {
  const warnings: string[] = [];
  return heapSnapshotReport(heapSnapshotStats(text, warnings), warnings);
}
