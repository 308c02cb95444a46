// Re-joins lines that a terminal or a mail client wrapped. In a stamped log (dmesg, syslog,
// journal) a non-empty line without a stamp after a stamped one continues it; in unstamped text
// only an OOM line that is visibly cut short (a kill line without its sizes, a header without
// oom_score_adj) takes the next line. Short lines are never wrapped ones. Terminal wraps keep every
// character (join as is), mail wraps drop the space they broke at (join with a space).

import { LineKind, type NormalizedLine } from './lineNormalizer';

/** One message, possibly joined from several physical lines first..last (1-based). */
export interface LogicalLine extends Omit<NormalizedLine, 'kind' | 'trailingSpace'> {
  first: number;
  last: number;
}

/** Lines shorter than this were not wrapped by anything (terminals and mailers wrap at 72+). */
const MIN_WRAPPED = 60;
const TERMINAL_WIDTH = 80;
const MAX_JOINS = 4;
const MAX_JOINED = 16384;

const NEW_RECORD =
  /^(?:Killed process|Out of [Mm]emory|Memory cgroup|oom-kill:|oom_reaper|oom-killer|Tasks state|Mem-Info|Node \d|CPU: |Pid: |Call Trace|Hardware name|lowmemorykiller|Kernel panic|\[ {0,8}(?:pid|\d+) {0,8}\]|\[<|\? |<\/?TASK>|RIP: |Code: |\.\.\.|\[\.\.\.\]|#+ |\$ |[\w.-]+@[\w.-]+[:$#]|[-=*]{3,}|FATAL ERROR|<---|java\.|at |Caused by|Exception)/;

export class LineJoiner {
  private pending: LogicalLine | null = null;
  private pendingRawLen = 0;
  /** The held line ended in whitespace: what follows is a new word. */
  private pendingTrailingSpace = false;
  private joins = 0;
  /** Share of recent logical lines that were stamped (1 = all). */
  private stampedShare = 1;

  constructor(private readonly emit: (line: LogicalLine) => void) {}

  get hasPending(): boolean {
    return this.pending !== null;
  }

  push(n: NormalizedLine, lineNo: number, rawLen: number): void {
    const p = this.pending;
    if (n.kind !== LineKind.Text) {
      if (p) this.flush();
      return;
    }
    if (p && !n.stamped && this.shouldJoin(p, n)) {
      p.text = joinText(p.text, n.text, this.pendingRawLen, n.indent > 0 || this.pendingTrailingSpace);
      this.pendingTrailingSpace = n.trailingSpace;
      p.last = lineNo;
      this.pendingRawLen = rawLen;
      this.joins++;
      return;
    }
    if (p) this.flush();
    this.stampedShare = this.stampedShare * 0.9 + (n.stamped ? 0.1 : 0);
    this.pending = {
      text: n.text,
      first: lineNo,
      last: lineNo,
      stamped: n.stamped,
      timeText: n.timeText,
      time: n.time,
      uptime: n.uptime,
      host: n.host,
      indent: n.indent,
      tag: n.tag,
    };
    this.pendingRawLen = rawLen;
    this.pendingTrailingSpace = n.trailingSpace;
    this.joins = 0;
  }

  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    this.emit(p);
  }

  private shouldJoin(p: LogicalLine, n: NormalizedLine): boolean {
    if (this.joins >= MAX_JOINS || p.text.length + n.text.length > MAX_JOINED) return false;
    if (NEW_RECORD.test(n.text) || n.text.indexOf('invoked oom-killer') >= 0) return false;
    if (this.pendingRawLen >= MIN_WRAPPED && p.stamped && this.stampedShare > 0.5) return true;
    // An OOM line visibly cut short takes the next line whatever its length (narrow terminals, editors).
    return this.pendingRawLen >= 24 && looksCutShort(p.text);
  }
}

/** An OOM line that visibly lacks its end, so the next unstamped line must be its rest. */
export function looksCutShort(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  // A task-table row ends with the name: one that ends in a number lost its name (and maybe oom_score_adj) to the next line.
  if (text.charCodeAt(0) === 91 && TASK_ROW.test(text)) return isDigit(last);
  if (text.indexOf('Killed process ') >= 0) return !/(?:kB|oom_score_adj:-?\d+|\)\.?)$/.test(text) || (!/file-rss/.test(text) && /total-vm|vsz/.test(text));
  if (text.indexOf('invoked oom-killer') >= 0) return !/oom_score_adj=-?\d+$/.test(text);
  if (text.startsWith('oom-kill:')) return !/,uid=\d+$/.test(text);
  if (/[Kk]ill process \d/.test(text)) return !/(?:child|children\.?)$/.test(text);
  if (text.startsWith('memory: usage')) return !/failcnt \d+$/.test(text);
  return last === 45 /* - */ && /[A-Za-z]-$/.test(text) && /oom|rss|kB/.test(text);
}

const TASK_ROW = /^\[ {0,12}\d{1,10}\]\s+-?\d/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * Joins a wrapped line's parts: as is for a terminal wrap or a word cut mid-way, with a space for a
 * mail wrap; `apart` (the next part is indented, or the first ended in whitespace) always takes a space.
 */
export function joinText(a: string, b: string, prevRawLen: number, apart: boolean): string {
  if (apart) return a + ' ' + b;
  const la = a.charCodeAt(a.length - 1);
  const fb = b.charCodeAt(0);
  // A task row's columns are separated by spaces: after a number, anything but a digit starts a new column.
  // A mail client breaks a row only at a space (a terminal, at its width, anywhere).
  if (isDigit(la) && a.charCodeAt(0) === 91 && TASK_ROW.test(a) && (!isDigit(fb) || prevRawLen < TERMINAL_WIDTH)) return a + ' ' + b;
  if (la === 32 || la === 9) return a + b;
  if (prevRawLen >= TERMINAL_WIDTH) return a + b;
  if (isDigit(la) && isDigit(fb)) return a + b;
  if (la === 45 /* - */ && isWordChar(a.charCodeAt(a.length - 2)) && isWordChar(fb)) return a + b;
  if (la === 58 /* : */ && isWordChar(fb) && isWordChar(a.charCodeAt(a.length - 2))) return a + b;
  return a + ' ' + b;
}
