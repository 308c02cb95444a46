// no-swap: the host has no swap. Only a warning when it matters (memory tight, pressure, or an OOM
// kill happened); on a quiet host with plenty free it is information.
import { formatKb, formatPercent } from '../../format';
import type { Finding } from '../../model/report';
import { type FindingContext, memoryTight, oomHappened, userProcesses } from './context';
import { addSwapFile } from './remedies';

export function noSwap(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const m = r.memory;
  if (m.swapTotalKb !== 0) return [];
  const tight = memoryTight(r);
  const kills = oomHappened(r);
  const pressure = (r.pressure?.someAvg60 ?? 0) > 10;
  const kube = userProcesses(r).some((p) => p.container?.runtime === 'kubernetes');
  const why = [
    tight && `MemAvailable is ${formatPercent(m.availableKb ?? 0, m.totalKb ?? 0)}`,
    kills && 'OOM kills happened',
    pressure && 'memory pressure is high',
  ].filter(Boolean) as string[];
  return [
    {
      id: 'no-swap',
      severity: why.length ? 'warning' : 'info',
      title: why.length ? `No swap, and ${why.join(', ')}` : `No swap configured (${formatKb(m.availableKb)} of ${formatKb(m.totalKb)} available)`,
      detail:
        'Swap is the safety cushion: without it the first significant RAM shortage triggers the OOM killer, since anonymous memory cannot be paged out.' +
        (kube ? ' This looks like a Kubernetes node, where swap is often off on purpose (kubelet): set memory limits on the pods instead.' : '') +
        (why.length ? '' : ' Nothing is short of memory now.'),
      pids: [],
      evidence: {
        swapTotalKb: 0,
        availableKb: m.availableKb,
        totalKb: m.totalKb,
        oomKills: kills,
        pressureSomeAvg60: r.pressure?.someAvg60 ?? null,
        kubernetesNode: kube,
      },
      remedies: [addSwapFile()],
    },
  ];
}
