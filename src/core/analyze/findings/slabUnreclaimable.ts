// slab-unreclaimable: kernel memory that cannot be reclaimed (SUnreclaim) is a large part of RAM
// (> 10 % warning, > 25 % critical), or grows steadily over the samples: a kernel-side leak
// (drivers, netfilter, leaked objects); drop_caches does not free it.
import { formatKb, formatPercent } from '../../format';
import type { Finding } from '../../model/report';
import { theilSen } from '../stats';
import { type FindingContext } from './context';

export const WARN_FRACTION = 0.1;
export const CRITICAL_FRACTION = 0.25;

function trendOf(ctx: FindingContext): { slopeKbPerMin: number; r2: number; changeKb: number; minutes: number } | null {
  const s = ctx.system;
  if (!s?.slabUnreclaimKb) return null;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < s.t.length; i++) {
    const v = s.slabUnreclaimKb[i];
    if (v != null && Number.isFinite(v) && Number.isFinite(s.t[i]) && (x.length === 0 || s.t[i] >= x[x.length - 1] * 60_000)) {
      x.push(s.t[i] / 60_000);
      y.push(v);
    }
  }
  if (x.length < 10) return null;
  const x0 = x[0];
  const fit = theilSen(
    Float64Array.from(x, (v) => v - x0),
    Float64Array.from(y),
    x.length,
  );
  const minutes = x[x.length - 1] - x0;
  return { slopeKbPerMin: fit.slope, r2: fit.r2, changeKb: fit.slope * minutes, minutes };
}

export function slabUnreclaimable(ctx: FindingContext): Finding[] {
  const m = ctx.report.memory;
  if (m.slabUnreclaimKb == null || !m.totalKb) return [];
  const f = m.slabUnreclaimKb / m.totalKb;
  const trend = trendOf(ctx);
  const growing = trend !== null && trend.r2 >= 0.8 && trend.changeKb > Math.max(0.05 * m.slabUnreclaimKb, 10 * 1024) && m.slabUnreclaimKb > 0.03 * m.totalKb;
  if (f <= WARN_FRACTION && !growing) return [];
  return [
    {
      id: 'slab-unreclaimable',
      severity: f > CRITICAL_FRACTION ? 'critical' : 'warning',
      title: `Unreclaimable kernel slab is ${formatKb(m.slabUnreclaimKb)} (${formatPercent(m.slabUnreclaimKb, m.totalKb)} of RAM)${growing ? `, growing ${formatKb(trend!.slopeKbPerMin)}/min` : ''}`,
      detail:
        'SUnreclaim is kernel memory (slab caches) the kernel cannot give back under pressure, and no process RSS shows it. A large or growing amount means a kernel-side leak or runaway kernel objects (a driver, netfilter conntrack, leaked sockets or inodes). drop_caches only frees the reclaimable part. Look at the largest caches, and keep the kernel updated: such leaks are often fixed in updates.',
      pids: [],
      evidence: { slabUnreclaimKb: m.slabUnreclaimKb, totalKb: m.totalKb, percent: Math.round(f * 1000) / 10, trend },
      remedies: [
        { title: 'See which slab caches are largest (root)', commands: ['sudo slabtop -o -s c | head -20', 'sudo cat /proc/slabinfo'], changesHost: false },
        { title: 'Check the kernel version against known slab leaks', commands: ['uname -r'], changesHost: false },
      ],
    },
  ];
}
