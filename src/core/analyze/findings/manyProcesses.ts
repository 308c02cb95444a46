// many-processes: one program runs as very many processes (a fork flood, a runaway script, a
// connection flood spawning workers) that together hold a lot of memory: >= 200 processes and
// >= 10 % of RAM (or >= 100 while memory is tight) -> warning.
// zombies: >= 50 zombie processes: they hold no memory themselves, but their parent does not reap
// them (a bug that often comes with other leaks) -> info.
import { formatKb, formatPercent } from '../../format';
import type { Finding } from '../../model/report';
import { type FindingContext, memoryTight, pidArg, sum } from './context';
import { killProcess } from './remedies';

export function manyProcesses(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const total = r.memory.totalKb ?? 0;
  const byComm = new Map<string, typeof r.processes>();
  for (const p of r.processes ?? []) {
    if (p.rssKb == null) continue;
    byComm.set(p.comm, [...(byComm.get(p.comm) ?? []), p]);
  }
  const out: Finding[] = [];
  const tight = memoryTight(r);
  for (const [comm, ps] of byComm) {
    const rss = sum(ps.map((p) => p.pssKb ?? p.rssKb));
    const heavy = (ps.length >= 200 && total > 0 && rss >= 0.1 * total) || (tight && ps.length >= 100);
    if (!heavy) continue;
    const parents = new Map<number, number>();
    for (const p of ps) if (p.ppid != null) parents.set(p.ppid, (parents.get(p.ppid) ?? 0) + 1);
    const topParent = [...parents.entries()].sort((a, b) => b[1] - a[1])[0];
    out.push({
      id: 'many-processes',
      key: `many-processes:${comm}`,
      severity: 'warning',
      title: `${ps.length} ${comm} processes hold ${formatKb(rss)}${total ? ` (${formatPercent(rss, total)} of RAM)` : ''}`,
      detail: `So many copies of one program point at a fork flood, a runaway script, or a connection flood (e.g. a DDoS) spawning workers${topParent ? `; ${topParent[1]} of them are children of pid ${topParent[0]}` : ''}. If it is expected (a worker pool), cap the pool to what the memory holds.`,
      pids: ps.slice(0, 50).map((p) => p.pid),
      evidence: {
        comm,
        count: ps.length,
        memoryKb: rss,
        measure: ps.every((p) => p.pssKb != null) ? 'pssKb' : 'rssKb',
        topParent: topParent ? { pid: topParent[0], children: topParent[1] } : null,
      },
      remedies: [
        {
          title: 'See who starts them',
          commands: [`ps -o pid,ppid,rss,etime,args --ppid ${pidArg(topParent?.[0])}`, 'ps aux --sort=-%mem | head -10'],
          changesHost: false,
        },
        killProcess(topParent?.[0] ?? null, null, 'Stop the parent that spawns them (regular kill first)'),
      ],
    });
  }
  const zombies = (r.processes ?? []).filter((p) => p.state === 'Z');
  if (zombies.length >= 50) {
    const parents = new Map<number, number>();
    for (const p of zombies) if (p.ppid != null) parents.set(p.ppid, (parents.get(p.ppid) ?? 0) + 1);
    const top = [...parents.entries()].sort((a, b) => b[1] - a[1])[0];
    const parent = top ? (r.processes ?? []).find((p) => p.pid === top[0]) : undefined;
    out.push({
      id: 'zombies',
      severity: 'info',
      title: `${zombies.length} zombie processes${parent ? `, ${top![1]} of them children of ${parent.comm} (${parent.pid})` : ''}`,
      detail:
        'A zombie has exited but its parent has not collected its exit status. It holds no memory itself (only a process-table slot), but a parent that never reaps its children is buggy, and such programs often leak in other ways too.',
      pids: zombies.slice(0, 50).map((p) => p.pid),
      evidence: { zombies: zombies.length, topParent: top ? { pid: top[0], comm: parent?.comm ?? null, zombies: top[1] } : null },
      remedies: [
        { title: 'List them with their parents', commands: ["ps -eo pid,ppid,stat,comm | awk '$3 ~ /Z/'"], changesHost: false },
        killProcess(top?.[0] ?? null, null, 'Restart the parent (the zombies go with it)', false),
      ],
    });
  }
  return out;
}
