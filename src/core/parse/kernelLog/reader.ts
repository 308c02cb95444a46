// Streaming reader: bytes in, OOM events out, in bounded memory (only the current line, a few
// lines of look-back and the events found are held). Lines are split on '\n' in the byte buffers;
// ordinary lines of a large kernel log are skipped without being decoded: when no detector has an
// open event (stamped or not: an app log of JSON lines is skipped as fast), the buffer is searched natively for a few
// anchor words and only lines that carry one (plus a short look-back window, for a task table tail
// or the GC lines before a V8 crash) go through the parsers.

import type { OomEvent, OomEventsResult } from '../../model/oomEvent';
import { ContainerStateDetector } from '../containerState';
import { RuntimeOomDetector } from '../runtimeOom';
import { NohangKillDetector } from './nohangKills';
import { OomdKillDetector } from './oomdKills';
import { KernelEventAssembler } from './kernelEvents';
import { UserspaceKillDetector } from './userspaceKills';
import { LineJoiner, type LogicalLine } from './lineJoiner';
import { LineNormalizer, expandSyslogEscapes } from './lineNormalizer';
import { createAnchorScanner, MAX_SCAN_BYTES, type AnchorScanner } from './anchorScanner';
import type { Detector, EventSink, LineMeta } from './types';

export type OomEventsSource = OomEventsResult['source'];

