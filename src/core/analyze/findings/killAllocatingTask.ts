// kill-allocating-task: vm.oom_kill_allocating_task = 1: the OOM killer kills whoever asked for the
// page that failed, not the largest process: often a small innocent one (sshd, a cron job), and the
// hog keeps growing. Warning when OOM kills happened; else info.
import type { Finding } from '../../model/report';
import { type FindingContext, oomHappened } from './context';
import { sysctl } from './remedies';

export function killAllocatingTask(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  if (!r.settings?.oomKillAllocatingTask) return [];
  const kills = oomHappened(r);
  return [
    {
      id: 'kill-allocating-task',
      severity: kills ? 'warning' : 'info',
      title: `vm.oom_kill_allocating_task = ${r.settings.oomKillAllocatingTask}: the OOM killer kills whoever allocated last, not the largest process`,
      detail:
        'The task that triggered the OOM is killed instead of the one scored worst (oom_score): a small process can die while the real consumer keeps growing, and the next OOM comes soon.' +
        (kills ? ' OOM kills happened on this host: check that the victims were the real consumers.' : ''),
      pids: [],
      evidence: { oomKillAllocatingTask: r.settings.oomKillAllocatingTask, oomKills: kills },
      remedies: [sysctl('Let the OOM killer pick the largest process (by oom_score)', [['vm.oom_kill_allocating_task', 0]])],
    },
  ];
}
