// valgrind massif: the raw massif.out.N file and ms_print's rendering of it, read line by line.
//
// Sites are the allocation stacks of the peak snapshot (the one massif marks heap_tree=peak, else
// the detailed snapshot with the most useful heap): one site per leaf of the heap tree, frames from
// the allocation point (innermost) to the outermost caller, bytes as massif counts them at that
// snapshot; "below threshold" nodes become sites with their parent's stack and a label.
// summary.peakBytes is the largest mem_heap_B of ALL snapshots (massif's "peak" snapshot is not
// always the largest one: the peak is only re-measured at frees).
import type { LeakFrame, LeakReport, LeakSite } from '../../model/leakReport';
import { emptyLeakSummary } from '../../model/leakReport';
import { int, num, parseValgrindFrameText, site, sortSites } from './util';
import { isUserCandidate, MAX_SITE_FRAMES } from './frames';

interface TreeNode {
  bytes: number;
  text: string;
  children: TreeNode[];
}
interface Snapshot {
  n: number;
  time: number | null;
  heap: number | null;
  extra: number | null;
  stacks: number | null;
  tree: string | null;
}

const BELOW = /^in (\d+\+?) places?, (?:all )?below (?:massif's|ms_print's) threshold/;

function nodeFrame(text: string): LeakFrame | null {
  const m = /^(0x[0-9A-Fa-f]+): (.*)$/.exec(text);
  if (!m) return null;
  return parseValgrindFrameText(m[2], m[1]);
}

export class MassifParser {
  private desc: string | null = null;
  private cmd: string | null = null;
  private timeUnit: string | null = null;
  private massifArgs: string | null = null;
  private snapshots: Snapshot[] = [];
  private cur: Snapshot | null = null;
  private peakFromList: number | null = null;
  // trees kept: the peak one, and the biggest detailed one (fallback)
  private peakTree: { snap: Snapshot; root: TreeNode } | null = null;
  private bestTree: { snap: Snapshot; root: TreeNode } | null = null;
  private building: { snap: Snapshot; root: TreeNode | null; stack: TreeNode[] } | null = null;
  private msPrint = false;
  private lastRowSnap: Snapshot | null = null;
  private lines = 0;

