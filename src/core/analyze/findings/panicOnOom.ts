// panic-on-oom: vm.panic_on_oom set, or OOM panics in the log: the host panics (and reboots or
// hangs, per kernel.panic) instead of killing one process. 2 (also for memcg/cpuset OOMs) or a
// seen panic -> warning/critical; 1 on a quiet host -> info (some HA clusters want a fail-over).
import type { Finding } from '../../model/report';
import { type FindingContext, memoryTight, oomHappened } from './context';
import { sysctl } from './remedies';

export function panicOnOom(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const v = r.settings?.panicOnOom ?? 0;
  const panics = (r.events ?? []).filter((e) => e.kind === 'panic');
  if (!v && !panics.length) return [];
  const severity = panics.length ? 'critical' : v >= 2 || memoryTight(r) || oomHappened(r) ? 'warning' : 'info';
  return [
    {
      id: 'panic-on-oom',
      severity,
      title: panics.length
        ? `The kernel panicked on out-of-memory ${panics.length} time${panics.length === 1 ? '' : 's'}${v ? ` (vm.panic_on_oom = ${v})` : ''}`
        : `vm.panic_on_oom = ${v}: an OOM ${v >= 2 ? '(even inside a cgroup) ' : ''}crashes the whole host instead of killing one process`,
      detail:
        `With panic_on_oom the kernel panics instead of running the OOM killer${v === 1 ? ' for a system-wide OOM (a cgroup OOM still kills)' : ''}; with kernel.panic > 0 the host reboots after that many seconds, else it hangs. Every service goes down instead of one.` +
        (panics.length ? ` Panic message: "${(panics[panics.length - 1].panic ?? '').slice(0, 120)}".` : ''),
      pids: [],
      evidence: { panicOnOom: v, panics: panics.length, lastPanic: panics.length ? panics[panics.length - 1].panic : null, lines: panics.map((e) => e.lines) },
      remedies: [
        {
          title: 'See what a panic does on this host (seconds until reboot; 0 = hang)',
          commands: ['cat /proc/sys/vm/panic_on_oom', 'cat /proc/sys/kernel/panic'],
          changesHost: false,
        },
        sysctl('Let the OOM killer kill one process instead of panicking', [['vm.panic_on_oom', 0]]),
      ],
    },
  ];
}
