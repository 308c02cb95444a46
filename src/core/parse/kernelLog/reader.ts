// Streaming reader: bytes in, OOM events out, in bounded memory (only the current line, a few
// lines of look-back and the events found are held). Lines are split on '\n' in the byte buffers;
// ordinary lines of a large kernel log are skipped without being decoded: when no detector has an
// open event and the log is a stamped kernel/syslog log, the buffer is searched natively for a few
// anchor words and only lines that carry one (plus a short look-back window, for a task table tail
// or the GC lines before a V8 crash) go through the parsers.

import type { OomEvent, OomEventsResult } from '../../model/oomEvent';
import { ContainerStateDetector } from '../containerState';
import { RuntimeOomDetector } from '../runtimeOom';
import { KernelEventAssembler } from './kernelEvents';
import { LineJoiner, type LogicalLine } from './lineJoiner';
import { LineNormalizer, expandSyslogEscapes } from './lineNormalizer';
import type { Detector, EventSink, LineMeta } from './types';

export type OomEventsSource = OomEventsResult['source'];

/** Longer lines are cut to this many bytes (with a warning): nothing the kernel prints is longer. */
export const MAX_LINE_BYTES = 64 * 1024;
const MAX_WARNINGS = 500;
/** Every OOM report has one of these words within a few lines (see the INTEREST list below). */
const ANCHORS = [Buffer.from('oom'), Buffer.from('emory'), Buffer.from('Kill')];
const INTEREST = /invoked oom-killer|oom-killer: gfp|Killed process|[Kk]ill process|oom-kill:|oom_reaper|[Oo]ut of [Mm]emory|Memory cgroup|memory: usage|lowmemorykiller|OutOfMemoryError|MemoryError|insufficient memory|Native memory allocation|OOMKilled|Manual OOM|deadlocked on memory|\[ {0,8}pid {0,8}\]|Tasks state|heap out of memory|panic_on_oom|Out of Memory Error/;
/** Lines before an anchor line that are still parsed (task-table tails, V8 GC lines, Android "Process:" lines). */
const REWIND_LINES = 40;
/** Lines after an anchor line parsed in full (wrapped continuations, CPU/Pid lines). */
const TRAIL_LINES = 12;
const WARMUP_LINES = 200;

export class OomEventReader {
  private readonly events: OomEvent[] = [];
  private readonly warnings: string[] = [];
  private droppedWarnings = 0;
  private readonly normalizer = new LineNormalizer();
  private readonly joiner: LineJoiner;
  private readonly detectors: Detector[];
  private readonly meta: LineMeta = { first: 0, last: 0, timeText: null, time: null, uptime: null, host: null, indent: 0 };
  private carry: Buffer | null = null;
  /** Number (1-based) of the line that starts at offset 0 of the carried/next buffer. */
  private lineNo = 1;
  private skippingLong = false;
  private fullUntil = 0;
  private stampedShare = 0;
  private anchorData: Buffer | null = null;
  private anchorPos: number[] = [];
  private ended = false;
  private result: OomEventsResult | null = null;
  private seq = 0;
  private readonly order = new WeakMap<OomEvent, number>();

  constructor(private readonly source: OomEventsSource = { kind: 'stdin' }) {
    const sink: EventSink = {
      emit: (ev) => {
        this.order.set(ev, this.seq++);
        this.events.push(ev);
      },
      warn: (line, message) => this.warn(line, message),
    };
    this.detectors = [new KernelEventAssembler(sink), new RuntimeOomDetector(sink), new ContainerStateDetector(sink)];
    this.joiner = new LineJoiner((l) => this.dispatch(l));
  }

  /** Feeds the next piece of input (text or bytes; a multi-byte character may span two pieces of bytes). */
  push(chunk: string | Uint8Array): void {
    if (this.ended) return;
    try {
      let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this.lineNo === 1 && !this.carry && buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      const data = this.carry && this.carry.length > 0 ? Buffer.concat([this.carry, buf]) : buf;
      this.carry = null;
      this.process(data, false);
    } catch (e) {
      this.warn(this.lineNo, `internal error, input after this point may be missed: ${(e as Error).message}`);
    }
  }

