// The drill-down of one fleet host: its memory, swap and pressure over the window from Prometheus
// range queries, and its OOM kills where the kernel's counter rose. Plain arrays on one time axis,
// in the units the panel's timeline draws (kB, % of time), so the webview needs no PromQL.
import type { MetricsSource, QueryOptions, SeriesPoints } from '../source/source';
import type { HostKill, HostSeries } from '../model/hostSeries';

export type { HostKill, HostSeries };

/** A PromQL string literal: backslash, quote and control characters escaped (an instance is user data). */
export function promString(v: string): string {
  return `"${v.replace(/[\\"\n\r\t]/g, (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)}"`;
}

/** At most ~300 points: a step of whole seconds, whole minutes once above one. */
export function stepFor(windowMs: number, maxPoints = 300): number {
  const s = Math.max(15, Math.ceil(windowMs / 1000 / (maxPoints - 1)));
  return s > 60 ? Math.ceil(s / 60) * 60 : s;
}

export function hostSeriesQueries(instance: string, stepSeconds: number) {
  const sel = `{instance=${promString(instance)}}`;
  // rate() needs at least two samples in its range: two steps, and never under 5 min.
  const R = `${Math.max(300, 2 * stepSeconds)}s`;
  return {
    total: `max(node_memory_MemTotal_bytes${sel})`,
    available: `max(node_memory_MemAvailable_bytes${sel})`,
    swapUsed: `max(node_memory_SwapTotal_bytes${sel} - node_memory_SwapFree_bytes${sel})`,
    psiSome: `max(rate(node_pressure_memory_waiting_seconds_total${sel}[${R}])) * 100`,
    psiFull: `max(rate(node_pressure_memory_stalled_seconds_total${sel}[${R}])) * 100`,
    kills: `max(node_vmstat_oom_kill${sel})`,
  };
}

/**
 * Kills from the counter's points: each rise is that many kills at that point. A drop is a reset
 * (a reboot): the count starts again from 0, so a value after it counts only if it rose from 0.
 */
export function killsFromCounter(points: [number, number][]): HostKill[] {
  const out: HostKill[] = [];
  for (let i = 1; i < points.length; i++) {
    const [t, v] = points[i];
    const prev = points[i - 1][1];
    const rise = v >= prev ? v - prev : v;
    if (rise > 0 && Number.isFinite(rise)) out.push({ timeMs: t, count: Math.round(rise) });
  }
  return out;
}

export async function hostSeries(
  src: MetricsSource,
  o: { instance: string; startMs: number; endMs: number; stepSeconds?: number } & QueryOptions,
): Promise<HostSeries> {
  const step = o.stepSeconds ?? stepFor(o.endMs - o.startMs);
  // Points on whole steps, so every query answers on the same axis.
  const start = Math.ceil(o.startMs / 1000 / step) * step * 1000;
  const end = Math.floor(o.endMs / 1000 / step) * step * 1000;
  const q = hostSeriesQueries(o.instance, step);
  const opts = { signal: o.signal, timeoutMs: o.timeoutMs };
  const range = (promql: string) => src.queryRange(promql, start, end, step, opts);
  const [total, avail, swap, some, full, kills] = await Promise.all([
    range(q.total),
    range(q.available),
    range(q.swapUsed),
    range(q.psiSome),
    range(q.psiFull),
    // One step earlier: a rise at the window's first point needs the value before it.
    src.queryRange(q.kills, start - step * 1000, end, step, opts),
  ]);
  const t: number[] = [];
  for (let x = start; x <= end; x += step * 1000) t.push(x);
  const index = new Map(t.map((x, i) => [x, i]));
  const onAxis = (r: SeriesPoints[], scale = 1): (number | null)[] | null => {
    if (!r.length || !r[0].points.length) return null;
    const out: (number | null)[] = new Array(t.length).fill(null);
    for (const [x, v] of r[0].points) {
      const i = index.get(x);
      if (i !== undefined && Number.isFinite(v)) out[i] = v * scale;
    }
    return out;
  };
  const kb = 1 / 1024;
  const totalKb = onAxis(total, kb);
  const availableKb = onAxis(avail, kb);
  const swapKb = onAxis(swap, kb);
  const somePct = onAxis(some);
  const fullPct = onAxis(full);
  const absent: string[] = [];
  if (!availableKb) absent.push('MemAvailable');
  if (!totalKb) absent.push('MemTotal');
  if (!swapKb) absent.push('swap');
  if (!somePct && !fullPct) absent.push('PSI');
  if (!kills.length || !kills[0].points.length) absent.push('OOM kill counter');
  const none = () => new Array<number | null>(t.length).fill(null);
  const lastTotal = totalKb ? ([...totalKb].reverse().find((v) => v !== null) ?? null) : null;
  return {
    version: 1,
    instance: o.instance,
    startMs: start,
    endMs: end,
    stepSeconds: step,
    t,
    memTotalKb: lastTotal,
    usedKb: availableKb && totalKb ? availableKb.map((a, i) => (a === null || totalKb[i] === null ? null : totalKb[i]! - a)) : none(),
    availableKb: availableKb ?? none(),
    swapUsedKb: swapKb ?? none(),
    psiSomePct: somePct ?? none(),
    psiFullPct: fullPct ?? none(),
    kills: kills.length ? killsFromCounter(kills[0].points).filter((k) => k.timeMs >= start) : [],
    absent,
  };
}
