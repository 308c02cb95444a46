// The OOM events table for terminals: time, victim, pid, RSS, trigger, cgroup/container.
import type { OomEvent } from '../model/oomEvent';
import { formatDuration, formatKb, formatTime } from '../format';
import { table } from './table';

export function eventWhen(e: OomEvent): string {
  if (e.time) return formatTime(e.time);
  if (e.timeText) return e.timeText;
  if (e.uptimeSeconds !== null) return `${formatDuration(e.uptimeSeconds * 1000)} after boot`;
  return '-';
}

export function eventVictimRssKb(e: OomEvent): number | null {
  const v = e.victim;
  if (!v) return null;
  const parts = [v.anonRssKb, v.fileRssKb, v.shmemRssKb].filter((x): x is number => x !== null);
  // earlyoom prints VmRSS, which is that same sum.
  return parts.length ? parts.reduce((a, b) => a + b, 0) : (e.userspace?.vmRssKb ?? null);
}

/** The unit a userspace killer killed: the last part of its cgroup path. */
export function killedUnit(e: OomEvent): string | null {
  const cg = e.userspace?.cgroup;
  if (!cg) return null;
  return cg.slice(cg.lastIndexOf('/') + 1) || null;
}

export function eventWhere(e: OomEvent): string {
  if (e.container) {
    const c = e.container;
    const id = c.id ? c.id.slice(0, 12) : c.podUid ? `pod ${c.podUid}` : '';
    return `${c.runtime}${id ? ' ' + id : ''}${c.qosClass ? ` (${c.qosClass})` : ''}`;
  }
  if (e.containerState) {
    const s = e.containerState;
    return [s.namespace, s.pod, s.name].filter(Boolean).join('/') || '-';
  }
  return e.taskMemcg ?? e.memcg ?? (e.scope === 'system' ? 'system-wide' : '-');
}

/** Who was killed or ran out: the victim task, the unit a userspace killer stopped, the runtime, the container. */
export function eventVictimName(e: OomEvent): string {
  return e.victim?.comm ?? killedUnit(e) ?? e.runtime?.name ?? e.containerState?.name ?? '-';
}

export function eventPid(e: OomEvent): string {
  return e.victim?.pid != null ? String(e.victim.pid) : e.runtime?.pid != null ? String(e.runtime.pid) : '-';
}

/** Who or what asked for the memory: the kernel's trigger task, or the Go code that was allocating. */
export function eventTrigger(e: OomEvent): string {
  if (e.trigger) return `${e.trigger.comm ?? '?'}${e.trigger.pid != null ? ` (${e.trigger.pid})` : ''}`;
  const f = e.runtime?.name === 'go' ? e.runtime.frame : null;
  return f ? `${f.function} (${f.file.slice(f.file.lastIndexOf('/') + 1)}:${f.line})` : '-';
}

/** What happened, in a few words. */
export function eventWhat(e: OomEvent): string {
  switch (e.kind) {
    case 'kill':
      return e.scope === 'memcg' ? 'killed (cgroup limit)' : 'killed';
    case 'panic':
      return `kernel panic${e.panic ? `: ${e.panic}` : ''}`;
    case 'lowmemorykiller':
      return 'lowmemorykiller';
    case 'runtime':
      return `${e.runtime?.name ?? 'runtime'} out of memory`;
    case 'container': {
      const s = e.containerState;
      if (!s) return 'container';
      if (s.oomKilled) return 'OOMKilled';
      if (s.exitCode === 137) return 'killed by SIGKILL (possibly OOM)';
      return s.reason ?? 'container state';
    }
    case 'userspace-kill':
      return `killed by ${e.userspace?.killer ?? 'a userspace OOM killer'}`;
  }
}

export function renderEventsText(events: OomEvent[], notes: string[] = []): string {
  const rows = events.map((e) => [eventWhen(e), eventWhat(e), eventVictimName(e), eventPid(e), formatKb(eventVictimRssKb(e)), eventTrigger(e), eventWhere(e)]);
  const out = [
    events.length
      ? table(['TIME', 'WHAT', 'VICTIM', 'PID', 'RSS', 'TRIGGER', 'CGROUP/CONTAINER'], rows, [false, false, false, true, true, false, false])
      : 'No OOM events found.',
  ];
  for (const n of notes) out.push(n);
  return out.join('\n') + '\n';
}