/** Longer lines are cut to this many bytes (with a warning): nothing the kernel prints is longer. */
/** Events kept from one input; more are counted (newest kept). */
export const MAX_EVENTS = 20_000;
export const MAX_LINE_BYTES = 64 * 1024;
const MAX_WARNINGS = 500;
/** Lines with an anchor word (anchorScanner.ts) are parsed when they match this. */
export const INTEREST =
  /invoked oom-killer|oom-killer: gfp|Killed process|[Kk]ill process|oom-kill:|oom_reaper|[Oo]ut of [Mm]emory|Memory cgroup|memory: usage|lowmemorykiller|OutOfMemoryError|MemoryError|insufficient memory|Native memory allocation|OOMKilled|Manual OOM|deadlocked on memory|\[ {0,8}pid {0,8}\]|Tasks state|heap out of memory|panic_on_oom|Out of Memory Error|systemd-oomd|earlyoom|low memory! at|cannot allocate memory|Memory status that|Memory status before|Memory status after|oomd kill: |oomd\[|KillPlugin.cpp|KillPressure|KillMemoryGrowth|KillSwapUsage|KillIOCost|KillPgScan/;
/** Lines before an anchor line that are still parsed (task-table tails, V8 GC lines, Android "Process:" lines). */
const REWIND_LINES = 40;
/** Lines after an anchor line parsed in full (wrapped continuations, CPU/Pid lines). */
const TRAIL_LINES = 12;
const WARMUP_LINES = 200;
/**
 * Bytes before and after an anchor word that are tested against INTEREST: every phrase of it
 * that holds an anchor word fits (a unit test checks this against the phrases themselves).
 */
export const WINDOW_BEFORE = 24;
export const WINDOW_AFTER = 24;

type Latin1Slicer = { latin1Slice(start: number, end: number): string };
/** Node's own Buffer method behind toString('latin1'), called directly where it exists (faster). */
const HAS_LATIN1_SLICE = typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function';
/** ASCII-safe text of data[s, e) (INTEREST is ASCII; no byte of a multi-byte character decodes to ASCII). */
function latin1(data: Buffer, s: number, e: number): string {
  return HAS_LATIN1_SLICE ? (data as unknown as Latin1Slicer).latin1Slice(s, e) : data.toString('latin1', s, e);
}

export class OomEventReader {
  private readonly events: OomEvent[] = [];
  private ring = 0;
  private droppedEvents = 0;
  private readonly warnings: string[] = [];
  private droppedWarnings = 0;
  private readonly normalizer = new LineNormalizer();
  private readonly joiner: LineJoiner;
  private readonly detectors: Detector[];
  private readonly meta: LineMeta = { first: 0, last: 0, timeText: null, time: null, uptime: null, host: null, indent: 0, tag: null };
  private carry: Buffer | null = null;
  private atStart = true;
  /** Recently skipped (counted, unparsed) lines, for parsing a few lines before an OOM line. */
  private skipped: { buf: Buffer; from: number; to: number; lines: number }[] = [];
  private skippedLines = 0;
  /** Two buffers take turns holding the look-back lines when the caller reuses its input buffer. */
  private readonly look = [Buffer.allocUnsafe(16 * 1024), Buffer.allocUnsafe(16 * 1024)];
  private lookIdx = 0;
  /** Number (1-based) of the line that starts at offset 0 of the carried/next buffer. */
  private lineNo = 1;
  private skippingLong = false;
  private fullUntil = 0;
  private stampedShare = 0;
  private readonly scanKind: 'auto' | 'indexof' | undefined;
  private scannerInst: AnchorScanner | null = null;
  private ended = false;
  private result: OomEventsResult | null = null;
  private seq = 0;
  private readonly order = new WeakMap<OomEvent, number>();

  private readonly fastSkip: boolean;

  /**
   * @param options.fastSkip skip ordinary lines of big kernel logs without parsing them (default
   *   true; false parses every line, for tests that check both give the same events).
   * @param options.scan 'indexof' skips with Buffer.indexOf instead of WebAssembly (for tests and benches).
   */
  constructor(
    private readonly source: OomEventsSource = { kind: 'stdin' },
    options: { fastSkip?: boolean; scan?: 'auto' | 'indexof' } = {},
  ) {
    this.fastSkip = options.fastSkip !== false;
    this.scanKind = options.scan;
    const sink: EventSink = {
      emit: (ev) => {
        this.order.set(ev, this.seq++);
        // A log with no end of kills (a gzip bomb, a crash loop over years) keeps the newest MAX_EVENTS:
        // when full, each new event takes the place of the oldest kept.
        if (this.events.length < MAX_EVENTS) this.events.push(ev);
        else {
          this.events[this.ring] = ev;
          this.ring = (this.ring + 1) % MAX_EVENTS;
          this.droppedEvents++;
        }
      },
      warn: (line, message) => this.warn(line, message),
    };
    this.detectors = [
      new KernelEventAssembler(sink),
      new RuntimeOomDetector(sink),
      new ContainerStateDetector(sink),
      new UserspaceKillDetector(sink),
      new NohangKillDetector(sink),
      new OomdKillDetector(sink),
    ];
    this.joiner = new LineJoiner((l) => this.dispatch(l));
  }

  /** Feeds the next piece of input (text or bytes; a multi-byte character may span two pieces of bytes). */
  push(chunk: string | Uint8Array): void {
    if (this.ended) return;
    try {
      let buf =
        typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (this.atStart) {
        if (buf.length === 0) return;
        this.atStart = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      this.scannerInst?.forget();
      // The scanner takes at most MAX_SCAN_BYTES at once: feed big input in pieces.
      for (let off = 0; off < buf.length; off += MAX_SCAN_BYTES) {
        this.feed(buf.length <= MAX_SCAN_BYTES ? buf : buf.subarray(off, off + MAX_SCAN_BYTES));
      }
    } catch (e) {
      this.warn(this.lineNo, `internal error, input after this point may be missed: ${(e as Error).message}`);
    }
  }

  private feed(piece: Buffer): void {
    let buf = piece;
    if (this.skippingLong) {
      const nl = buf.indexOf(10);
      if (nl < 0) return; // still inside the over-long line: drop it
      this.skippingLong = false;
      this.lineNo++;
      buf = buf.subarray(nl + 1);
    }
    if (this.carry) {
      // Complete the line cut by the previous piece without copying this whole piece.
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (this.carry.length + buf.length > MAX_LINE_BYTES) {
          const head = Buffer.concat([this.carry, buf]).subarray(0, MAX_LINE_BYTES);
          this.carry = null;
          this.longLine(head, 0, head.length);
          this.skippingLong = true;
        } else this.carry = Buffer.concat([this.carry, buf]);
        return;
      }
      const seam = Buffer.concat([this.carry, buf.subarray(0, nl + 1)]);
      this.carry = null;
      this.run(seam, false);
      buf = buf.subarray(nl + 1);
    }
    this.run(buf, false);
  }

  /** A buffer to read the next piece into (the scanner's own memory when it has one, saving a copy); release it after pushing. */
  inputBuffer(size: number): Buffer {
    const inbox = this.scanner.inbox();
    return inbox && inbox.length >= size ? inbox.subarray(0, size) : Buffer.allocUnsafe(size);
  }

  /**
   * The caller is about to refill `buf` (a buffer it pushed before): copy out the few look-back
   * lines that still point into it.
   */
  release(buf: Buffer): void {
    this.scannerInst?.forget();
    if (!this.skipped.some((seg) => seg.buf.buffer === buf.buffer)) return;
    // Move all look-back lines into the spare of two buffers the reader keeps for this (no
    // allocation per piece); the other one is then free for next time.
    let total = 0;
    for (const seg of this.skipped) total += seg.to - seg.from;
    this.lookIdx ^= 1;
    if (this.look[this.lookIdx].length < total) this.look[this.lookIdx] = Buffer.allocUnsafe(Math.max(total, 2 * this.look[this.lookIdx].length));
    const target = this.look[this.lookIdx];
    let off = 0;
    for (const seg of this.skipped) {
      const n = seg.buf.copy(target, off, seg.from, seg.to);
      seg.buf = target;
      seg.from = off;
      seg.to = off + n;
      off += n;
    }
  }

  /**
   * The byte scanner, made on first use: a reader that never skips (short texts, fastSkip false)
   * does not pay for the WebAssembly instance and its 1.2 MB of memory.
   */
  private get scanner(): AnchorScanner {
    return (this.scannerInst ??= createAnchorScanner(this.scanKind));
  }

  /** Ends the input and returns what was found. */
  end(): OomEventsResult {
    if (this.result) return this.result;
    this.ended = true;
    try {
      if (this.carry && this.carry.length > 0) this.run(this.carry, true);
      this.carry = null;
      this.joiner.flush();
      for (const d of this.detectors) d.finish();
    } catch (e) {
      this.warn(this.lineNo, `internal error at the end of input: ${(e as Error).message}`);
    }
    if (this.droppedWarnings > 0) this.warnings.push(`${this.droppedWarnings} more warnings not shown`);
    if (this.droppedEvents > 0)
      this.warnings.push(
        `${this.droppedEvents.toLocaleString('en-US')} older OOM events not kept: only the newest ${MAX_EVENTS.toLocaleString('en-US')} are (the log holds ${(this.droppedEvents + MAX_EVENTS).toLocaleString('en-US')})`,
      );
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
    if (!this.fastSkip) return false;
    if (this.lineNo < WARMUP_LINES || this.lineNo < this.fullUntil) return false;
    for (const d of this.detectors) if (!d.idle()) return false;
    if (this.joiner.hasPending) {
      // The held line has not reached the detectors yet: it may open an event.
      this.joiner.flush();
      for (const d of this.detectors) if (!d.idle()) return false;
    }
    return true;
  }

  /** Parses the complete lines of `data` (and, when final, its unterminated last line); carries the rest. */
  private run(data: Buffer, final: boolean): void {
    let pos = 0;
    const len = data.length;
    while (pos < len) {
      if (this.idle()) {
        const next = this.fastForward(data, pos, final);
        if (next < 0) return; // the rest was carried
        pos = next;
        if (pos >= len) break;
      }
      const nl = data.indexOf(10, pos);
      if (nl < 0) {
        if (final) {
          this.fullLine(data, pos, len);
          this.lineNo++;
          return;
        }
        this.carryRest(data, pos);
        return;
      }
      this.fullLine(data, pos, nl);
      pos = nl + 1;
      this.lineNo++;
    }
  }

  /** Keeps an unterminated last line for the next piece (or reads the start of an over-long one). */
  private carryRest(data: Buffer, from: number): void {
    if (data.length - from > MAX_LINE_BYTES) {
      this.longLine(data, from, from + MAX_LINE_BYTES);
      this.skippingLong = true;
      return;
    }
    this.carry = Buffer.from(data.subarray(from));
  }

  /**
   * Skips lines without anchors. Returns the offset where full parsing resumes, or -1 when the
   * unterminated rest of the buffer was carried over to the next piece.
   */
  private fastForward(data: Buffer, pos: number, final: boolean): number {
    // Lines are counted and remembered once, for the whole stretch skipped, when this returns.
    const start = pos;
    let cur = pos; // start of the line `pos` is in
    for (;;) {
      const a = this.scanner.nextAnchor(data, pos);
      if (a < 0) {
        const lastNl = data.lastIndexOf(10);
        if (lastNl < cur) {
          this.skip(data, start, cur);
          if (final) return cur;
          this.carryRest(data, cur);
          return -1;
        }
        this.skip(data, start, lastNl + 1);
        if (final) return lastNl + 1;
        if (lastNl + 1 < data.length) this.carryRest(data, lastNl + 1);
        return -1;
      }
      // Every INTEREST phrase with an anchor word lies within a few dozen bytes of it: test that
      // window of the line, and go on to the next anchor when it fails. The window is searched
      // for line ends byte by byte, so a huge line full of anchors still costs linear time.
      let ws = a;
      const wsMin = Math.max(cur, a - WINDOW_BEFORE);
      while (ws > wsMin && data[ws - 1] !== 10) ws--;
      let we = a;
      const weMax = Math.min(data.length, a + WINDOW_AFTER);
      while (we < weMax && data[we] !== 10) we++;
      if (ws > cur && data[ws - 1] === 10) cur = ws;
      if (!INTEREST.test(latin1(data, ws, we))) {
        pos = a + 1;
        continue;
      }
      const lineStart = Math.max(cur, a > 0 ? data.lastIndexOf(10, a - 1) + 1 : 0);
      const nl = we < weMax ? we : data.indexOf(10, we);
      if (nl < 0 && !final) {
        this.skip(data, start, lineStart);
        this.carryRest(data, lineStart);
        return -1;
      }
      // An OOM line: parse the few lines before it that were skipped, then go on in full.
      this.skip(data, start, lineStart);
      this.replaySkipped();
      this.fullUntil = this.lineNo + TRAIL_LINES;
      return lineStart;
    }
  }

  /** Moves the line counter over the complete lines in [from, to) without parsing them, remembering the last few. */
  private skip(data: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.joiner.flush();
    const lines = this.scanner.countNewlines(data, from, to);
    this.lineNo += lines;
    const keepFrom = lines > REWIND_LINES ? this.backLines(data, to, REWIND_LINES, from) : from;
    const kept = lines > REWIND_LINES ? REWIND_LINES : lines;
    this.skipped.push({ buf: data, from: keepFrom, to, lines: kept });
    this.skippedLines += kept;
    while (this.skipped.length > 1 && this.skippedLines - this.skipped[0].lines >= REWIND_LINES) {
      this.skippedLines -= this.skipped.shift()!.lines;
    }
    if (this.skipped.length > 64) {
      this.skippedLines -= this.skipped.shift()!.lines;
    }
  }

  /** Parses the remembered skipped lines (they end right where parsing resumes). */
  private replaySkipped(): void {
    const segs = this.skipped;
    if (segs.length === 0) return;
    this.skipped = [];
    let total = this.skippedLines;
    this.skippedLines = 0;
    // Only the last REWIND_LINES lines.
    let drop = Math.max(0, total - REWIND_LINES);
    total -= drop;
    this.lineNo -= total;
    for (const s of segs) {
      let p = s.from;
      while (p < s.to) {
        const nl = s.buf.indexOf(10, p);
        const e = nl < 0 || nl >= s.to ? s.to : nl;
        if (drop > 0) drop--;
        else {
          this.fullLine(s.buf, p, e);
          this.lineNo++;
        }
        p = e + 1;
      }
    }
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

  private longLine(data: Buffer, from: number, to: number): void {
    this.warn(this.lineNo, `line longer than ${MAX_LINE_BYTES} bytes, only its start was read`);
    this.fullLine(data, from, to);
  }

  private fullLine(data: Buffer, from: number, to: number): void {
    if (this.skipped.length > 0) {
      this.skipped = [];
      this.skippedLines = 0;
    }
    let end = to;
    if (end - from > MAX_LINE_BYTES) {
      this.warn(this.lineNo, `line longer than ${MAX_LINE_BYTES} bytes, only its start was read`);
      end = from + MAX_LINE_BYTES;
    }
    const raw = data.toString('utf8', from, end);
    // Stay in full parsing for a few lines after any OOM line (CPU/Pid lines, wrapped parts).
    if (this.fastSkip && INTEREST.test(raw)) this.fullUntil = Math.max(this.fullUntil, this.lineNo + TRAIL_LINES);
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
    m.tag = l.tag;
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

/** Reads a whole text. */
export function parseOomEvents(text: string, source: OomEventsSource = { kind: 'text' }, options: { fastSkip?: boolean } = {}): OomEventsResult {
  const r = new OomEventReader(source, options);
  r.push(text);
  return r.end();
}

/**
 * Reads a stream (file, stdin, ssh channel) chunk by chunk. The reader keeps references to a few
 * recent chunks (look-back), so the stream must not reuse its buffers (Node streams do not).
 */
export async function readOomEventsFromStream(
  stream: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>,
  source: OomEventsSource = { kind: 'stdin' },
): Promise<OomEventsResult> {
  const r = new OomEventReader(source);
  for await (const chunk of stream as AsyncIterable<string | Uint8Array>) r.push(chunk);
  return r.end();
}
