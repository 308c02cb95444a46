// The timeline's data, built from a report: one time axis for system memory, process lines,
// cgroup usage, PSI and OOM kill markers. Pure (no DOM), so it is unit-tested in Node and shared
// by the panel and the HTML report. Values stay in typed arrays; charts get decimated copies.
import { maxOf, minOf } from '../../src/core/model/numbers';
import type { Report } from '../../src/core/model/report';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { eventVictimRssKb, eventWhere, eventWhat } from '../../src/core/report/eventsText';

export type SeriesGroup = 'system' | 'process' | 'cgroup' | 'psi';

export interface Series {
  id: string;
  label: string;
  group: SeriesGroup;
  /** kB (or % for PSI); NaN where unknown (gaps break the line). */
  y: Float64Array;
  pid?: number;
  suspect?: boolean;
  /** A palette slot, so colours stay stable across redraws. */
  colorIndex: number;
}

export interface KillMark {
  x: number;
  eventIndex: number;
  label: string;
  victimPid: number | null;
  rssKb: number | null;
  trigger: string | null;
  where: string;
  what: string;
}

export interface LimitLine {
  label: string;
  yKb: number;
}

export interface TimelineModel {
  /** Epoch ms per point, ascending. */
  t: Float64Array;
  series: Series[];
  kills: KillMark[];
  limits: LimitLine[];
  /** The x range that shows every sample and every kill. */
  range: [number, number];
  /** What to show first: the sampled window when older kills would squeeze it into a sliver. */
  initialView: [number, number];
  /** Kills outside the initial view (reachable with "Show all"). */
  killsOutsideView: number;
}

const MAX_PROCESS_LINES = 10;
const TOP_BY_SIZE = 6;

function toF64(a: (number | null)[] | undefined, n: number): Float64Array {
  const out = new Float64Array(n).fill(NaN);
  if (!a) return out;
  for (let i = 0; i < n && i < a.length; i++) {
    const v = a[i];
    if (v !== null && v !== undefined) out[i] = v;
  }
  return out;
}

export function killMarks(events: OomEvent[]): KillMark[] {
  const out: KillMark[] = [];
  events.forEach((e, i) => {
    const x = e.time ? Date.parse(e.time) : NaN;
    if (!Number.isFinite(x)) return;
    out.push({
      x,
      eventIndex: i,
      label: `${e.victim?.comm ?? e.runtime?.name ?? e.containerState?.name ?? e.kind}${e.victim?.pid != null ? ` (${e.victim.pid})` : ''}`,
      victimPid: e.victim?.pid ?? null,
      rssKb: eventVictimRssKb(e),
      trigger: e.trigger ? `${e.trigger.comm ?? '?'} (${e.trigger.pid ?? '?'})` : null,
      where: eventWhere(e),
      what: eventWhat(e),
    });
  });
  return out;
}

export function timelineModel(r: Report): TimelineModel {
  const s = r.samples;
  const n = s?.t.length ?? 0;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = Date.parse(s!.t[i]);
  const series: Series[] = [];
  let color = 0;
  if (s && n > 0) {
    const total = s.memTotalKb ?? r.memory.totalKb;
    const avail = toF64(s.system.availableKb, n);
    if (total !== null) {
      const used = new Float64Array(n);
      for (let i = 0; i < n; i++) used[i] = total - avail[i];
      series.push({ id: 'sys.used', label: 'used (total − available)', group: 'system', y: used, colorIndex: color++ });
    }
    series.push({ id: 'sys.available', label: 'available', group: 'system', y: avail, colorIndex: color++ });
    if (s.system.cachedKb) series.push({ id: 'sys.cache', label: 'page cache', group: 'system', y: toF64(s.system.cachedKb, n), colorIndex: color++ });
    const swap = toF64(s.system.swapUsedKb, n);
    if (maxOf(swap) > 0) series.push({ id: 'sys.swap', label: 'swap used', group: 'system', y: swap, colorIndex: color++ });
    const suspects = new Set(r.growth.filter((g) => g.verdict === 'leak-suspect').map((g) => g.pid));
    // Then the fastest growers, then the biggest: growth is what the timeline is for.
    const fastest = r.growth
      .filter((g) => g.verdict === 'growing')
      .sort((a, b) => b.slopeKbPerMin - a.slopeKbPerMin)
      .slice(0, 4)
      .map((g) => g.pid);
    const procs = Object.entries(s.processes)
      .map(([pid, p]) => ({ pid: Number(pid), p, y: toF64(p.rssKb, n) }))
      .map((x) => ({ ...x, max: maxOf(x.y) }))
      .filter((x) => Number.isFinite(x.max));
    procs.sort((a, b) => b.max - a.max);
    const chosen = [
      ...procs.filter((x) => suspects.has(x.pid)),
      ...fastest.map((pid) => procs.find((x) => x.pid === pid)).filter((x) => x !== undefined),
      ...procs.slice(0, TOP_BY_SIZE),
    ]
      .filter((x, i, all) => all.findIndex((y) => y.pid === x.pid) === i)
      .slice(0, MAX_PROCESS_LINES);
    for (const c of chosen) {
      series.push({
        id: `proc.${c.pid}`,
        label: `${c.p.comm ?? r.processes.find((p) => p.pid === c.pid)?.comm ?? '?'} (${c.pid}) RSS`,
        group: 'process',
        y: c.y,
        pid: c.pid,
        suspect: suspects.has(c.pid),
        colorIndex: color++,
      });
    }
    // Keys are cgroup paths relative to their hierarchy (the diagnosis maps control files to them).
    for (const [rel, usage] of Object.entries(s.cgroups ?? {})) {
      series.push({ id: `cg.${rel}`, label: `cgroup ${rel} usage`, group: 'cgroup', y: toF64(usage, n), colorIndex: color++ });
    }
    if (s.system.psiSomeAvg10 && s.system.psiSomeAvg10.some((v) => v !== null)) {
      series.push({ id: 'psi.some', label: 'memory pressure (PSI some avg10, %)', group: 'psi', y: toF64(s.system.psiSomeAvg10, n), colorIndex: color });
    }
  }
  const limits: LimitLine[] = r.cgroups
    .filter((c) => c.limitKb !== null && series.some((x) => x.id === `cg.${c.path}`))
    .map((c) => ({ label: `limit of ${c.path}`, yKb: c.limitKb! }));
  const kills = killMarks(r.events);
  const xs = [...(n ? [t[0], t[n - 1]] : []), ...kills.map((k) => k.x), Date.parse(r.takenAt)].filter(Number.isFinite);
  let lo = minOf(xs);
  let hi = maxOf(xs);
  if (!(hi > lo)) {
    lo -= 60_000;
    hi += 60_000;
  }
  const pad = (hi - lo) * 0.02;
  const range: [number, number] = [lo - pad, hi + pad];
  let initialView = range;
  if (n >= 2) {
    const s0 = t[0];
    const s1 = Math.max(t[n - 1], Date.parse(r.takenAt) || t[n - 1]);
    if ((s1 - s0) / (range[1] - range[0]) < 0.25) {
      const p = Math.max((s1 - s0) * 0.03, 1000);
      initialView = [s0 - p, s1 + p];
    }
  }
  const killsOutsideView = kills.filter((k) => k.x < initialView[0] || k.x > initialView[1]).length;
  return { t, series, kills, limits, range, initialView, killsOutsideView };
}

