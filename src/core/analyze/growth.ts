// Growth over time per process: a robust trend (Theil–Sen), its fit quality, a verdict and the
// projected time to OOM. Pure; never throws on odd input (gaps, NaN, 0/1/2 samples, huge series).
//
// Trend: Theil–Sen slope (median of pairwise slopes) with time in minutes as x, so gaps and uneven
// intervals are handled by the timestamps. Series longer than maxFitPoints (64) are first reduced to
// bucket medians (equal-count buckets, median time and median value each): the pairwise step stays
// O(64²) and the whole analysis O(n log n) per process (500 processes × 3600 samples ≈ 0.2–0.3 s).
// Fit quality: r² of the Theil–Sen line on the points it was fitted on (bucket medians for long
// series), clamped to [0, 1]; a constant series has r² 0. The last third (by time) is fitted again
// to tell "still growing" from "grew, then plateaued".
// Projected OOM: the basis slope against MemAvailable + SwapFree at the end of the window, and
// against (limit − usage) of the process's nearest limited cgroup (itself or an ancestor);
// projectedOomAt is the earlier one, only for running processes that grow (leak-suspect/growing).
//
// Verdicts (on the "basis" series: anonymous RSS (+ swap) when sampled, else PSS, else RSS, so that
// page cache mapped by a process never looks like a leak):
//   leak-suspect  grows steadily: r² ≥ minR2, growth over the window ≥ minRelChange of its size and
//                 ≥ minChangeKb, slope ≥ minSlopeKbPerMin, ≥ minSamples samples over ≥ minDurationMs,
//                 AND still growing in the last third of the window (recent slope ≥ recentMinRatio ×
//                 overall slope).
//   growing       a significant rise that is not (yet) a leak suspect: too few samples, too short, too
//                 noisy, or slowing down.
//   steady        no significant change, or grew and then plateaued (the last third is flat).
//   shrinking     a significant fall.
// "Significant" = |change over the window| ≥ minRelChange × size and ≥ minChangeKb, |slope| ≥
// minSlopeKbPerMin, and r² ≥ minTrendR2. Every threshold except the two absolute floors is
// relative, so scaling a series by a constant does not change its verdict (with the floors at 0).
import type { CgroupInfo, Growth, Verdict } from '../model/report';
import { formatDuration, formatKb, formatRate, formatShare } from '../format';
import { bucketMedians, theilSen, type LineFit } from './stats';
import { segmentsOf, type Gap, type ProcessSeries, type SystemSeries } from './series';

export interface GrowthOptions {
  /** Samples a leak suspect needs (default 10). */
  minSamples?: number;
  /** Time span a leak suspect needs, ms (default 15 000). */
  minDurationMs?: number;
  /** Fit quality a leak suspect needs (default 0.8). */
  minR2?: number;
  /** Fit quality any growing/shrinking verdict needs (default 0.3); below it the series is noise. */
  minTrendR2?: number;
  /** Change over the window relative to the series' median size (default 0.05 = 5 %). */
  minRelChange?: number;
  /** Absolute floor for the change over the window, kB (default 1024). */
  minChangeKb?: number;
  /** Absolute floor for the slope, kB/min (default 8). */
  minSlopeKbPerMin?: number;
  /** The last third's slope must be at least this fraction of the whole window's (default 0.3). */
  recentMinRatio?: number;
  /** Points a Theil–Sen fit uses at most (longer series are bucketed by medians; default 64). */
  maxFitPoints?: number;
  /** Cgroups (with limit and usage at the end of the window) for the projected OOM against a cgroup limit. */
  cgroups?: CgroupInfo[];
  /** Samples a process may miss at the end of the window and still count as running (default 1). */
  aliveToleranceSamples?: number;
}

