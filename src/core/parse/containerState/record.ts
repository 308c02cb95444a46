// One container's termination as read from any platform output, and the event it becomes. An OOM
// kill is what the platform says (reason OOMKilled / OOMKilled: true, whatever the exit code); an
// exit code 137 alone only says SIGKILL, so it is reported with oomKilled false and the reason as
// printed.

import type { OomEvent } from '../../model/oomEvent';
import { blankEvent } from '../kernelLog/types';
import { readTime } from './quantities';

export interface Termination {
  reason: string | null;
  exitCode: number | null;
  finishedAt: string | null;
}

export interface ContainerRecord {
  name: string | null;
  pod: string | null;
  namespace: string | null;
  id: string | null;
  restartCount: number | null;
  memoryLimitBytes: number | null;
  /** Current state, when terminated. */
  state: Termination | null;
  /** Last state (previous run), when terminated. */
  lastState: Termination | null;
  /** Docker's State.OOMKilled, when printed. */
  oomKilledFlag: boolean | null;
  firstLine: number;
  lastLine: number;
}

export function newRecord(line: number): ContainerRecord {
  return {
    name: null,
    pod: null,
    namespace: null,
    id: null,
    restartCount: null,
    memoryLimitBytes: null,
    state: null,
    lastState: null,
    oomKilledFlag: null,
    firstLine: line,
    lastLine: line,
  };
}

export function newTermination(): Termination {
  return { reason: null, exitCode: null, finishedAt: null };
}

function isOomish(t: Termination | null): boolean {
  return !!t && (t.reason === 'OOMKilled' || t.exitCode === 137);
}

/** The event for a record, or null when it says nothing about an OOM kill or a SIGKILL. */
export function recordToEvent(r: ContainerRecord): OomEvent | null {
  let t: Termination | null = null;
  if (r.oomKilledFlag === true) t = r.state ?? newTermination();
  else if (isOomish(r.state)) t = r.state;
  else if (isOomish(r.lastState)) t = r.lastState;
  else if (r.oomKilledFlag === false && r.state && r.state.exitCode === 137) t = r.state;
  if (!t) return null;
  const oomKilled = r.oomKilledFlag === true || t.reason === 'OOMKilled';
  const when = readTime(t.finishedAt);
  const ev = blankEvent('container', {
    first: r.firstLine,
    last: r.lastLine,
    timeText: t.finishedAt,
    time: when ? when.utc : null,
    uptime: null,
    host: null,
    indent: 0,
  });
  ev.containerState = {
    name: r.name,
    pod: r.pod,
    namespace: r.namespace,
    id: r.id,
    reason: t.reason ?? (r.oomKilledFlag === true ? 'OOMKilled' : null),
    oomKilled,
    exitCode: t.exitCode,
    restartCount: r.restartCount,
    memoryLimitBytes: r.memoryLimitBytes,
    finishedAt: when ? when.iso : t.finishedAt,
    message: oomKilled ? 'OOM-killed: the container hit its memory limit' : t.exitCode === 137 ? 'killed by SIGKILL (possibly OOM)' : null,
  };
  return ev;
}

/** "containerd://abc..." / "docker://abc..." to the bare id. */
export function bareId(text: string | null): string | null {
  if (!text) return null;
  const t = text.trim();
  const i = t.indexOf('://');
  return (i >= 0 ? t.slice(i + 3) : t) || null;
}
