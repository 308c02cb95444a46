// Follows a host's kernel log live, through the Host interface, and hands over each new OOM event
// once its report is complete. ONE long-running command (logFollowScript.ts) prints new kernel
// lines as they come; an OOM report is a burst of lines, so lines are buffered and parsed when the
// log goes quiet. If the command ends early (an SSH connection dropped) it is restarted with
// backoff, as the sampler is.
import type { Host } from '../host/host';
import type { OomEvent } from '../model/oomEvent';
import { CancelledError, isCancelled } from '../errors';
import { OomEventReader, MAX_LINE_BYTES } from '../parse/kernelLog';
import { Dedup } from './kernelLog';
import { logFollowScript } from './logFollowScript';
import { SYSLOG_KEEP_RE } from './kernelLogScript';
import { FRAME } from '../parse/frame';

export interface LogBurstOptions {
  /** Parse the buffered lines once no line came for this long (ms). */
  quietMs?: number;
  /** Parse even when the log never goes quiet, at the latest this long after a line came (ms). */
  maxWaitMs?: number;
  /** An incomplete report (no kill line yet) waits at most this long for the rest (ms)... */
  maxHoldMs?: number;
  /** ...and at most this many lines; then it is emitted as it is. */
  maxHoldLines?: number;
  /** The host's boot time (epoch ms), to give uptime stamps a wall-clock time. */
  bootTimeMs?: number;
}

const QUIET_MS = 400;
const MAX_HOLD_MS = 20_000;
const MAX_HOLD_LINES = 5000;
/** A headerless kill or reaper line for a victim emitted this recently is the rest of that report. */
const FRAGMENT_WINDOW_MS = 60_000;
const RECENT_VICTIMS = 64;
/** Events remembered for dedup before the older half is forgotten (bounds memory over days). */
const DEDUP_GENERATION = 1000;

/**
 * Turns kernel log lines, pushed as they are printed, into complete OOM events, each once. Pure:
 * the caller says what time it is, so tests need no clock.
 */
export class LogBurstParser {
  /** Settable: the follower learns the boot time from the script's first line. */
  bootTimeMs: number | undefined;
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly maxHoldMs: number;
  private readonly maxHoldLines: number;
  private readonly bufferCap: number;
  private lines: string[] = [];
  /** When each buffered line was pushed. */
  private times: number[] = [];
  /** Lines at the front that were parsed before and kept: the report still waiting for its kill line. */
  private held = 0;
  private lastPushMs = 0;
  private ready: OomEvent[] = [];
  private readonly seen = new SeenEvents();
  private readonly recentVictims: { pid: number; comm: string | null; atMs: number }[] = [];

  constructor(opts: LogBurstOptions = {}) {
    this.quietMs = opts.quietMs ?? QUIET_MS;
    this.maxWaitMs = opts.maxWaitMs ?? Math.max(2000, 5 * this.quietMs);
    this.maxHoldMs = opts.maxHoldMs ?? MAX_HOLD_MS;
    this.maxHoldLines = opts.maxHoldLines ?? MAX_HOLD_LINES;
    this.bufferCap = 2 * this.maxHoldLines;
    this.bootTimeMs = opts.bootTimeMs;
  }

  /** Lines in memory now (held report lines plus lines not parsed yet). */
  get bufferedLines(): number {
    return this.lines.length;
  }

  push(line: string, nowMs: number): void {
    this.lines.push(line.length > MAX_LINE_BYTES ? line.slice(0, MAX_LINE_BYTES) : line);
    this.times.push(nowMs);
    this.lastPushMs = nowMs;
    // A log that never goes quiet must not grow the buffer: parse now, keep only a waiting report.
    if (this.lines.length >= this.bufferCap) this.parse(nowMs, false);
  }

  /**
   * The complete events found, once the log has been quiet for quietMs (or a waiting report's time
   * is up). `force` parses whatever is buffered and emits incomplete reports as they are.
   */
  flush(nowMs: number, force = false): OomEvent[] {
    if (force) {
      if (this.lines.length > 0) this.parse(nowMs, true);
    } else {
      const due = this.nextFlushAt();
      if (due !== null && nowMs >= due) this.parse(nowMs, false);
    }
    return this.ready.splice(0);
  }

  /** When flush next has something to do (epoch ms), or null when nothing is buffered. */
  nextFlushAt(): number | null {
    if (this.lines.length > this.held) return Math.min(this.lastPushMs + this.quietMs, this.times[this.held] + this.maxWaitMs);
    if (this.held > 0) return this.times[0] + this.maxHoldMs;
    return null;
  }

