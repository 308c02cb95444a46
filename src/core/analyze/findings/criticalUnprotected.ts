// critical-unprotected: sshd and databases (postgres, mysqld, mariadbd, mongod, redis-server) run with
// oom_score_adj >= 0 while other processes are big: the OOM killer may take the database (often
// the biggest process) or the way in (sshd). Remedy of the guide: OOMScoreAdjust=-500 in the unit
// (containers: docker --oom-score-adj, Kubernetes QoS). Warning when it is among the first three by
// oom_score while memory is at risk (tight, kills, leak suspects, pressure); otherwise information.
// Nothing when no other process is big and memory is not at risk (a quiet host).
import { formatKb } from '../../format';
import type { Finding, ProcessInfo, Remedy } from '../../model/report';
import { type FindingContext, growthOf, memoryTight, oomHappened, unitOf, userProcesses, procKey } from './context';
import { setOomScoreAdj, unitOomScoreAdjust, viewOomScore } from './remedies';

const CRITICAL = /^(sshd|postgres|postmaster|mysqld|mariadbd|mongod|redis-server)$/;

export function isCriticalService(p: Pick<ProcessInfo, 'comm'>): boolean {
  return CRITICAL.test(p.comm ?? '');
}

/** A process that matters more than its size: the main process of a critical service. */
export function criticalMains(procs: ProcessInfo[]): ProcessInfo[] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  return procs.filter((p) => {
    if (!isCriticalService(p)) return false;
    const parent = p.ppid != null ? byPid.get(p.ppid) : undefined;
    // children of the same service (postgres backends, sshd sessions) inherit the parent's setting
    return !parent || !isCriticalService(parent);
  });
}

/** How to lower its score for good: the unit's OOMScoreAdjust, or the container's own setting. */
function protect(p: ProcessInfo, unit: string | null): Remedy[] {
  const c = p.container;
  if (c?.runtime === 'kubernetes') {
    return [
      {
        title: "Kubernetes sets oom_score_adj from the pod's QoS class: make the pod Guaranteed (requests = limits for memory and CPU) to get -997",
        commands: ['kubectl set resources deployment/<deployment> --requests=memory=<size>,cpu=<cpu> --limits=memory=<size>,cpu=<cpu>'],
        changesHost: true,
      },
    ];
  }
  if (c && (c.runtime === 'docker' || c.runtime === 'podman')) {
    const cli = c.runtime;
    return [
      {
        title: `Start the container with --oom-score-adj=-500 (it cannot be changed on a running container)`,
        commands: [`${cli} run --oom-score-adj=-500 <image>`],
        changesHost: true,
      },
    ];
  }
  return [setOomScoreAdj(p.pid, -500), unitOomScoreAdjust(unit, -500)];
}

export function criticalUnprotected(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const procs = userProcesses(r);
  const total = r.memory.totalKb ?? 0;
  const mains = criticalMains(procs).filter((p) => p.oomScoreAdj != null && p.oomScoreAdj >= 0);
  if (!mains.length || !total) return [];
  const othersBig = procs.filter((p) => !isCriticalService(p) && (p.rssKb ?? 0) >= 0.1 * total);
  const risk = memoryTight(r) || oomHappened(r) || growthOf(r).some((g) => g.verdict === 'leak-suspect') || (r.pressure?.someAvg60 ?? 0) > 10;
  if (!othersBig.length && !risk) return [];
  const byScore = [...procs].filter((p) => p.oomScore != null).sort((a, b) => (b.oomScore ?? 0) - (a.oomScore ?? 0));
  const out: Finding[] = [];
  for (const p of mains) {
    const family = procs.filter((q) => q.comm === p.comm);
    const famRss = family.reduce((s, q) => s + (q.rssKb ?? 0), 0);
    const rank = byScore.findIndex((q) => q.pid === p.pid) + 1 || null;
    const unit = unitOf(p.cgroup);
    const top3 = rank !== null && rank <= 3;
    out.push({
      id: 'critical-unprotected',
      key: `critical-unprotected:${procKey(p)}`,
      // An alarm only when memory is at risk AND it is among the first the OOM killer would take.
      severity: risk && top3 ? 'warning' : 'info',
      title: `${p.comm} (${p.pid}) is not protected from the OOM killer (oom_score_adj ${p.oomScoreAdj}, oom_score ${p.oomScore ?? '?'}${rank ? `, #${rank} in line` : ''})`,
      detail:
        `${p.comm} is a critical service${family.length > 1 ? ` (${family.length} processes, ${formatKb(famRss)} RSS)` : ` (${formatKb(p.rssKb)} RSS)`}, but its oom_score_adj is ${p.oomScoreAdj}, so the OOM killer ranks it by size alone${top3 ? ` — it is among the first three it would kill` : ''}.` +
        (othersBig.length
          ? ` Other big processes: ${othersBig
              .slice(0, 3)
              .map((q) => `${q.comm} (${q.pid}) ${formatKb(q.rssKb)}`)
              .join(', ')}.`
          : '') +
        ' Lower its score (-500 makes it unlikely without making it unkillable; never -1000 for everything: the host can freeze).',
      pids: [p.pid],
      evidence: {
        pid: p.pid,
        comm: p.comm,
        oomScore: p.oomScore,
        oomScoreAdj: p.oomScoreAdj,
        rank,
        rssKb: p.rssKb,
        familyRssKb: famRss,
        unit,
        othersBig: othersBig.slice(0, 5).map((q) => ({ pid: q.pid, comm: q.comm, rssKb: q.rssKb })),
        risk,
      },
      remedies: [viewOomScore(p.pid), ...protect(p, unit)],
    });
  }
  return out;
}
