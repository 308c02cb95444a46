// Why the OOM killer picked this victim: the kernel's badness (mm/oom_kill.c oom_badness()) recomputed
// from the event's task table. points = rss + swap entries + page-table pages; oom_score_adj shifts
// it by adj/1000 of the memory the OOM is about (RAM + swap for a system OOM, the cgroup limit for a
// memcg OOM); adj -1000 exempts the task. The table is printed at kill time, so this is the
// kernel's own view, up to the total it used (we only know today's RAM + swap, or the memcg limit).
import { maxOf } from '../../model/numbers';
import { formatKb } from '../../format';
import type { OomEvent, OomTask } from '../../model/oomEvent';
import type { Report } from '../../model/report';

const PAGE_KB = 4;

export interface RankedTask {
  pid: number | null;
  name: string | null;
  rssKb: number;
  swapKb: number;
  pgtablesKb: number;
  oomScoreAdj: number | null;
  /** rss + swap + page tables, kB. */
  pointsKb: number;
  /** pointsKb shifted by oom_score_adj (null: exempt with -1000). */
  badnessKb: number | null;
}

export interface WhyVictim {
  method: string;
  totalKb: number | null;
  /** False when the kernel's table has no swapents column (old kernels): the rank ignores swap. */
  swapColumn: boolean;
  victim: (RankedTask & { rank: number | null }) | null;
  top: RankedTask[];
  exempt: string[];
  /** Larger than the victim by memory but protected by a negative oom_score_adj. */
  protectedLarger: RankedTask[];
  text: string;
}

function rank(t: OomTask, totalKb: number | null): RankedTask {
  const rssKb = (t.rssPages ?? (t.rssAnonPages ?? 0) + (t.rssFilePages ?? 0) + (t.rssShmemPages ?? 0)) * PAGE_KB;
  const swapKb = (t.swapEntries ?? 0) * PAGE_KB;
  const pgtablesKb = t.pgtablesBytes != null ? t.pgtablesBytes / 1024 : ((t.nrPtes ?? 0) + (t.nrPmds ?? 0)) * PAGE_KB;
  const adj = t.oomScoreAdj ?? null;
  const pointsKb = rssKb + swapKb + pgtablesKb;
  const badnessKb = adj === -1000 ? null : pointsKb + (adj !== null && totalKb !== null ? (adj * totalKb) / 1000 : 0);
  return { pid: t.pid ?? t.tgid ?? null, name: t.name, rssKb, swapKb, pgtablesKb, oomScoreAdj: adj, pointsKb, badnessKb };
}

const describe = (t: RankedTask) =>
  `${t.name ?? '?'} (${t.pid ?? '?'}): rss ${formatKb(t.rssKb)} + swap ${formatKb(t.swapKb)} + page tables ${formatKb(t.pgtablesKb)}, oom_score_adj ${t.oomScoreAdj ?? '?'}`;

export function whyVictim(e: OomEvent, r: Report): WhyVictim | null {
  if (!e.tasks?.length || !e.victim) return null;
  const memcg = e.scope === 'memcg' || (e.constraint ?? '').includes('MEMCG');
  const totalKb = memcg ? (e.memcgUsage?.limitKb ?? null) : r.memory?.totalKb != null ? r.memory.totalKb + (r.memory.swapTotalKb ?? 0) : null;
  const ranked = e.tasks.map((t) => rank(t, totalKb));
  const eligible = ranked.filter((t) => t.badnessKb !== null).sort((a, b) => (b.badnessKb as number) - (a.badnessKb as number));
  const exempt = ranked.filter((t) => t.badnessKb === null).map((t) => `${t.name ?? '?'} (${t.pid ?? '?'})`);
  const vpid = e.victim.pid;
  const v = ranked.find((t) => vpid !== null && t.pid === vpid) ?? null;
  const vRank = v ? eligible.indexOf(v) + 1 || null : null;
  const protectedLarger = v ? ranked.filter((t) => t !== v && t.pointsKb > v.pointsKb && (t.oomScoreAdj ?? 0) < 0) : [];
  const method =
    `badness = rss + swap + page tables (pages of ${PAGE_KB} kB), + oom_score_adj/1000 × ${memcg ? 'the cgroup limit' : 'RAM + swap'}` +
    `${totalKb !== null ? ` (${formatKb(totalKb)}${memcg ? '' : ', as of this report'})` : ' (unknown: adj not weighed)'}; oom_score_adj -1000 is never killed`;
  const parts: string[] = [];
  if (!v) {
    parts.push(
      `${e.victim.comm ?? '?'} (${vpid ?? '?'}) is not in the event's task table, so its rank cannot be recomputed${e.selected && e.selected.pid !== vpid ? ` (the kernel selected ${e.selected.comm ?? '?'} (${e.selected.pid ?? '?'}) and killed a child instead)` : ''}.`,
    );
  } else {
    parts.push(`The OOM killer kills the task with the highest badness (rss + swap + page tables, shifted by oom_score_adj). ${describe(v)}`);
    const swapUnknown = e.tasks.every((t) => t.swapEntries == null);
    if (vRank === 1) parts.push(`ranked first of ${eligible.length}.`);
    else if (vRank && swapUnknown) {
      const vm = e.victim.totalVmKb;
      parts.push(
        `ranked ${vRank} of ${eligible.length} by resident memory, but this kernel's task table has no swap column: swapped-out memory counts for the kernel and is not shown, so ${e.victim.comm ?? 'the victim'} most likely had far more in swap${vm != null ? ` (total-vm ${formatKb(vm)})` : ''}${e.victim.score != null ? `; the kernel scored it ${e.victim.score}` : ''}.`,
      );
    } else if (vRank)
      parts.push(`ranked ${vRank} of ${eligible.length} by this estimate (the kernel's memory total at the time may differ, or a child was sacrificed).`);
    const next = eligible.find((t) => t !== v);
    if (next) parts.push(`Next: ${describe(next)}.`);
    if (
      (v.oomScoreAdj ?? 0) > 0 &&
      eligible[0] === v &&
      v.pointsKb <
        maxOf(
          ranked.filter((t) => t !== v).map((t) => t.pointsKb),
          0,
        )
    ) {
      parts.push(`It was not the largest: its oom_score_adj ${v.oomScoreAdj} made it the preferred victim.`);
    }
    if (protectedLarger.length)
      parts.push(
        `Larger but protected by a negative oom_score_adj: ${protectedLarger
          .slice(0, 3)
          .map((t) => `${t.name ?? '?'} (${formatKb(t.pointsKb)}, adj ${t.oomScoreAdj})`)
          .join(', ')}.`,
      );
  }
  if (exempt.length) parts.push(`Exempt (oom_score_adj -1000): ${exempt.slice(0, 5).join(', ')}${exempt.length > 5 ? ` and ${exempt.length - 5} more` : ''}.`);
  return {
    method,
    totalKb,
    swapColumn: !e.tasks.every((t) => t.swapEntries == null),
    victim: v ? { ...v, rank: vRank } : null,
    top: eligible.slice(0, 5),
    exempt,
    protectedLarger: protectedLarger.slice(0, 5),
    text: parts.join(' '),
  };
}