  private parse(nowMs: number, final: boolean): void {
    const reader = new OomEventReader({ kind: 'kernel-log-follow' });
    reader.push(this.lines.join('\n') + '\n');
    const events = reader.end().events;
    let keepFrom = this.lines.length;
    // Reports do not interleave (the kernel serialises OOM kills): only the last one can still be running.
    const last = events[events.length - 1];
    if (!final && last && waitsForKill(last)) {
      const from = Math.max(0, last.lines.first - 1);
      if (nowMs - this.times[from] < this.maxHoldMs && this.lines.length - from < this.maxHoldLines) {
        keepFrom = from;
        events.pop();
      }
    }
    for (const e of events) if (this.accept(e, nowMs)) this.ready.push(e);
    this.lines = this.lines.slice(keepFrom);
    this.times = this.times.slice(keepFrom);
    this.held = this.lines.length;
  }

  /** Gives the event its wall-clock time and says whether it is new. */
  private accept(e: OomEvent, nowMs: number): boolean {
    // Lines that arrive live are from the current boot, whatever the source: the boot time applies.
    if (e.time === null && e.uptimeSeconds !== null && this.bootTimeMs !== undefined) {
      e.time = new Date(Math.round(this.bootTimeMs + e.uptimeSeconds * 1000)).toISOString();
    }
    if (this.isRestOfEmitted(e, nowMs) || !this.seen.isNew(e)) return false;
    const v = e.victim;
    if (v?.pid != null) {
      this.recentVictims.push({ pid: v.pid, comm: v.comm, atMs: nowMs });
      if (this.recentVictims.length > RECENT_VICTIMS) this.recentVictims.shift();
    }
    return true;
  }

  /**
   * An "oom_reaper: reaped" (or late "Killed process") line parsed after its report was emitted
   * makes a headerless event of its own: it is part of that report, not another kill.
   */
  private isRestOfEmitted(e: OomEvent, nowMs: number): boolean {
    const v = e.victim;
    if (e.kind !== 'kill' || e.trigger !== null || e.tasks.length > 0 || v?.pid == null) return false;
    return this.recentVictims.some((r) => r.pid === v.pid && nowMs - r.atMs <= FRAGMENT_WINDOW_MS && (r.comm === null || v.comm === null || r.comm === v.comm));
  }
}

/** A kill report whose victim is not known from a kill line yet (the kernel is still printing it). */
function waitsForKill(e: OomEvent): boolean {
  if (e.kind !== 'kill') return false;
  const v = e.victim;
  return !v || (v.totalVmKb === null && v.anonRssKb === null && e.reaped === null);
}

/** kernelLog.ts's Dedup in two generations, so a follower running for weeks stays bounded. */
class SeenEvents {
  private cur = new Dedup();
  private prev = new Dedup();
  private count = 0;
  isNew(e: OomEvent): boolean {
    const inCur = this.cur.isNew(e);
    const inPrev = this.prev.isNew(e); // also records it there: harmless, prev is dropped next
    if (!inCur || !inPrev) return false;
    if (++this.count >= DEDUP_GENERATION) {
      this.prev = this.cur;
      this.cur = new Dedup();
      this.count = 0;
    }
    return true;
  }
}

// ---- the live follower ----

export type FollowSourceKind = 'journal' | 'dmesg' | 'file' | 'none';

export interface FollowSource {
  source: FollowSourceKind;
  detail: string;
}

export interface FollowOptions {
  signal?: AbortSignal;
  sudo?: boolean;
  /** The host's boot time (epoch ms); else derived from the script's uptime and clock. */
  bootTimeMs?: number;
  quietMs?: number;
  /** Events earlier than this (minus 2 s) are old ones (`dmesg -w` prints the whole buffer first). */
  notBeforeMs?: number;
  onEvent: (e: OomEvent) => void;
  /** Which source is followed, each time the command (re)starts. */
  onSource?: (s: FollowSource) => void;
  /** The command ended early and is restarted after retryInMs. */
  onGap?: (reason: string, retryInMs: number) => void;
  /** Restarts in a row (without a long healthy run between) before giving up. */
  maxRestarts?: number;
}

export interface FollowResult {
  stoppedBy: 'signal' | 'unreadable' | 'gave-up';
  /** The kind of source last followed ('none' when none could be read or none started). */
  source: FollowSourceKind;
}