const DEFAULTS: Required<Omit<GrowthOptions, 'cgroups'>> = {
  minSamples: 10,
  // 15 s: a 20 s `diagnose --sample` can name a steady leaker; the recent-third check guards warm-up growth.
  minDurationMs: 15_000,
  minR2: 0.8,
  minTrendR2: 0.3,
  minRelChange: 0.05,
  minChangeKb: 1024,
  minSlopeKbPerMin: 8,
  recentMinRatio: 0.3,
  maxFitPoints: 64,
  aliveToleranceSamples: 1,
};

export type GrowthBasis = 'rssAnonKb' | 'rssAnonKb+swapKb' | 'pssKb' | 'rssKb';

/** A Growth (the report contract) plus the numbers behind its verdict. */
export interface GrowthDetail extends Growth {
  /** The series the verdict is based on. */
  basis: GrowthBasis;
  basisSlopeKbPerMin: number;
  basisR2: number;
  /** Slope of the basis over the last third of the window (null: too few samples there). */
  recentSlopeKbPerMin: number | null;
  /** Median size of the metric / basis series, kB. */
  levelKb: number;
  basisLevelKb: number;
  /** First and last sample of this process (ISO). */
  firstAt: string;
  lastAt: string;
  durationMinutes: number;
  /** Fitted change of the basis over the window, kB. */
  changeKb: number;
  /** First and last value of the metric series. */
  firstKb: number;
  lastKb: number;
  /** Still present at the end of the window (otherwise it exited: no projection). */
  running: boolean;
  /** 0 for the first process seen under this pid, 1 for the next one (pid reuse) … */
  segment: number;
  cgroup: string | null;
  /** Projection against MemAvailable + SwapFree, and against the cgroup limit (limit − usage). */
  projectedSystemOomAt: string | null;
  projectedCgroupOomAt: string | null;
  projectedBy: 'system' | 'cgroup' | null;
  headroomKb: { system: number | null; cgroup: number | null };
  /** One sentence: why this verdict. */
  reason: string;
}

/** What a leak suspect that stopped growing keeps of its history (live sessions). */
export interface Plateau {
  /** Growth while it was a suspect, kB. */
  grewKb: number;
  fromKb: number;
  nowKb: number;
  /** The last time it was still growing (ISO). */
  flatSince: string;
}

/** A GrowthDetail as a live session shows it, with the hysteresis applied (live/growthTracker.ts). */
export interface LiveGrowth extends GrowthDetail {
  /** Held as a leak suspect although the last fit says otherwise (its growth paused recently). */
  held?: boolean;
  /** It was a leak suspect, grew, and has been flat since. */
  plateau?: Plateau;
}

