// grew-then-flat: a process that was a leak suspect (it grew steadily while sampled) and has been
// flat since. The live view keeps it so the main clue is not dropped when the growth pauses: it
// still holds what it grew, and a leak that stops may start again.
import { formatKb } from '../../format';
import type { Finding } from '../../model/report';
import type { LiveGrowth } from '../growth';
import { type FindingContext, growthOf } from './context';
import { detectRuntime, leakToolRemedies } from './runtime';

export function grewThenFlat(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const out: Finding[] = [];
  for (const g of growthOf(r) as LiveGrowth[]) {
    const p = g.plateau;
    if (!p || !g.running) continue;
    const proc = (r.processes ?? []).find((x) => x.pid === g.pid && x.comm === g.comm) ?? { pid: g.pid, comm: g.comm, cmdline: null };
    out.push({
      id: 'grew-then-flat',
      key: `grew-then-flat:${g.pid}@${g.start ?? g.comm}`,
      severity: 'warning',
      title: `${g.comm} (${g.pid}) grew ${formatKb(p.grewKb)}, now flat at ${formatKb(p.nowKb)}`,
      detail:
        `It grew steadily while sampled (a leak suspect), from ${formatKb(p.fromKb)} to ${formatKb(p.nowKb)}, and has been flat since ${p.flatSince}. ` +
        'It still holds that memory: a cache or pool that reached its size, load that stopped, or a leak that paused. Watch whether it starts again, or look at what it holds now.',
      pids: [g.pid],
      evidence: { grewKb: p.grewKb, fromKb: p.fromKb, nowKb: p.nowKb, flatSince: p.flatSince, runtime: detectRuntime(proc) },
      remedies: leakToolRemedies(proc),
    });
  }
  return out;
}
