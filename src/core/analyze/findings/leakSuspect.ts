// leak-suspect: processes whose memory grows steadily (growth verdict "leak-suspect"); critical when
// the projected OOM is within a day. Remedy: the leak tool of its runtime.
import { formatDuration, formatKb, plural } from '../../format';
import type { Finding } from '../../model/report';
import { type FindingContext, growthOf, nowMs } from './context';
import { killProcess } from './remedies';
import { detectRuntime, leakToolRemedies } from './runtime';

/** Projected OOM closer than this -> critical. */
export const CRITICAL_WITHIN_MS = 24 * 3600_000;

/** How fast, for a sentence ("grows 238 MiB/min"). */
export function rate(kbPerMin: number): string {
  return `${formatKb(kbPerMin)}/min`;
}

/** How soon: "~1 h 36 min", "now". */
export function inTime(ms: number): string {
  return ms <= 0 ? 'now' : `~${formatDuration(Math.max(60_000, Math.round(ms / 60_000) * 60_000))}`;
}

export function leakSuspect(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const now = nowMs(ctx);
  const out: Finding[] = [];
  for (const g of growthOf(r)) {
    // A suspect that exited is not a leak to chase now (its kill, if any, is its own finding).
    if (g.verdict !== 'leak-suspect' || g.running === false) continue;
    const proc = (r.processes ?? []).find((p) => p.pid === g.pid && p.comm === g.comm) ?? { pid: g.pid, comm: g.comm, cmdline: null };
    const slope = g.basisSlopeKbPerMin ?? g.slopeKbPerMin;
    const at = g.projectedOomAt ? Date.parse(g.projectedOomAt) : NaN;
    const soon = Number.isFinite(at) && at - now <= CRITICAL_WITHIN_MS;
    const runtime = detectRuntime(proc);
    const what = g.basis === 'rssAnonKb' || g.basis === 'rssAnonKb+swapKb' ? 'anonymous memory' : g.metric === 'pssKb' ? 'PSS' : 'RSS';
    const detail = [
      `Its ${what} rose${g.durationMinutes != null ? ` ${formatKb(g.changeKb ?? slope * g.durationMinutes)} in ${formatDuration(g.durationMinutes * 60_000)}` : ''} (${plural(g.samples, 'sample')}) along a straight line (r² ${(g.basisR2 ?? g.r2).toFixed(2)}), and it is still growing in the last third of the window${g.recentSlopeKbPerMin != null ? ` (${rate(g.recentSlopeKbPerMin)})` : ''}: memory that is allocated and never freed.`,
      g.firstKb != null && g.lastKb != null ? `${g.metric === 'pssKb' ? 'PSS' : 'RSS'} ${formatKb(g.firstKb)} → ${formatKb(g.lastKb)}.` : '',
      Number.isFinite(at)
        ? `At this rate it exhausts ${g.projectedBy === 'cgroup' ? `its cgroup's limit${g.cgroup ? ` (${g.cgroup})` : ''}` : 'MemAvailable + free swap'} in ${inTime(at - now)} (${g.projectedOomAt}).`
        : '',
      `Runtime: ${runtime}.`,
    ]
      .filter(Boolean)
      .join(' ');
    out.push({
      id: 'leak-suspect',
      key: `leak-suspect:${g.pid}@${g.start ?? g.comm}`,
      severity: soon ? 'critical' : 'warning',
      title: `${g.comm} (${g.pid}) grows ${rate(slope)} steadily${Number.isFinite(at) ? `: out of memory in ${inTime(at - now)}` : ''}`,
      detail,
      pids: [g.pid],
      evidence: {
        slopeKbPerMin: slope,
        metric: g.metric,
        metricSlopeKbPerMin: g.slopeKbPerMin,
        basis: g.basis ?? g.metric,
        r2: g.basisR2 ?? g.r2,
        samples: g.samples,
        durationMinutes: g.durationMinutes ?? null,
        recentSlopeKbPerMin: g.recentSlopeKbPerMin ?? null,
        firstKb: g.firstKb ?? null,
        lastKb: g.lastKb ?? null,
        projectedOomAt: g.projectedOomAt,
        projectedBy: g.projectedBy ?? null,
        headroomKb: g.headroomKb ?? null,
        runtime,
        reason: g.reason ?? null,
      },
      remedies: [...leakToolRemedies(proc), ...(soon ? [killProcess(g.pid)] : [])],
    });
  }
  return out;
}
