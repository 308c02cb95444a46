// overcommit-strict-exceeded: vm.overcommit_memory = 2 (no overcommit) and Committed_AS has reached
// CommitLimit (critical) or 90 % of it (warning): allocations fail with "Cannot allocate memory"
// while RAM may look free. CommitLimit = swap + RAM × overcommit_ratio / 100.
import { formatKb, formatPercent } from '../../format';
import type { Finding, Remedy } from '../../model/report';
import { type FindingContext } from './context';
import { addSwapFile, sysctl } from './remedies';

/** Committed_AS / CommitLimit at which allocations are about to fail. */
export const COMMIT_WARN_FRACTION = 0.9;

export function overcommitStrict(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const m = r.memory;
  if (r.settings?.overcommitMemory !== 2 || m.committedAsKb == null || !m.commitLimitKb) return [];
  const f = m.committedAsKb / m.commitLimitKb;
  if (f < COMMIT_WARN_FRACTION) return [];
  const ratio = r.settings.overcommitRatio;
  const reachable = m.totalKb ? (m.commitLimitKb - (m.swapTotalKb ?? 0)) / m.totalKb : null;
  const remedies: Remedy[] = [];
  if (ratio !== null && ratio < 100)
    remedies.push(sysctl(`Raise vm.overcommit_ratio from ${ratio} to 100 (CommitLimit = swap + RAM × ratio/100)`, [['vm.overcommit_ratio', 100]]));
  if ((m.swapTotalKb ?? 0) === 0) remedies.push(addSwapFile());
  remedies.push({
    title: 'See which processes reserve the most (VSZ)',
    commands: ['ps aux --sort=-vsz | head -10', 'grep -E "Committed_AS|CommitLimit" /proc/meminfo'],
    changesHost: false,
  });
  return [
    {
      id: 'overcommit-strict-exceeded',
      severity: f >= 1 ? 'critical' : 'warning',
      title: `Strict overcommit (mode 2): Committed_AS ${formatKb(m.committedAsKb)} is ${formatPercent(m.committedAsKb, m.commitLimitKb)} of CommitLimit ${formatKb(m.commitLimitKb)}`,
      detail:
        `With vm.overcommit_memory = 2 the kernel refuses allocations beyond CommitLimit: programs fail with "Cannot allocate memory" (malloc returns NULL, fork fails) instead of the OOM killer acting.` +
        (reachable !== null && reachable < 0.9
          ? ` With overcommit_ratio ${ratio ?? '?'} only ${Math.round(reachable * 100)} % of RAM can be committed${(m.swapTotalKb ?? 0) === 0 ? ' (and there is no swap)' : ''}, so this happens while RAM is still free (MemAvailable ${formatKb(m.availableKb)}).`
          : ''),
      pids: [],
      evidence: {
        overcommitMemory: 2,
        overcommitRatio: ratio,
        committedAsKb: m.committedAsKb,
        commitLimitKb: m.commitLimitKb,
        percent: Math.round(f * 1000) / 10,
        availableKb: m.availableKb,
        swapTotalKb: m.swapTotalKb,
      },
      remedies,
    },
  ];
}