interface Pts {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

const MS_PER_MIN = 60_000;

// Scratch buffers for the raw points of the series being analyzed (metric and basis). Nothing
// keeps them past analyzeSegment (results are plain numbers), so one pair each is reused for every
// process instead of allocating ~60 kB per process.
const pools: Float64Array[] = [new Float64Array(4096), new Float64Array(4096), new Float64Array(4096), new Float64Array(4096)];
function pool(k: number, n: number): Float64Array {
  if (pools[k].length < n) pools[k] = new Float64Array(Math.max(n, pools[k].length * 2));
  return pools[k];
}

/** Valid (t, value) points of a[from..to] (+ plus[i] where present) into scratch pair `slot` (0 or 1). */
function collect(t: number[], from: number, to: number, x0: number, a: Gap[], plus?: Gap[], slot = 0): Pts {
  const cap = Math.max(0, to - from + 1);
  const x = pool(slot * 2, cap);
  const y = pool(slot * 2 + 1, cap);
  let n = 0;
  let lastX = -Infinity;
  for (let i = from; i <= to; i++) {
    let v = a[i];
    const ti = t[i];
    if (v == null || !Number.isFinite(v) || !Number.isFinite(ti)) continue;
    if (plus) {
      const w = plus[i];
      if (w != null && Number.isFinite(w)) v += w;
    }
    const xi = (ti - x0) / MS_PER_MIN;
    if (xi < lastX) continue; // out-of-order timestamp: skip rather than break the fit
    x[n] = xi;
    y[n] = v;
    n++;
    lastX = xi;
  }
  return { x, y, n };
}

function valueAt(a: Gap[] | undefined, i: number): number | null {
  const v = a?.[i];
  return v == null || !Number.isFinite(v) ? null : v;
}

function countValid(a: Gap[] | undefined, from: number, to: number): number {
  if (!a) return 0;
  let c = 0;
  for (let i = from; i <= to; i++) if (valueAt(a, i) !== null) c++;
  return c;
}

/** The points of the last third (by time) of pts. */
function lastThird(p: Pts): Pts {
  if (p.n === 0) return p;
  const cut = p.x[0] + ((p.x[p.n - 1] - p.x[0]) * 2) / 3;
  let k = 0;
  while (k < p.n && p.x[k] < cut) k++;
  return { x: p.x.subarray(k, p.n), y: p.y.subarray(k, p.n), n: p.n - k };
}

interface Classified {
  verdict: Verdict;
  reason: string;
}

function classify(fit: LineFit, recent: LineFit | null, recentDurMin: number, n: number, durMin: number, o: typeof DEFAULTS): Classified {
  if (n < 2 || durMin <= 0) return { verdict: 'steady', reason: 'fewer than two samples: no trend' };
  const change = fit.slope * durMin;
  const rel = fit.level > 0 ? Math.abs(change) / fit.level : change !== 0 ? Infinity : 0;
  const pct = Number.isFinite(rel) ? formatShare(rel) : 'from zero';
  if (rel < o.minRelChange || Math.abs(change) < o.minChangeKb || Math.abs(fit.slope) < o.minSlopeKbPerMin) {
    return { verdict: 'steady', reason: `changed ${formatKb(change)} (${pct}) in ${formatDuration(durMin * MS_PER_MIN)}: below the thresholds` };
  }
  if (fit.r2 < o.minTrendR2) return { verdict: 'steady', reason: `no clear trend (r² ${fit.r2.toFixed(2)}): noise around ${formatKb(fit.level)}` };
  if (fit.slope < 0) return { verdict: 'shrinking', reason: `fell ${formatKb(-change)} (${pct}) in ${formatDuration(durMin * MS_PER_MIN)}` };
  const rose = `rose ${formatKb(change)} (${pct}) in ${formatDuration(durMin * MS_PER_MIN)} at ${formatRate(fit.slope)}, r² ${fit.r2.toFixed(2)}`;
  if (recent && recent.fitPoints >= 3) {
    const recentChange = recent.slope * recentDurMin;
    const recentRel = fit.level > 0 ? recentChange / fit.level : recentChange > 0 ? Infinity : 0;
    if (recent.slope < o.recentMinRatio * fit.slope) {
      // Flat (or falling) recently: it grew, then plateaued. Warm-up, a cache filling up, a batch.
      if (recentRel < o.minRelChange / 3) return { verdict: 'steady', reason: `${rose}, then plateaued (last third ${formatRate(recent.slope)})` };
      return { verdict: 'growing', reason: `${rose}, slowing down (last third ${formatRate(recent.slope)})` };
    }
  }
  if (n < o.minSamples) return { verdict: 'growing', reason: `${rose}; only ${n} samples (a leak suspect needs ${o.minSamples})` };
  if (!recent || recent.fitPoints < 3) return { verdict: 'growing', reason: `${rose}; too few samples in the last third to tell whether it still grows` };
  if (durMin * MS_PER_MIN < o.minDurationMs)
    return { verdict: 'growing', reason: `${rose}; window too short for a leak verdict (needs ${formatDuration(o.minDurationMs)})` };
  if (fit.r2 < o.minR2) return { verdict: 'growing', reason: `${rose}; too irregular for a leak verdict (needs r² ≥ ${o.minR2})` };
  return { verdict: 'leak-suspect', reason: `${rose}, and still growing in the last third (${formatRate(recent!.slope)})` };
}

function lastValid(a: Gap[] | undefined, upTo: number): number | null {
  if (!a) return null;
  for (let i = Math.min(upTo, a.length - 1); i >= 0; i--) {
    const v = valueAt(a, i);
    if (v !== null) return v;
  }
  return null;
}

/** System headroom at the end of the window: MemAvailable + SwapFree (null when MemAvailable was never read). */
export function systemHeadroomKb(system: SystemSeries): number | null {
  const end = system.t.length - 1;
  const avail = lastValid(system.availableKb, end);
  if (avail === null) return null;
  return avail + (lastValid(system.swapFreeKb, end) ?? 0);
}

/** Smallest (limit − usage) of the cgroup and its ancestors that have a limit, or null. */
export function cgroupHeadroomKb(
  path: string | null | undefined,
  cgroups: CgroupInfo[] | undefined,
): { headroomKb: number; path: string; limitKb: number } | null {
  if (!path || !cgroups?.length) return null;
  let best: { headroomKb: number; path: string; limitKb: number } | null = null;
  for (const c of cgroups) {
    if (c.limitKb == null || c.usageKb == null) continue;
    const isAncestor = c.path === path || c.path === '/' || path.startsWith(c.path.endsWith('/') ? c.path : c.path + '/');
    if (!isAncestor) continue;
    const h = Math.max(0, c.limitKb - c.usageKb);
    if (!best || h < best.headroomKb) best = { headroomKb: h, path: c.path, limitKb: c.limitKb };
  }
  return best;
}

function iso(ms: number): string | null {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString();
}

/**
 * Growth of every process: one GrowthDetail per process identity (a reused pid gives two), with
 * ≥ 1 valid sample. Sorted by verdict (leak suspects first), then by slope.
 */
export function analyzeGrowth(series: ProcessSeries[], system: SystemSeries, opts: GrowthOptions = {}): GrowthDetail[] {
  const o = { ...DEFAULTS, ...stripUndefined(opts) } as typeof DEFAULTS;
  const t = Array.isArray(system?.t) ? system.t : [];
  const len = t.length;
  if (len === 0) return [];
  const tEnd = lastFiniteTime(t);
  const sysHeadroom = systemHeadroomKb(system);
  const out: GrowthDetail[] = [];
  for (const p of series ?? []) {
    if (!p || !Array.isArray(p.rssKb)) continue;
    for (const seg of segmentsOf(p, len)) {
      const g = analyzeSegment(p, seg.from, seg.to, seg.comm, seg.index, t, tEnd, len, sysHeadroom, o, opts.cgroups);
      if (g) out.push(g);
    }
  }
  const rank: Record<Verdict, number> = { 'leak-suspect': 0, growing: 1, shrinking: 2, steady: 3 };
  return out.sort((a, b) => rank[a.verdict] - rank[b.verdict] || b.basisSlopeKbPerMin - a.basisSlopeKbPerMin || a.pid - b.pid || a.segment - b.segment);
}

function stripUndefined<T extends object>(v: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, val] of Object.entries(v)) if (val !== undefined) (out as Record<string, unknown>)[k] = val;
  return out;
}