  /** Ends the input and returns what was found. */
  end(): OomEventsResult {
    if (this.result) return this.result;
    this.ended = true;
    try {
      if (this.carry && this.carry.length > 0) this.process(this.carry, true);
      this.carry = null;
      this.joiner.flush();
      for (const d of this.detectors) d.finish();
    } catch (e) {
      this.warn(this.lineNo, `internal error at the end of input: ${(e as Error).message}`);
    }
    if (this.droppedWarnings > 0) this.warnings.push(`${this.droppedWarnings} more warnings not shown`);
    // Events are emitted when known to be events; container blocks are only known at their end.
    const events = this.events.slice().sort((a, b) => a.lines.first - b.lines.first || (this.order.get(a) ?? 0) - (this.order.get(b) ?? 0));
    this.result = { events, warnings: this.warnings, source: this.source };
    return this.result;
  }

  private warn(line: number, message: string): void {
    if (this.warnings.length >= MAX_WARNINGS) {
      this.droppedWarnings++;
      return;
    }
    this.warnings.push(`line ${line}: ${message}`);
  }

  private idle(): boolean {
    if (this.lineNo < WARMUP_LINES || this.lineNo < this.fullUntil || this.stampedShare < 0.8) return false;
    for (const d of this.detectors) if (!d.idle()) return false;
    return true;
  }

