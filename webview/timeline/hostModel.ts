// A fleet host's drill-down (HostSeries from Prometheus) as the timeline's model: the same chart as
// a diagnosed host's, with system lines, PSI on its own axis and the kill counter's rises as kill
// markers ("✖ 2 OOM kills"). Pure, like model.ts.
import type { HostSeries } from '../../src/core/model/hostSeries';
import { plural } from '../../src/core/format';
import type { KillMark, Series, TimelineModel } from './model';

const f64 = (a: (number | null)[]) => Float64Array.from(a, (v) => (v === null ? NaN : v));
const any = (a: (number | null)[], min = -Infinity) => a.some((v) => v !== null && v > min);

export function hostTimelineModel(hs: HostSeries): TimelineModel {
  const t = Float64Array.from(hs.t);
  const series: Series[] = [];
  let color = 0;
  if (any(hs.usedKb)) series.push({ id: 'sys.used', label: 'used (total − available)', group: 'system', y: f64(hs.usedKb), colorIndex: color++ });
  if (any(hs.availableKb)) series.push({ id: 'sys.available', label: 'available', group: 'system', y: f64(hs.availableKb), colorIndex: color++ });
  if (any(hs.swapUsedKb, 0)) series.push({ id: 'sys.swap', label: 'swap used', group: 'system', y: f64(hs.swapUsedKb), colorIndex: color++ });
  if (any(hs.psiSomePct)) series.push({ id: 'psi.some', label: 'memory pressure (PSI some, %)', group: 'psi', y: f64(hs.psiSomePct), colorIndex: color++ });
  if (any(hs.psiFullPct)) series.push({ id: 'psi.full', label: 'memory pressure (PSI full, %)', group: 'psi', y: f64(hs.psiFullPct), colorIndex: color });
  const kills: KillMark[] = hs.kills.map((k, i) => ({
    x: k.timeMs,
    eventIndex: i,
    label: plural(k.count, 'OOM kill'),
    victimPid: null,
    rssKb: null,
    trigger: null,
    where: hs.instance,
    what: 'node_vmstat_oom_kill rose',
  }));
  const lo = Math.min(hs.startMs, ...kills.map((k) => k.x));
  const hi = Math.max(hs.endMs, ...kills.map((k) => k.x), lo + 60_000);
  const pad = (hi - lo) * 0.02;
  const range: [number, number] = [lo - pad, hi + pad];
  return { t, series, kills, limits: [], range, initialView: range, killsOutsideView: 0 };
}
