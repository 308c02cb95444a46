// Growth of every sampled process, kept up to date frame by frame without re-analysing all of them:
// a series is fitted again only when it moved, when its verdict is not "steady", or every so many
// frames. Verdicts then get hysteresis, so what a user reads does not flap from one sample to the
// next: a leak suspect stays one for a while after its growth pauses, and then becomes "grew N,
// now flat at X" (a finding of its own) instead of vanishing. A process needs a few samples and
// seconds before it has a rate at all ("too new").
import type { CgroupInfo } from '../model/report';
import type { ProcSeries, SeriesStore } from '../collect/seriesStore';
import { analyzeGrowth, type GrowthDetail, type GrowthOptions, type LiveGrowth } from '../analyze/growth';

export type { LiveGrowth } from '../analyze/growth';
import type { ProcessSeries, SystemSeries } from '../analyze/series';

export interface HoldOptions {
  /** Samples a process needs before it has a growth rate (default 5). */
  minSamples: number;
  /** Seconds it needs (default 10). */
  minSeconds: number;
  /** A leak suspect stays one this long after its growth pauses (default 60 s). */
  suspectHoldMs: number;
  /** A steady series is fitted again every this many frames (default 60). */
  refitEveryFrames: number;
}

export const HOLD_DEFAULTS: HoldOptions = { minSamples: 5, minSeconds: 10, suspectHoldMs: 60_000, refitEveryFrames: 60 };

interface Track {
  fit: GrowthDetail;
  fittedAtFrame: number;
  fittedValue: number;
  /** The last fit that said leak-suspect, and when (epoch ms). */
  suspect: GrowthDetail | null;
  lastSuspectAt: number | null;
  /** The basis value when it first became a suspect. */
  suspectFromKb: number | null;
}

/** The basis value of a series at its last point: anonymous RSS + swap (what the verdicts use). */
function lastBasis(s: ProcSeries): number | null {
  const i = s.lastSeen;
  const anon = s.rssAnonKb[i];
  const v = anon ?? s.rssKb[i];
  if (v == null) return null;
  return v + (anon != null ? (s.swapKb[i] ?? 0) : 0);
}

/** Valid samples of a young series and the seconds they span (counted from its end: it is young). */
function validSpan(s: ProcSeries, t: number[]): { n: number; seconds: number } {
  let n = 0;
  let first = -1;
  for (let i = Math.min(s.lastSeen, s.rssKb.length - 1); i >= 0; i--) {
    if (s.rssKb[i] == null) {
      if (first >= 0 && s.rssKb[i - 1] == null) break;
      continue;
    }
    first = i;
    n++;
  }
  return { n, seconds: first < 0 ? 0 : (t[s.lastSeen] - t[first]) / 1000 };
}

export class GrowthTracker {
  private readonly tracks = new Map<string, Track>();
  private frames = 0;
  private lastLength = 0;
  readonly hold: HoldOptions;
  /** Fits done in the last update (for the cost bench). */
  lastFits = 0;

  constructor(
    hold: Partial<HoldOptions> = {},
    private readonly growthOpts: GrowthOptions = {},
  ) {
    this.hold = { ...HOLD_DEFAULTS, ...hold };
  }

  /** The host series as analysis input: views on the store's arrays (no copies). */
  static systemView(store: SeriesStore): SystemSeries {
    const sys = store.system;
    return {
      t: store.t,
      availableKb: sys.availableKb,
      swapFreeKb: sys.swapFreeKb,
      slabUnreclaimKb: sys.slabUnreclaimKb,
      shmemKb: sys.shmemKb,
    };
  }

