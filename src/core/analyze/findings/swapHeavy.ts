// swap-heavy: more than 50 % of swap in use (the guide's alert), critical above 90 %.
import { formatKb, formatPercent } from '../../format';
import type { Finding, Remedy } from '../../model/report';
import { type FindingContext, userProcesses } from './context';
import { addSwapFile, lookAtMemory } from './remedies';

export const SWAP_WARN_FRACTION = 0.5;
export const SWAP_CRITICAL_FRACTION = 0.9;

export function swapHeavy(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const { swapTotalKb: total, swapFreeKb: free } = r.memory;
  if (!total || free == null) return [];
  const used = total - free;
  const f = used / total;
  if (f <= SWAP_WARN_FRACTION) return [];
  const top = userProcesses(r)
    .filter((p) => (p.swapKb ?? 0) > 0)
    .sort((a, b) => (b.swapKb ?? 0) - (a.swapKb ?? 0))
    .slice(0, 5);
  const remedies: Remedy[] = [lookAtMemory()];
  if (f > SWAP_CRITICAL_FRACTION) remedies.push(addSwapFile());
  return [
    {
      id: 'swap-heavy',
      severity: f > SWAP_CRITICAL_FRACTION ? 'critical' : 'warning',
      title: `Swap is ${formatPercent(used, total)} used (${formatKb(used)} of ${formatKb(total)})`,
      detail:
        `RAM has not been enough for a while: the kernel moved ${formatKb(used)} of anonymous memory to swap.` +
        (top.length ? ` Most swapped: ${top.map((p) => `${p.comm} (${p.pid}) ${formatKb(p.swapKb)}`).join(', ')}.` : '') +
        (f > SWAP_CRITICAL_FRACTION ? ' When swap is full the next shortage is an OOM kill.' : '') +
        ` MemAvailable: ${formatKb(r.memory.availableKb)}; swappiness ${r.settings?.swappiness ?? '?'}.`,
      pids: top.map((p) => p.pid),
      evidence: {
        swapUsedKb: used,
        swapTotalKb: total,
        usedPercent: Math.round(f * 1000) / 10,
        swappiness: r.settings?.swappiness ?? null,
        topSwap: top.map((p) => ({ pid: p.pid, comm: p.comm, swapKb: p.swapKb })),
      },
      remedies,
    },
  ];
}