  push(raw: string): void {
    this.lines++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // raw massif.out
    let m: RegExpExecArray | null;
    if ((m = /^desc: ?(.*)$/.exec(line))) {
      this.desc = m[1];
      return;
    }
    if ((m = /^cmd: ?(.*)$/.exec(line))) {
      this.cmd = m[1];
      return;
    }
    if ((m = /^time_unit: ?(.*)$/.exec(line))) {
      this.timeUnit = m[1];
      return;
    }
    if ((m = /^snapshot=(\d+)/.exec(line))) {
      this.endTree();
      this.cur = { n: Number(m[1]), time: null, heap: null, extra: null, stacks: null, tree: null };
      this.snapshots.push(this.cur);
      return;
    }
    if (this.cur && !this.msPrint) {
      if ((m = /^time=(\S+)/.exec(line))) {
        this.cur.time = num(m[1]);
        return;
      }
      if ((m = /^mem_heap_B=(\d+)/.exec(line))) {
        this.cur.heap = Number(m[1]);
        return;
      }
      if ((m = /^mem_heap_extra_B=(\d+)/.exec(line))) {
        this.cur.extra = Number(m[1]);
        return;
      }
      if ((m = /^mem_stacks_B=(\d+)/.exec(line))) {
        this.cur.stacks = Number(m[1]);
        return;
      }
      if ((m = /^heap_tree=(\w+)/.exec(line))) {
        this.cur.tree = m[1];
        if (m[1] === 'peak' || m[1] === 'detailed') this.building = { snap: this.cur, root: null, stack: [] };
        return;
      }
      if ((m = /^( *)n(\d+): (\d+)(?: (.*))?$/.exec(line)) && this.building) {
        this.addNode(m[1].length, Number(m[3]), (m[4] ?? '').trim());
        return;
      }
    }
    // ms_print
    if ((m = /^Command:\s+(.*)$/.exec(line))) {
      this.cmd = this.cmd ?? m[1].trim();
      this.msPrint = true;
      return;
    }
    if ((m = /^Massif arguments:\s*(.*)$/.exec(line))) {
      this.massifArgs = m[1].trim();
      this.msPrint = true;
      return;
    }
    if (/^ms_print arguments:/.test(line)) {
      this.msPrint = true;
      return;
    }
    if ((m = /^\s*Detailed snapshots: \[(.*)\]/.exec(line))) {
      const pk = /(\d+) \(peak\)/.exec(m[1]);
      if (pk) this.peakFromList = Number(pk[1]);
      this.msPrint = true;
      return;
    }
    if ((m = /^\s*(\d+)\s+([\d,.]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s*$/.exec(line))) {
      this.endTree();
      const s: Snapshot = { n: Number(m[1]), time: num(m[2]), heap: int(m[4]), extra: int(m[5]), stacks: int(m[6]), tree: 'empty' };
      this.snapshots.push(s);
      this.lastRowSnap = s;
      return;
    }
    if ((m = /^(\d+(?:\.\d+)?)% \(([\d,]+)B\) (.*)$/.exec(line)) && this.lastRowSnap) {
      this.endTree();
      const s = this.lastRowSnap;
      s.tree = this.peakFromList === s.n ? 'peak' : 'detailed';
      this.building = { snap: s, root: null, stack: [] };
      this.addNode(0, int(m[2]) ?? 0, m[3].trim());
      return;
    }
    if ((m = /^([ |]*)->(\d+(?:\.\d+)?)% \(([\d,]+)B\) (.*)$/.exec(line)) && this.building) {
      this.addNode(m[1].length / 2 + 1, int(m[3]) ?? 0, m[4].trim());
      return;
    }
    if (/^-{20,}/.test(line)) this.endTree();
  }

  private addNode(depth: number, bytes: number, text: string): void {
    const b = this.building!;
    const node: TreeNode = { bytes, text, children: [] };
    if (depth === 0 || !b.root) {
      if (b.root) return; // a second root: ignore
      b.root = node;
      b.stack = [node];
      return;
    }
    const d = Math.min(Math.floor(depth), b.stack.length);
    const parent = b.stack[d - 1];
    parent.children.push(node);
    b.stack.length = d;
    b.stack.push(node);
  }

  private endTree(): void {
    const b = this.building;
    this.building = null;
    if (!b || !b.root) return;
    const t = { snap: b.snap, root: b.root };
    if (b.snap.tree === 'peak') this.peakTree = t;
    if (!this.bestTree || (b.snap.heap ?? b.root.bytes) >= (this.bestTree.snap.heap ?? this.bestTree.root.bytes)) this.bestTree = t;
  }

  finish(): LeakReport {
    this.endTree();
    if (this.peakFromList !== null && !this.peakTree) {
      const s = this.snapshots.find((x) => x.n === this.peakFromList);
      if (s && this.bestTree?.snap === s) this.peakTree = this.bestTree;
    }
    const warnings: string[] = [];
    const chosen = this.peakTree ?? this.bestTree;
    const sites: LeakSite[] = [];
    const top: Array<{ bytes: number; frame: LeakFrame | null; text: string; belowThresholdPlaces: string | null }> = [];
    if (chosen) {
      for (const c of chosen.root.children)
        top.push({ bytes: c.bytes, frame: nodeFrame(c.text), text: c.text, belowThresholdPlaces: BELOW.exec(c.text)?.[1] ?? null });
      // Iterative walk (a deep tree must not overflow the call stack), one shared path; a site's
      // frames are the first MAX_SITE_FRAMES of it plus the first user frame below them.
      const path: LeakFrame[] = [];
      const firstUser: number[] = []; // firstUser[i]: the first user frame in path[0..i], or -1
      const framesAt = (len: number): { frames: LeakFrame[]; omitted: number } => {
        const n = Math.min(len, MAX_SITE_FRAMES);
        const frames = path.slice(0, n);
        const u = len > 0 ? firstUser[len - 1] : -1;
        if (u >= n) frames.push(path[u]);
        return { frames, omitted: len - frames.length };
      };
      const leafSite = (bytes: number, len: number, label: string | null = null) => {
        const b = framesAt(len);
        const s = site('retained', bytes, { frames: b.frames, label });
        if (b.omitted > 0) s.framesOmitted = b.omitted;
        sites.push(s);
      };
      const stack: Array<{ node: TreeNode; depth: number; exit: boolean }> = [];
      const pushChildren = (node: TreeNode, depth: number) => {
        for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth, exit: false });
      };
      pushChildren(chosen.root, 1);
      while (stack.length > 0) {
        const { node: c, depth, exit } = stack.pop()!;
        if (exit) {
          // what the node holds beyond its children, after them (the order a recursive walk gives)
          let childSum = 0;
          for (const x of c.children) childSum += x.bytes;
          if (c.bytes > childSum) leafSite(c.bytes - childSum, depth);
          continue;
        }
        const below = BELOW.exec(c.text);
        if (below) {
          if (c.bytes > 0) leafSite(c.bytes, depth - 1, `in ${below[1]} place${below[1] === '1' ? '' : 's'} below massif's threshold`);
          continue;
        }
        const f = nodeFrame(c.text) ?? { function: c.text || null, file: null, line: null, object: null };
        path[depth - 1] = f;
        const above = depth > 1 ? firstUser[depth - 2] : -1;
        firstUser[depth - 1] = above >= 0 ? above : isUserCandidate(f) ? depth - 1 : -1;
        if (c.children.length === 0) {
          if (c.bytes > 0) leafSite(c.bytes, depth);
        } else {
          stack.push({ node: c, depth, exit: true });
          pushChildren(c, depth + 1);
        }
      }
    } else {
      warnings.push(this.snapshots.length === 0 ? 'no massif snapshots found' : 'no detailed massif snapshot (heap_tree=detailed/peak): no allocation sites');
    }
    const summary = emptyLeakSummary();
    let max: Snapshot | null = null;
    for (const s of this.snapshots) if (s.heap !== null && (!max || s.heap > (max.heap ?? -1))) max = s;
    summary.peakBytes = max?.heap ?? null;
    if (chosen) {
      summary.liveBytes = chosen.snap.heap ?? chosen.root.bytes;
      if (max && chosen.snap !== max && (max.heap ?? 0) > (chosen.snap.heap ?? 0)) {
        warnings.push(
          `sites are from snapshot ${chosen.snap.n} (${chosen.snap.tree}, ${chosen.snap.heap} B); ` +
            `the largest heap is snapshot ${max.n} (${max.heap} B), which has no detailed tree`,
        );
      }
      if (!this.peakTree) warnings.push(`no snapshot is marked peak: sites are from the largest detailed snapshot (${chosen.snap.n})`);
    }
    const snapInfo = (s: Snapshot | null | undefined) =>
      s ? { index: s.n, time: s.time, heapBytes: s.heap, extraBytes: s.extra, stacksBytes: s.stacks } : null;
    return {
      tool: 'valgrind-massif',
      toolVersion: null,
      pid: null,
      command: this.cmd,
      summary,
      sites: sortSites(sites),
      warnings,
      details: {
        format: this.msPrint ? 'ms_print' : 'massif.out',
        desc: this.desc,
        massifArguments: this.massifArgs,
        timeUnit: this.timeUnit,
        snapshotCount: this.snapshots.length,
        snapshots: this.snapshots.slice(0, 1000).map((s) => ({ ...snapInfo(s), tree: s.tree })),
        sitesSnapshot: snapInfo(chosen?.snap),
        peakSnapshot: snapInfo(this.peakTree?.snap ?? this.snapshots.find((s) => s.n === this.peakFromList)),
        maxSnapshot: snapInfo(max),
        root: chosen ? { bytes: chosen.root.bytes, label: chosen.root.text, children: chosen.root.children.length } : null,
        topLevel: top,
      },
    };
  }
}

export function parseMassif(text: string): LeakReport {
  const p = new MassifParser();
  for (const l of text.split('\n')) p.push(l);
  return p.finish();
}
