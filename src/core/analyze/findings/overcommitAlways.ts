// overcommit-always: vm.overcommit_memory = 1 (always overcommit): every allocation succeeds, so the
// OOM killer is the only brake. Warning when memory is tight or OOM kills happened; else info.
import type { Finding } from '../../model/report';
import { type FindingContext, memoryTight, oomHappened, userProcesses } from './context';
import { strictOvercommit, sysctl } from './remedies';

export function overcommitAlways(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  if (r.settings?.overcommitMemory !== 1) return [];
  const risky = memoryTight(r) || oomHappened(r);
  const redis = userProcesses(r).find((p) => p.comm === 'redis-server');
  return [
    {
      id: 'overcommit-always',
      severity: risky ? 'warning' : 'info',
      title: `vm.overcommit_memory = 1: allocations never fail, the OOM killer is the only limit${risky ? ' (and memory is short or OOM kills happened)' : ''}`,
      detail:
        'Mode 1 (always overcommit) lets programs allocate without any check against RAM + swap, which increases the OOM risk: a runaway allocation is stopped only by the OOM killer. The default (0) refuses obvious overcommits; mode 2 refuses anything beyond CommitLimit, so programs fail with "Cannot allocate memory" before the OOM killer triggers.' +
        (redis ? ` Note: redis-server (${redis.pid}) recommends mode 1 for its background saves (fork); keep it if Redis is the reason it was set.` : ''),
      pids: redis ? [redis.pid] : [],
      evidence: {
        overcommitMemory: 1,
        overcommitRatio: r.settings.overcommitRatio,
        committedAsKb: r.memory.committedAsKb,
        commitLimitKb: r.memory.commitLimitKb,
        redis: redis ? redis.pid : null,
      },
      remedies: [
        { title: 'Check the current value', commands: ['cat /proc/sys/vm/overcommit_memory'], changesHost: false },
        sysctl('Return to the default heuristic overcommit (mode 0)', [['vm.overcommit_memory', 0]]),
        strictOvercommit(),
      ],
    },
  ];
}
