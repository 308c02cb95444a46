// The one thing most urgent now, for the top of every view (the panel's headline, the CLI, the
// Markdown verdict): ranked by what is happening on the host, not by history. In order: a live
// leak suspect with its time to OOM; a cgroup or the host about to run out; memory pressure now;
// a kill within the last hour; then the rest by severity. One sentence with the numbers, and the
// actions that fit it.
import type { Finding, Report, Severity } from '../model/report';
import { formatDuration, formatKb, formatTime } from '../format';
import { eventTimeMs } from '../analyze/findings/oomKilled';
import type { LiveGrowth } from '../analyze/growth';

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

export function headline(r: Report, nowMs = r.live?.lastSampleAt ? Date.parse(r.live.lastSampleAt) : Date.parse(r.takenAt)): Headline {
  const findings = r.findings ?? [];
  // 1. A live leak suspect, the soonest to run out first.
  const suspects = (r.growth as LiveGrowth[])
    .filter((g) => g.verdict === 'leak-suspect' && g.running !== false)
    .sort(
      (a, b) =>
        (a.projectedOomAt ? Date.parse(a.projectedOomAt) : Infinity) - (b.projectedOomAt ? Date.parse(b.projectedOomAt) : Infinity) ||
        b.basisSlopeKbPerMin - a.basisSlopeKbPerMin,
    );
  const s = suspects[0];
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