  private process(data: Buffer, final: boolean): void {
    let pos = 0;
    const len = data.length;
    if (this.skippingLong) {
      const nl = data.indexOf(10);
      if (nl < 0) return; // still inside the over-long line: drop it
      this.skippingLong = false;
      pos = nl + 1;
      this.lineNo++;
    }
    while (pos < len) {
      if (this.idle()) {
        const next = this.fastForward(data, pos, final);
        if (next < 0) return; // carried the rest
        pos = next;
        if (pos >= len) break;
      }
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        if (!final) {
          if (len - pos > MAX_LINE_BYTES) {
            this.longLine(data, pos, pos + MAX_LINE_BYTES);
            this.skippingLong = true;
            return;
          }
          this.carry = Buffer.from(data.subarray(pos));
          return;
        }
        this.fullLine(data, pos, len);
        this.lineNo++;
        break;
      }
      this.fullLine(data, pos, nl);
      pos = nl + 1;
      this.lineNo++;
    }
  }

  /**
   * Skips lines without anchors. Returns the offset where full parsing resumes, or -1 when the
   * rest of the buffer was carried over to the next chunk.
   */
  private fastForward(data: Buffer, pos: number, final: boolean): number {
    for (;;) {
      const a = this.nextAnchor(data, pos);
      if (a < 0) {
        const lastNl = data.lastIndexOf(10);
        if (lastNl < pos) {
          if (final) return pos;
          this.carryFrom(data, pos);
          return -1;
        }
        const keep = final ? lastNl + 1 : this.backLines(data, lastNl + 1, REWIND_LINES, pos);
        this.skip(data, pos, keep);
        if (final) return keep;
        this.carryFrom(data, keep);
        return -1;
      }
      const lineStart = Math.max(pos, a > 0 ? data.lastIndexOf(10, a - 1) + 1 : 0);
      const nl = data.indexOf(10, a);
      if (nl < 0 && !final) {
        const keep = this.backLines(data, lineStart, REWIND_LINES, pos);
        this.skip(data, pos, keep);
        this.carryFrom(data, keep);
        return -1;
      }
      const lineEnd = nl < 0 ? data.length : nl;
      const text = data.toString('utf8', lineStart, Math.min(lineEnd, lineStart + MAX_LINE_BYTES));
      if (!INTEREST.test(text)) {
        const after = nl < 0 ? data.length : nl + 1;
        this.skip(data, pos, after);
        pos = after;
        if (pos >= data.length) return pos;
        continue;
      }
      const rewind = this.backLines(data, lineStart, REWIND_LINES, pos);
      this.skip(data, pos, rewind);
      this.fullUntil = this.lineNo + countNewlines(data, rewind, lineStart) + TRAIL_LINES;
      return rewind;
    }
  }

  private carryFrom(data: Buffer, from: number): void {
    if (data.length - from > MAX_LINE_BYTES * 2) {
      // A huge unterminated tail: keep only its last line's start (it is re-scanned next time).
      const lastNl = data.lastIndexOf(10);
      if (lastNl >= from) {
        this.skip(data, from, lastNl + 1);
        from = lastNl + 1;
      }
      if (data.length - from > MAX_LINE_BYTES) {
        this.longLine(data, from, from + MAX_LINE_BYTES);
        this.skippingLong = true;
        return;
      }
    }
    this.carry = Buffer.from(data.subarray(from));
  }

  /** Moves the line counter over [from, to) without parsing those lines. */
  private skip(data: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.joiner.flush();
    this.lineNo += countNewlines(data, from, to);
  }

  /** Start offset of the line `k` lines before the line starting at `end` (not before `floor`). */
  private backLines(data: Buffer, end: number, k: number, floor: number): number {
    let s = end;
    for (let i = 0; i < k; i++) {
      if (s - 2 < floor) return floor;
      const prev = data.lastIndexOf(10, s - 2);
      if (prev < floor) return floor;
      s = prev + 1;
    }
    return s;
  }

  private nextAnchor(data: Buffer, from: number): number {
    if (this.anchorData !== data) {
      this.anchorData = data;
      this.anchorPos = ANCHORS.map(() => -2);
    }
    let best = -1;
    for (let k = 0; k < ANCHORS.length; k++) {
      let p = this.anchorPos[k];
      if (p === -2 || (p >= 0 && p < from)) {
        p = data.indexOf(ANCHORS[k], from);
        this.anchorPos[k] = p;
      }
      if (p >= 0 && (best < 0 || p < best)) best = p;
    }
    return best;
  }

  private longLine(data: Buffer, from: number, to: number): void {
    this.warn(this.lineNo, `line longer than ${MAX_LINE_BYTES} bytes, only its start was read`);
    this.fullLine(data, from, to);
  }

  private fullLine(data: Buffer, from: number, to: number): void {
    let end = to;
    if (end - from > MAX_LINE_BYTES) {
      this.warn(this.lineNo, `line longer than ${MAX_LINE_BYTES} bytes, only its start was read`);
      end = from + MAX_LINE_BYTES;
    }
    const raw = data.toString('utf8', from, end);
    const n = this.normalizer.normalize(raw);
    if (n.kind === 0) this.stampedShare = this.stampedShare * 0.98 + (n.stamped ? 0.02 : 0);
    this.joiner.push(n, this.lineNo, raw.length);
  }

  private dispatch(l: LogicalLine): void {
    const m = this.meta;
    m.first = l.first;
    m.last = l.last;
    m.timeText = l.timeText;
    m.time = l.time;
    m.uptime = l.uptime;
    m.host = l.host;
    m.indent = l.indent;
    let text = l.text;
    if (text.indexOf('#01') >= 0) text = expandSyslogEscapes(text);
    if (text.indexOf('\n') < 0) {
      this.toDetectors(text);
      return;
    }
    const parts = text.split('\n');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      const t = p.trim();
      if (t === '') continue;
      if (i > 0) m.indent = p.length - p.trimStart().length;
      this.toDetectors(t);
    }
  }

  private toDetectors(text: string): void {
    for (const d of this.detectors) {
      try {
        d.line(text, this.meta);
      } catch (e) {
        this.warn(this.meta.first, `could not read this line: ${(e as Error).message}`);
      }
    }
  }
}

function countNewlines(data: Buffer, from: number, to: number): number {
  let c = 0;
  let p = from;
  for (;;) {
    const i = data.indexOf(10, p);
    if (i < 0 || i >= to) return c;
    c++;
    p = i + 1;
  }
}

/** Reads a whole text. */
export function parseOomEvents(text: string, source: OomEventsSource = { kind: 'text' }): OomEventsResult {
  const r = new OomEventReader(source);
  r.push(text);
  return r.end();
}

/** Reads a stream (file, stdin, ssh channel) chunk by chunk. */
export async function readOomEventsFromStream(stream: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>, source: OomEventsSource = { kind: 'stdin' }): Promise<OomEventsResult> {
  const r = new OomEventReader(source);
  for await (const chunk of stream as AsyncIterable<string | Uint8Array>) r.push(chunk);
  return r.end();
}
