// What the line pipeline hands to the detectors (kernel, runtime, container): one logical line's
// message plus where and when it was printed. The meta object is reused: copy what you keep.

import type { OomEvent, OomVictim } from '../../model/oomEvent';

export interface LineMeta {
  /** First and last physical line (1-based) this logical line came from (wrapped lines join). */
  first: number;
  last: number;
  timeText: string | null;
  time: string | null;
  uptime: number | null;
  host: string | null;
  /** Whitespace columns before the message; YAML and describe blocks use it. */
  indent: number;
  /** The syslog/journal tag the prefix carried ("systemd-oomd[840]"), when there was one. */
  tag?: string | null;
}

export interface EventSink {
  emit(event: OomEvent): void;
  warn(line: number, message: string): void;
}

export interface Detector {
  line(text: string, meta: LineMeta): void;
  /** True when no open structure needs lines that carry no OOM keyword (fast skipping is safe). */
  idle(): boolean;
  finish(): void;
}

/** A victim known by pid, name and uid only (the other numbers come from a kill line, if any). */
export function blankVictim(pid: number | null, comm: string | null, uid: number | null = null, oomScoreAdj: number | null = null): OomVictim {
  return { pid, comm, uid, score: null, totalVmKb: null, anonRssKb: null, fileRssKb: null, shmemRssKb: null, pgtablesKb: null, oomScoreAdj };
}

export function blankEvent(kind: OomEvent['kind'], meta: LineMeta): OomEvent {
  return {
    kind,
    scope: null,
    time: meta.time,
    timeText: meta.timeText,
    uptimeSeconds: meta.uptime,
    host: meta.host,
    trigger: null,
    constraint: null,
    memcg: null,
    taskMemcg: null,
    memcgUsage: null,
    victim: null,
    selected: null,
    reaped: null,
    tasks: [],
    container: null,
    panic: null,
    runtime: null,
    containerState: null,
    lines: { first: meta.first, last: meta.last },
  };
}

/** Fills an event's time fields from a later line when its first line had none. */
export function fillTime(ev: OomEvent, meta: LineMeta): void {
  if (ev.timeText === null && ev.time === null && ev.uptimeSeconds === null && (meta.timeText !== null || meta.time !== null || meta.uptime !== null)) {
    ev.timeText = meta.timeText;
    ev.time = meta.time;
    ev.uptimeSeconds = meta.uptime;
  }
  if (ev.host === null && meta.host !== null) ev.host = meta.host;
}