const NOT_BEFORE_SLACK_MS = 2000;
/** A run this long was healthy: the restart backoff starts over. */
const HEALTHY_RUN_MS = 60_000;
const KINDS = new Set<string>(['journal', 'dmesg', 'file', 'none']);

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function followKernelLog(host: Host, opts: FollowOptions): Promise<FollowResult> {
  const parser = new LogBurstParser({ quietMs: opts.quietMs, bootTimeMs: opts.bootTimeMs });
  const maxRestarts = opts.maxRestarts ?? 20;
  let failures = 0;
  let source: FollowSourceKind = 'none';
  for (;;) {
    if (opts.signal?.aborted) return { stoppedBy: 'signal', source };
    const run = new FollowRun(parser, opts);
    const started = Date.now();
    let reason: string;
    try {
      const res = await host.exec('sh -s', {
        stdin: logFollowScript({ sudo: opts.sudo }),
        signal: opts.signal,
        discardStdout: true,
        onStdout: (chunk) => run.chunk(chunk),
      });
      const why = res.stderr.trim().split('\n').pop();
      reason = `the kernel log follower ended (exit ${res.code ?? res.signal}${why ? `: ${why.slice(0, 200)}` : ''})`;
    } catch (e) {
      if (isCancelled(e) || opts.signal?.aborted) return { stoppedBy: 'signal', source: run.finish(source) };
      reason = (e as Error).message;
    }
    source = run.finish(source);
    if (opts.signal?.aborted) return { stoppedBy: 'signal', source };
    if (run.source?.source === 'none') return { stoppedBy: 'unreadable', source: 'none' };
    if (Date.now() - started >= HEALTHY_RUN_MS) failures = 0;
    if (failures >= maxRestarts) return { stoppedBy: 'gave-up', source };
    const backoff = Math.min(30_000, 500 * 2 ** failures);
    failures++;
    opts.onGap?.(reason, backoff);
    try {
      await sleep(backoff, opts.signal);
    } catch {
      return { stoppedBy: 'signal', source };
    }
  }
}

/** One run of the follower command: its framing lines, its log lines, and the quiet-period timer. */
class FollowRun {
  source: FollowSource | null = null;
  private rest = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** messages and syslog hold every program's lines (when the host's grep could not filter them). */
  private kernelOnly = false;

  constructor(
    private readonly parser: LogBurstParser,
    private readonly opts: FollowOptions,
  ) {}

  chunk(chunk: string): void {
    const parts = (this.rest + chunk).split('\n');
    this.rest = parts.pop() ?? '';
    const now = Date.now();
    for (const p of parts) this.line(p, now);
    // A line without an end that keeps growing is cut (the reader cuts long lines too).
    if (this.rest.length > MAX_LINE_BYTES) {
      this.line(this.rest, now);
      this.rest = '';
    }
    this.schedule();
  }

  /** Ends the run: parses what is left and clears the timer. Returns the source kind followed. */
  finish(previous: FollowSourceKind): FollowSourceKind {
    if (this.rest) this.line(this.rest, Date.now());
    this.rest = '';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // The lines that would complete a waiting report are gone with the command: emit it as it is.
    this.deliver(this.parser.flush(Date.now(), true));
    return this.source?.source ?? previous;
  }

  private line(raw: string, now: number): void {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (!this.source) {
      if (l.startsWith(FRAME + ' ')) this.frame(l.slice(FRAME.length + 1).split(' '));
      return;
    }
    if (this.kernelOnly && !SYSLOG_KEEP_RE.test(l)) return;
    this.parser.push(l, now);
  }

  private frame(words: string[]): void {
    if (words[0] === 'meta') {
      const meta: Record<string, string> = {};
      for (let i = 1; i + 1 < words.length; i += 2) meta[words[i]] = words[i + 1];
      const uptime = Number(meta.uptime);
      const now = Number(meta.now);
      if (this.opts.bootTimeMs === undefined && meta.uptime && meta.now && Number.isFinite(uptime) && Number.isFinite(now)) {
        this.parser.bootTimeMs = now * 1000 - uptime * 1000;
      }
    } else if (words[0] === 'follow' && KINDS.has(words[1] ?? '')) {
      this.source = { source: words[1] as FollowSourceKind, detail: words.slice(2).join(' ') };
      this.kernelOnly = this.source.source === 'file' && !this.source.detail.endsWith('/kern.log');
      this.opts.onSource?.(this.source);
    }
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const due = this.parser.nextFlushAt();
    if (due === null) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.deliver(this.parser.flush(Date.now()));
        this.schedule();
      },
      Math.max(0, due - Date.now()),
    );
  }

  private deliver(events: OomEvent[]): void {
    const notBefore = this.opts.notBeforeMs;
    for (const e of events) {
      const t = e.time ? Date.parse(e.time) : NaN;
      if (notBefore !== undefined && t < notBefore - NOT_BEFORE_SLACK_MS) continue; // old: printed before we started
      this.opts.onEvent(e);
    }
  }
}