  /**
   * Fits what needs it after a new frame. `running` are the series seen in the last frame;
   * `exited` the ones that just went (fitted one last time). Returns the keys of the too-new ones.
   */
  update(store: SeriesStore, running: ProcSeries[], exited: ProcSeries[], cgroupOf: (key: string) => string | null, cgroups: CgroupInfo[]): Set<string> {
    this.frames++;
    // A compaction halves old resolution: every cached fit is stale.
    const compacted = store.length < this.lastLength;
    this.lastLength = store.length;
    const tooNew = new Set<string>();
    const todo: ProcSeries[] = [];
    for (const s of running) {
      // Old enough once is old enough for good: only series without a fit yet are counted.
      if (!this.tracks.has(s.key)) {
        const span = validSpan(s, store.t);
        if (span.n < this.hold.minSamples || span.seconds < this.hold.minSeconds) {
          tooNew.add(s.key);
          continue;
        }
      }
      if (compacted || this.needsFit(s)) todo.push(s);
    }
    for (const s of exited) if (this.tracks.has(s.key)) todo.push(s);
    this.lastFits = todo.length;
    if (todo.length === 0) return tooNew;
    const views: ProcessSeries[] = todo.map((s) => ({
      pid: s.pid,
      comm: s.comm,
      start: s.start,
      cgroup: cgroupOf(s.key),
      rssKb: s.rssKb,
      rssAnonKb: s.rssAnonKb,
      pssKb: s.pssKb,
      swapKb: s.swapKb,
    }));
    const byKey = new Map(todo.map((s) => [`${s.pid}@${s.start ?? ''}`, s]));
    const fits = analyzeGrowth(views, GrowthTracker.systemView(store), { ...this.growthOpts, cgroups });
    for (const g of fits) {
      const s = byKey.get(`${g.pid}@${g.start ?? ''}`);
      if (!s) continue;
      this.record(s, g, store.t[s.lastSeen]);
    }
    return tooNew;
  }

  private needsFit(s: ProcSeries): boolean {
    const tr = this.tracks.get(s.key);
    if (!tr) return true;
    // Spread the periodic refits over the frames (by pid), not all 500 on the same one.
    if (this.frames - tr.fittedAtFrame >= this.hold.refitEveryFrames && (this.frames + s.pid) % this.hold.refitEveryFrames === 0) return true;
    if (this.frames - tr.fittedAtFrame >= 2 * this.hold.refitEveryFrames) return true;
    // Anything not plainly steady is followed every frame: its rate and projection must stay current.
    if (tr.fit.verdict !== 'steady' || tr.lastSuspectAt !== null) return true;
    const v = lastBasis(s);
    return v !== null && Math.abs(v - tr.fittedValue) >= Math.max(256, 0.005 * tr.fittedValue);
  }

  private record(s: ProcSeries, g: GrowthDetail, tMs: number): void {
    const prev = this.tracks.get(s.key);
    const tr: Track = prev ?? { fit: g, fittedAtFrame: 0, fittedValue: 0, suspect: null, lastSuspectAt: null, suspectFromKb: null };
    tr.fit = g;
    tr.fittedAtFrame = this.frames;
    tr.fittedValue = lastBasis(s) ?? 0;
    if (g.verdict === 'leak-suspect') {
      tr.suspect = g;
      tr.lastSuspectAt = tMs;
      tr.suspectFromKb ??= g.firstKb;
    }
    this.tracks.set(s.key, tr);
  }

  /** The growth of one identity as the user should read it now (hysteresis applied), or null. */
  growthOf(key: string, nowMs: number): LiveGrowth | null {
    const tr = this.tracks.get(key);
    if (!tr) return null;
    const g = tr.fit;
    if (g.verdict === 'leak-suspect' || tr.lastSuspectAt === null || !tr.suspect) return g;
    const since = nowMs - tr.lastSuspectAt;
    if (since < this.hold.suspectHoldMs && g.running) {
      // Paused, not over: still the suspect it was, with the size it has now.
      return {
        ...tr.suspect,
        lastKb: g.lastKb,
        running: g.running,
        held: true,
        reason: `growth paused ${Math.round(since / 1000)} s ago; before that: ${tr.suspect.reason}`,
      };
    }
    if (g.verdict === 'growing') return g;
    const fromKb = tr.suspectFromKb ?? tr.suspect.firstKb;
    return {
      ...g,
      plateau: { grewKb: Math.max(0, g.lastKb - fromKb), fromKb, nowKb: g.lastKb, flatSince: new Date(tr.lastSuspectAt).toISOString() },
      reason: `grew from ${fromKb} kB as a leak suspect, flat since ${new Date(tr.lastSuspectAt).toISOString()}; ${g.reason}`,
    };
  }

  /** Forgets identities the store no longer holds (bounded memory over a long session). */
  prune(keep: (key: string) => boolean): void {
    for (const k of this.tracks.keys()) if (!keep(k)) this.tracks.delete(k);
  }

  get size(): number {
    return this.tracks.size;
  }
}