function lastFiniteTime(t: number[]): number {
  for (let i = t.length - 1; i >= 0; i--) if (Number.isFinite(t[i])) return t[i];
  return NaN;
}

function analyzeSegment(
  p: ProcessSeries,
  from: number,
  to: number,
  comm: string,
  segment: number,
  t: number[],
  tEnd: number,
  len: number,
  sysHeadroom: number | null,
  o: typeof DEFAULTS,
  cgroups: CgroupInfo[] | undefined,
): GrowthDetail | null {
  const rssN = countValid(p.rssKb, from, to);
  const pssN = countValid(p.pssKb, from, to);
  const anonN = countValid(p.rssAnonKb, from, to);
  const metric: 'rssKb' | 'pssKb' = pssN >= 2 && pssN * 2 >= rssN ? 'pssKb' : 'rssKb';
  const metricArr = metric === 'pssKb' ? p.pssKb! : p.rssKb;
  const best = Math.max(rssN, pssN);
  let basis: GrowthBasis;
  let basisArr: Gap[];
  let basisPlus: Gap[] | undefined;
  if (anonN >= 2 && anonN * 2 >= best) {
    const withSwap = countValid(p.swapKb, from, to) * 2 >= anonN;
    basis = withSwap ? 'rssAnonKb+swapKb' : 'rssAnonKb';
    basisArr = p.rssAnonKb!;
    basisPlus = withSwap ? p.swapKb : undefined;
  } else {
    basis = metric;
    basisArr = metricArr;
  }
  // x in minutes from the segment's first sample time (keeps the fit numerically tame)
  let x0 = NaN;
  for (let i = from; i <= to; i++)
    if (Number.isFinite(t[i])) {
      x0 = t[i];
      break;
    }
  if (!Number.isFinite(x0)) return null;
  const mPts = collect(t, from, to, x0, metricArr);
  if (mPts.n === 0) return null;
  const bPts = basis === metric ? mPts : collect(t, from, to, x0, basisArr, basisPlus, 1);
  // Long series are reduced once to bucket medians; the whole-window and last-third fits both use them.
  const mRed = bucketMedians(mPts.x, mPts.y, mPts.n, o.maxFitPoints);
  const mFit = theilSen(mRed.x, mRed.y, mRed.n, Infinity);
  const bRed = bPts === mPts ? mRed : bucketMedians(bPts.x, bPts.y, bPts.n, o.maxFitPoints);
  const bFit = bPts === mPts ? mFit : theilSen(bRed.x, bRed.y, bRed.n, Infinity);
  const rPts = lastThird(bRed);
  const rFit = rPts.n >= 2 ? theilSen(rPts.x, rPts.y, rPts.n, Infinity) : null;
  const durMin = bPts.n > 0 ? bPts.x[bPts.n - 1] - bPts.x[0] : 0;
  const recentDur = rPts.n > 0 ? rPts.x[rPts.n - 1] - rPts.x[0] : 0;
  const classified = classify(bFit, rFit, recentDur, bPts.n, durMin, o);
  const verdict = classified.verdict;
  let reason = classified.reason;
  if (basis !== metric && verdict !== 'leak-suspect') {
    // Say so when RSS grew but anonymous memory did not: page cache, not a leak.
    const mDur = mPts.n > 0 ? mPts.x[mPts.n - 1] - mPts.x[0] : 0;
    const mClass = classify(mFit, null, 0, mPts.n, mDur, o);
    if (mClass.verdict === 'growing' && verdict !== 'growing')
      reason = `${metric === 'pssKb' ? 'PSS' : 'RSS'} grows but anonymous memory does not (${reason}): file-backed pages (page cache), which the kernel can reclaim`;
  }

  const lastIdx = lastIndexWithValue(metricArr, from, to);
  const running = to >= len - 1 - o.aliveToleranceSamples && lastIdx >= len - 1 - o.aliveToleranceSamples;
  const growingNow = (verdict === 'leak-suspect' || verdict === 'growing') && bFit.slope > 0;
  const cg = cgroupHeadroomKb(p.cgroup ?? null, cgroups);
  let sysAt: number | null = null;
  let cgAt: number | null = null;
  if (running && growingNow && Number.isFinite(tEnd)) {
    if (sysHeadroom !== null) sysAt = tEnd + (sysHeadroom / bFit.slope) * MS_PER_MIN;
    if (cg) cgAt = tEnd + (cg.headroomKb / bFit.slope) * MS_PER_MIN;
  }
  const projectedBy = sysAt === null && cgAt === null ? null : cgAt !== null && (sysAt === null || cgAt <= sysAt) ? 'cgroup' : 'system';
  const projected = projectedBy === 'cgroup' ? cgAt : projectedBy === 'system' ? sysAt : null;

  const firstKb = mPts.y[0];
  const lastKb = mPts.y[mPts.n - 1];
  return {
    pid: p.pid,
    comm,
    metric,
    slopeKbPerMin: round(mFit.slope, 3),
    r2: round(mFit.r2, 4),
    samples: mPts.n,
    projectedOomAt: projected === null ? null : iso(projected),
    verdict,
    start: p.start ?? null,
    basis,
    basisSlopeKbPerMin: round(bFit.slope, 3),
    basisR2: round(bFit.r2, 4),
    recentSlopeKbPerMin: rFit && rFit.fitPoints >= 3 ? round(rFit.slope, 3) : null,
    levelKb: round(mFit.level, 1),
    basisLevelKb: round(bFit.level, 1),
    firstAt: iso(x0) ?? '',
    lastAt: iso(x0 + mPts.x[mPts.n - 1] * MS_PER_MIN) ?? '',
    durationMinutes: round(durMin, 3),
    changeKb: round(bFit.slope * durMin, 1),
    firstKb,
    lastKb,
    running,
    segment,
    cgroup: p.cgroup ?? null,
    projectedSystemOomAt: sysAt === null ? null : iso(sysAt),
    projectedCgroupOomAt: cgAt === null ? null : iso(cgAt),
    projectedBy,
    headroomKb: { system: sysHeadroom, cgroup: cg ? cg.headroomKb : null },
    reason,
  };
}

