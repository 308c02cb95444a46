// oom-score-adj-disabled: oom_score_adj -1000 (never kill) on processes that are not the usual
// system daemons, or on many processes. The guide: "Do not set oom_score_adj = -1000 for all
// processes. This can cause a complete system freeze." Warning when one is big (>= 5 % of RAM or
// among the 5 largest) or >= 10 processes are exempt; a few small ones are information.
import { formatKb, formatPercent } from '../../format';
import type { Finding, ProcessInfo } from '../../model/report';
import { type FindingContext, sum, unitOf, userProcesses } from './context';
import { setOomScoreAdj, unitOomScoreAdjust } from './remedies';

/** Daemons that set -1000 on themselves by design (udev, the sshd listener, auditd, device-mapper, ...). */
export const EXPECTED_NEVER_KILL = /^(systemd-udevd|udevd|sshd|auditd|dmeventd|multipathd|iscsid|lvmetad|systemd|init|watchdog)$/;
export const MANY = 10;

export function oomScoreAdjDisabled(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const procs = userProcesses(r);
  const total = r.memory.totalKb ?? 0;
  const exempt = procs.filter((p) => p.oomScoreAdj === -1000 && p.pid !== 1);
  const odd = exempt.filter((p) => !EXPECTED_NEVER_KILL.test(p.comm));
  if (!odd.length) return [];
  const bySize = [...procs].sort((a, b) => (b.rssKb ?? 0) - (a.rssKb ?? 0));
  const top5 = new Set(bySize.slice(0, 5).map((p) => p.pid));
  const big = odd.filter((p) => (total && (p.rssKb ?? 0) >= 0.05 * total) || top5.has(p.pid));
  const many = exempt.length >= MANY;
  const exemptKb = sum(exempt.map((p) => p.rssKb));
  const lead: ProcessInfo = [...(big.length ? big : odd)].sort((a, b) => (b.rssKb ?? 0) - (a.rssKb ?? 0))[0];
  const names = [...new Set(odd.map((p) => p.comm))];
  return [
    {
      id: 'oom-score-adj-disabled',
      severity: big.length || many ? 'warning' : 'info',
      title: `${odd.length} process${odd.length === 1 ? '' : 'es'} can never be OOM-killed (oom_score_adj -1000): ${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''}${big.length ? `; ${lead.comm} (${lead.pid}) holds ${formatKb(lead.rssKb)}` : ''}`,
      detail: `oom_score_adj -1000 exempts a process from the OOM killer. ${exempt.length} processes are exempt, holding ${formatKb(exemptKb)}${total ? ` (${formatPercent(exemptKb, total)} of RAM)` : ''}. When exempt processes own most of the memory, the kernel kills everything else first and can end up with nothing it may kill: a complete system freeze. The setting is inherited by children, which is how it spreads. Keep -1000 for the few daemons that need it; use -500 for important services.`,
      pids: odd.map((p) => p.pid),
      evidence: {
        exempt: exempt.length,
        unexpected: odd.map((p) => ({ pid: p.pid, comm: p.comm, rssKb: p.rssKb, unit: unitOf(p.cgroup) })),
        exemptRssKb: exemptKb,
        big: big.map((p) => p.pid),
      },
      remedies: [setOomScoreAdj(lead.pid, 0), unitOomScoreAdjust(unitOf(lead.cgroup), -500)],
    },
  ];
}
