// low-available: MemAvailable < 15 % of MemTotal (warning), < 10 % (critical) — the guide's alert
// thresholds for node_memory_MemAvailable_bytes.
import { formatKb, formatPercent } from '../../format';
import type { Finding, Remedy } from '../../model/report';
import { analyzeSystemTrend } from '../growth';
import { type FindingContext, availableFraction, growthOf, userProcesses } from './context';
import { addSwapFile, dropCaches, killProcess, lookAtMemory } from './remedies';
import { isCriticalService } from './criticalUnprotected';

export const WARN_FRACTION = 0.15;
export const CRITICAL_FRACTION = 0.1;

export function lowAvailable(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const m = r.memory;
  const f = availableFraction(r);
  if (f === null || f >= WARN_FRACTION) return [];
  const total = m.totalKb as number;
  const procs = userProcesses(r);
  const size = (p: (typeof procs)[number]) => p.pssKb ?? p.rssKb ?? 0;
  const top = [...procs].sort((a, b) => size(b) - size(a)).slice(0, 5);
  const hog = top.find((p) => !isCriticalService(p) && p.pid !== 1);
  const reclaimable = (m.cachedKb ?? 0) + (m.buffersKb ?? 0) - (m.shmemKb ?? 0);
  const leaks = growthOf(r).filter((g) => g.verdict === 'leak-suspect');
  const trend = ctx.system ? analyzeSystemTrend(ctx.system) : null;
  const d: string[] = [
    `Only ${formatKb(m.availableKb)} of ${formatKb(total)} (${formatPercent(m.availableKb as number, total)}) can be allocated without swapping${m.swapTotalKb ? `; swap free ${formatKb(m.swapFreeKb)} of ${formatKb(m.swapTotalKb)}` : ' and there is no swap'}.`,
    `Largest: ${top.map((p) => `${p.comm} (${p.pid}) ${formatKb(size(p))}`).join(', ')}.`,
  ];
  if (leaks.length) d.push(`Leak suspects: ${leaks.map((g) => `${g.comm} (${g.pid})`).join(', ')}.`);
  else if (top[0] && size(top[0]) < total * 0.5)
    d.push('No single process dominates: if the load is legitimate and the applications are tuned, the host may simply need more RAM.');
  if (trend?.projectedOomAt) d.push(`MemAvailable + free swap falls ${formatKb(-trend.slopeKbPerMin)}/min: exhausted around ${trend.projectedOomAt}.`);
  const remedies: Remedy[] = [lookAtMemory()];
  if (hog) remedies.push(killProcess(hog.pid));
  if ((m.swapTotalKb ?? null) === 0) remedies.push(addSwapFile());
  if (reclaimable > total * 0.2) remedies.push(dropCaches());
  return [
    {
      id: 'low-available',
      severity: f < CRITICAL_FRACTION ? 'critical' : 'warning',
      title: `MemAvailable is ${formatPercent(m.availableKb as number, total)} of RAM (${formatKb(m.availableKb)} of ${formatKb(total)})`,
      detail: d.join(' '),
      pids: top.map((p) => p.pid),
      evidence: {
        availableKb: m.availableKb,
        totalKb: total,
        availablePercent: Math.round(f * 1000) / 10,
        swapTotalKb: m.swapTotalKb,
        swapFreeKb: m.swapFreeKb,
        cachedKb: m.cachedKb,
        shmemKb: m.shmemKb,
        thresholds: { warningPercent: WARN_FRACTION * 100, criticalPercent: CRITICAL_FRACTION * 100 },
        top: top.map((p) => ({ pid: p.pid, comm: p.comm, rssKb: p.rssKb, pssKb: p.pssKb })),
        trend,
      },
      remedies,
    },
  ];
}