function lastIndexWithValue(a: Gap[], from: number, to: number): number {
  for (let i = to; i >= from; i--) if (valueAt(a, i) !== null) return i;
  return -1;
}

function round(v: number, digits: number): number {
  if (!Number.isFinite(v)) return 0;
  const f = 10 ** digits;
  const r = Math.round(v * f) / f;
  return Number.isFinite(r) ? r : v;
}

export interface SystemTrend {
  /** Trend of MemAvailable + SwapFree, kB/min (negative: memory is being used up). */
  slopeKbPerMin: number;
  r2: number;
  samples: number;
  headroomKb: number | null;
  /** When the headroom reaches 0 at this rate, if it falls steadily (r² ≥ minTrendR2). */
  projectedOomAt: string | null;
}

/** The host's own trend: MemAvailable + SwapFree over the window, projected to zero when it falls. */
export function analyzeSystemTrend(system: SystemSeries, opts: GrowthOptions = {}): SystemTrend {
  const o = { ...DEFAULTS, ...stripUndefined(opts) } as typeof DEFAULTS;
  const t = Array.isArray(system?.t) ? system.t : [];
  const x0 = t.find((v) => Number.isFinite(v));
  const headroom = systemHeadroomKb(system);
  if (x0 === undefined || t.length === 0) return { slopeKbPerMin: 0, r2: 0, samples: 0, headroomKb: headroom, projectedOomAt: null };
  const swapKnown = (system.swapFreeKb ?? []).some((v) => v != null);
  const combined: Gap[] = t.map((_, i) => {
    const a = valueAt(system.availableKb, i);
    if (a === null) return null;
    if (!swapKnown) return a;
    const s = valueAt(system.swapFreeKb, i);
    return s === null ? null : a + s;
  });
  const pts = collect(t, 0, t.length - 1, x0, combined);
  const fit = theilSen(pts.x, pts.y, pts.n, o.maxFitPoints);
  const tEnd = lastFiniteTime(t);
  const dur = pts.n > 1 ? pts.x[pts.n - 1] - pts.x[0] : 0;
  const falling = fit.slope < 0 && fit.r2 >= o.minTrendR2 && pts.n >= 3 && Math.abs(fit.slope * dur) >= o.minChangeKb;
  return {
    slopeKbPerMin: round(fit.slope, 3),
    r2: round(fit.r2, 4),
    samples: pts.n,
    headroomKb: headroom,
    projectedOomAt: falling && headroom !== null ? iso(tEnd + (headroom / -fit.slope) * MS_PER_MIN) : null,
  };
}