/**
 * Min/max decimation of one series to about `buckets` buckets over [x0, x1]: keeps every spike
 * (unlike averaging) and keeps gaps (a bucket with only unknown values gives a null point).
 * Points just outside the range are kept so lines run to the edges.
 */
export function decimate(t: Float64Array, y: Float64Array, x0: number, x1: number, buckets: number): { x: number; y: number | null }[] {
  const n = t.length;
  // Binary search of the visible window, one point beyond each edge.
  let a = 0,
    b = n;
  while (a < b) {
    const m = (a + b) >> 1;
    if (t[m] < x0) a = m + 1;
    else b = m;
  }
  const lo = Math.max(0, a - 1);
  a = lo;
  b = n;
  while (a < b) {
    const m = (a + b) >> 1;
    if (t[m] <= x1) a = m + 1;
    else b = m;
  }
  const hi = Math.min(n, a + 1);
  const count = hi - lo;
  const out: { x: number; y: number | null }[] = [];
  if (count <= buckets * 2) {
    for (let i = lo; i < hi; i++) out.push({ x: t[i], y: Number.isNaN(y[i]) ? null : y[i] });
    return out;
  }
  const per = count / buckets;
  for (let bkt = 0; bkt < buckets; bkt++) {
    const from = lo + Math.floor(bkt * per);
    const to = Math.min(hi, lo + Math.floor((bkt + 1) * per));
    let minI = -1,
      maxI = -1;
    let sawGap = false;
    for (let i = from; i < to; i++) {
      const v = y[i];
      if (Number.isNaN(v)) {
        sawGap = true;
        continue;
      }
      if (minI < 0 || v < y[minI]) minI = i;
      if (maxI < 0 || v > y[maxI]) maxI = i;
    }
    if (minI < 0) {
      out.push({ x: t[from], y: null });
      continue;
    }
    if (sawGap && out.length && out[out.length - 1].y !== null) out.push({ x: t[from], y: null });
    if (minI === maxI) out.push({ x: t[minI], y: y[minI] });
    else if (minI < maxI) {
      out.push({ x: t[minI], y: y[minI] });
      out.push({ x: t[maxI], y: y[maxI] });
    } else {
      out.push({ x: t[maxI], y: y[maxI] });
      out.push({ x: t[minI], y: y[minI] });
    }
  }
  return out;
}

/** Growth of each process series over [x0, x1]: first and last known values inside the range. */
export function growthOverRange(
  m: TimelineModel,
  x0: number,
  x1: number,
): { id: string; label: string; pid?: number; fromKb: number; toKb: number; deltaKb: number; perMinKb: number }[] {
  const out = [];
  for (const s of m.series) {
    if (s.group !== 'process' && s.group !== 'cgroup' && s.id !== 'sys.used') continue;
    let first = -1,
      last = -1;
    for (let i = 0; i < m.t.length; i++) {
      if (m.t[i] < x0 || m.t[i] > x1 || Number.isNaN(s.y[i])) continue;
      if (first < 0) first = i;
      last = i;
    }
    if (first < 0 || last === first) continue;
    const minutes = (m.t[last] - m.t[first]) / 60_000;
    const delta = s.y[last] - s.y[first];
    out.push({ id: s.id, label: s.label, pid: s.pid, fromKb: s.y[first], toKb: s.y[last], deltaKb: delta, perMinKb: minutes > 0 ? delta / minutes : 0 });
  }
  return out.sort((a, b) => b.deltaKb - a.deltaKb);
}
