// The one thing most urgent now, for the top of every view (the panel's headline, the CLI, the
// Markdown verdict): ranked by what is happening on the host, not by history. In order: a live
// leak suspect with its time to OOM; a cgroup or the host about to run out; memory pressure now;
// a kill within the last hour; then the rest by severity. One sentence with the numbers, and the
// actions that fit it.
import type { Finding, Report, Severity } from '../model/report';
import { formatDuration, formatKb, formatTime } from '../format';
import { eventTimeMs } from '../analyze/findings/oomKilled';
import type { LiveGrowth } from '../analyze/growth';
import { minOf } from '../model/numbers';

export type HeadlineAction = { kind: 'find-leaks' | 'smaps' | 'kill'; pid: number; label: string };

export interface Headline {
  severity: Severity | 'ok';
  text: string;
  /** The finding it is about (the panel opens it), when there is one. */
  findingKey: string | null;
  actions: HeadlineAction[];
}

const RECENT_KILL_MS = 3600_000;

function forProcess(pid: number, comm: string): HeadlineAction[] {
  return [
    { kind: 'find-leaks', pid, label: `Find leaks in ${comm} ${pid}` },
    { kind: 'smaps', pid, label: 'Open its memory map' },
    { kind: 'kill', pid, label: 'Kill…' },
  ];
}

const keyOf = (f: Finding) => f.key ?? f.id;

/** Projected times this close to the soonest count as a tie: a minute's noise must not swap the headline. */
const TIE_MS = 5 * 60_000;
const TIE_SHARE = 0.1;

/**
 * The leak suspect that runs out first. Projections of two growers move a little every sample, so
 * those within 5 min (or 10 % of the time left) of the soonest are a tie, broken by the faster
 * leak, then the lower pid: every view, at every sample, names the same one (no state needed).
 */
export function soonestSuspect(growth: LiveGrowth[], nowMs: number): LiveGrowth | undefined {
  const at = (g: LiveGrowth) => (g.projectedOomAt ? Date.parse(g.projectedOomAt) : Infinity);
  const live = growth.filter((g) => g.verdict === 'leak-suspect' && g.running !== false);
  if (live.length === 0) return undefined;
  const first = minOf(live.map(at), Infinity);
  const tie = Number.isFinite(first) ? Math.max(TIE_MS, TIE_SHARE * Math.max(0, first - nowMs)) : 0;
  return live
    .filter((g) => (Number.isFinite(first) ? at(g) <= first + tie : true))
    .sort((a, b) => b.basisSlopeKbPerMin - a.basisSlopeKbPerMin || a.pid - b.pid)[0];
}

export function headline(r: Report, nowMs = r.live?.lastSampleAt ? Date.parse(r.live.lastSampleAt) : Date.parse(r.takenAt)): Headline {
  const findings = r.findings ?? [];
  // 1. A live leak suspect, the soonest to run out first.
  const s = soonestSuspect(r.growth as LiveGrowth[], nowMs);
  if (s) {
    const f = findings.find((x) => x.id === 'leak-suspect' && x.pids.includes(s.pid));
    const at = s.projectedOomAt ? Date.parse(s.projectedOomAt) : NaN;
    const when = Number.isFinite(at)
      ? `: out of memory in ~${formatDuration(Math.max(60_000, Math.round((at - nowMs) / 60_000) * 60_000))}${s.projectedBy === 'cgroup' ? ' (its cgroup limit)' : ''}`
      : '';
    return {
      severity: f?.severity ?? 'warning',
      text: `${s.comm} (${s.pid}) leaks ${formatKb(s.basisSlopeKbPerMin)}/min, now ${formatKb(s.lastKb)}${when}.`,
      findingKey: f ? keyOf(f) : null,
      actions: forProcess(s.pid, s.comm),
    };
  }
  // 2. A cgroup or the host about to run out; 3. pressure now.
  for (const id of ['container-near-limit', 'low-available', 'overcommit-strict-exceeded', 'memory-pressure', 'swap-heavy']) {
    const f = findings.find((x) => x.id === id && x.severity !== 'info');
    if (f) return { severity: f.severity, text: f.title, findingKey: keyOf(f), actions: [] };
  }
  // 4. A kill within the last hour.
  const recent = (r.events ?? [])
    .filter((e) => e.kind !== 'runtime' && e.victim)
    .map((e) => ({ e, t: eventTimeMs(e, r) }))
    .filter((x) => x.t !== null && nowMs - x.t <= RECENT_KILL_MS)
    .sort((a, b) => b.t! - a.t!)[0];
  if (recent) {
    const v = recent.e.victim!;
    const f = findings.find((x) => x.id === 'oom-killed' && x.pids.includes(v.pid ?? -1));
    return {
      severity: 'critical',
      text: `${v.comm ?? '?'} (${v.pid ?? '?'}) was OOM-killed ${formatDuration(nowMs - recent.t!)} ago (${formatTime(recent.t)})${v.anonRssKb != null ? ` at anon-rss ${formatKb(v.anonRssKb)}` : ''}${recent.e.memcg && recent.e.memcg !== '/' ? ` in ${recent.e.memcg}` : ''}.`,
      findingKey: f ? keyOf(f) : null,
      actions: [],
    };
  }
  // 5. The history, then anything else, by severity (the list is sorted so).
  const top = findings.find((x) => x.severity !== 'info');
  if (top) return { severity: top.severity, text: top.title, findingKey: keyOf(top), actions: [] };
  return { severity: 'ok', text: 'No memory problem found right now.', findingKey: null, actions: [] };
}
