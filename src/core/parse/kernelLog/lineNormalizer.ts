// Strips what surrounds a log message on one physical line: `cat -n` numbers, `> ` mail/markdown
// quoting, markdown fences, console padding, printk levels (<6>), syslog/journal prefixes (host and
// tag), RFC 3339 stamps, dmesg stamps ([uptime], dmesg -T in any locale, dmesg --human minute stamps
// and [+delta]) and journalctl -o json records. Prefixes stack when logs pass through several
// tools (klog around dmesg --human, kubectl --timestamps around syslog, an ISO stamp glued to the
// text), so after the first one, prefixes are stripped again until none is left. What it found is
// kept in a reused object so the hot path allocates nothing but the message slice.

import { isoFromParts, monthOf, parseDmesgT, parseIsoWithZone } from './timestamps';

export const enum LineKind {
  Text = 0,
  Blank = 1,
  Fence = 2,
}

export interface NormalizedLine {
  kind: LineKind;
  /** The message without any prefix; may contain '\n' (journal JSON messages, syslog #012). */
  text: string;
  /** A time/uptime/printk/syslog prefix was found: lines without one may be wrapped continuations. */
  stamped: boolean;
  timeText: string | null;
  time: string | null;
  uptime: number | null;
  host: string | null;
  /** Columns of whitespace before the message (after any stamp): YAML and describe blocks use it. */
  indent: number;
  /** The syslog/journal tag ("earlyoom[812]", "kernel"), when a prefix carried one. */
  tag: string | null;
  /** The line ended in a space or tab (trimmed off): a wrap there fell between two words. */
  trailingSpace: boolean;
}

function skipWs(s: string, i: number, end: number): number {
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

function blank(o: NormalizedLine): NormalizedLine {
  o.kind = LineKind.Blank;
  o.text = '';
  return o;
}

// Sticky regexes, applied at a moving offset (no slicing, no backtracking across the line).
const CAT_N = /[ \t]*\d{1,9}\t/y;
// A host never ends with ':' (without this, "Jul 05 17:33:19 systemd[2036]: unit: text" reads the tag as the host).
const SYSLOG = /((\p{L}{2,5}\.?) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:[.,]\d{1,6})?) (\S{0,254}[^\s:]) ([^\s:]{1,80}):(?: |$)/uy;
// The stamp may be glued to the text ("…+02:00[10588:0x3853920] "): it ends at a space or at anything that cannot continue it.
const ISO = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?(?: |$|(?=[^\d\s:.,+-]))/y;
// Syslog without a host (a paste that dropped it, journalctl of some setups): only a tag with a pid, or "kernel", is taken for one.
const SYSLOG_NOHOST = /((\p{L}{2,5}\.?) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(?:[.,]\d{1,6})?) ([^\s:[\]]{1,80}\[\d{1,10}\]|kernel):(?: |$)/uy;
// glog/klog: "I0601 23:23:10.447437 13604 utils.go:240] " (minikube and kubelet logs quote other logs this way).
const GLOG = /([IWEF])(\d{2})(\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d{1,9})? {1,8}\d{1,10} [^\s\]]{1,256}:\d{1,8}\](?: |$)/y;
/** How many prefixes beyond the first are stripped (a bound, so hostile lines cost nothing more). */
const MAX_STACKED = 6;
// journalctl -o short-full: "Mon 2025-12-08 17:51:31 CET host kernel: "
const SHORT_FULL =
  /(\p{L}{2,4}\.?) (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))? ([A-Za-z]{1,5}|[+-]\d{2}:?\d{2}) (\S{1,255}) ([^\s:]{1,80}):(?: |$)/uy;
/** Zone abbreviations that mean one offset only; others leave the time unread (never guessed). */
const ZONES: Record<string, string> = {
  UTC: 'Z',
  GMT: 'Z',
  Z: 'Z',
  CET: '+01:00',
  CEST: '+02:00',
  EET: '+02:00',
  EEST: '+03:00',
  WET: '+00:00',
  WEST: '+01:00',
  MSK: '+03:00',
  JST: '+09:00',
  KST: '+09:00',
  EST: '-05:00',
  EDT: '-04:00',
  CST: '',
  CDT: '-05:00',
  MST: '-07:00',
  MDT: '-06:00',
  PST: '-08:00',
  PDT: '-07:00',
  HST: '-10:00',
  AEST: '+10:00',
  AEDT: '+11:00',
};
const HOST_TAG = /(\S{1,255}) ([^\s:]{1,80}):(?: |$)/y;
// "2026-…Z fatal error: runtime: out of memory" (kubectl --timestamps around a program's own words)
// is a message, not "host tag:": no program is named like the second word of an error's opening.
const MESSAGE_NOT_TAG = /^(?:error|exception|warning|failure|panic)$/i;
const KERNEL_TAG = /kernel:(?: |$)/y;
const UPTIME = /\[ {0,12}(\d{1,10})\.(\d{1,9})\](?: |$)?/y;
const MONO_HOST = /(\S{1,255}) kernel:(?: |$)/y;
const DMESG_T = /\[([^\]\n]{1,48}? \d{1,2}:\d{2}:\d{2} \d{4})\](?: |$)?/y;
const HUMAN = /\[(\p{L}{2,6}\.?) ?(\d{1,2}) (\d{1,2}):(\d{2})\](?: |$)?/uy;
const DELTA = /\[ {0,12}([+-]\d{1,10}\.\d{1,9})\](?: |$)?/y;
const PRINTK = /<\d{1,2}>/y;
const FENCE = /[ \t]*(?:```|~~~)/y;

export class LineNormalizer {
  readonly out: NormalizedLine = {
    kind: LineKind.Text,
    text: '',
    stamped: false,
    timeText: null,
    time: null,
    uptime: null,
    host: null,
    indent: 0,
    tag: null,
    trailingSpace: false,
  };
  /** Last absolute `dmesg --human` minute stamp: lines with only a [+delta] inherit it. */
  private humanStamp: string | null = null;

  normalize(raw: string): NormalizedLine {
    const o = this.out;
    o.kind = LineKind.Text;
    o.stamped = false;
    o.timeText = null;
    o.time = null;
    o.uptime = null;
    o.host = null;
    o.indent = 0;
    o.tag = null;
    o.trailingSpace = false;

    let end = raw.length;
    while (end > 0) {
      const c = raw.charCodeAt(end - 1);
      if (c === 32 || c === 9 || c === 13 || c === 0) {
        if (c === 32 || c === 9) o.trailingSpace = true;
        end--;
      } else break;
    }
    let i = skipWs(raw, 0, end);
    if (i >= end) return blank(o);
    let c = raw.charCodeAt(i);
    let contentStart = 0;
    // cat -n: "     1\t..."
    if (c >= 48 && c <= 57) {
      CAT_N.lastIndex = 0;
      if (CAT_N.test(raw)) {
        contentStart = CAT_N.lastIndex;
        i = skipWs(raw, contentStart, end);
        c = raw.charCodeAt(i);
      }
    }
    // "> " quoting, possibly nested ("> > ").
    while (c === 62 /* > */ && i < end) {
      i++;
      if (raw.charCodeAt(i) === 32) i++;
      contentStart = i;
      i = skipWs(raw, i, end);
      c = raw.charCodeAt(i);
    }
    if (i >= end) return blank(o);
    if (c === 96 /* ` */ || c === 126 /* ~ */) {
      FENCE.lastIndex = i;
      if (FENCE.test(raw)) {
        o.kind = LineKind.Fence;
        o.text = '';
        return o;
      }
    }
    const lead = i - contentStart;
    // "* " prefix of `minikube logs` before a stamp.
    if (c === 42 /* * */ && raw.charCodeAt(i + 1) === 32 && raw.charCodeAt(i + 2) === 91) {
      i += 2;
      c = 91;
    }
    if (c === 123 /* { */ && raw.indexOf('"MESSAGE"', i) > 0) {
      if (this.journalJson(raw.slice(i, end))) return o;
    }
    const before = i;
    if (c === 60 /* < */) {
      i = this.printk(raw, i);
      c = raw.charCodeAt(i);
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128) {
      // syslog / journal short: "Jun 20 12:47:02 host tag: " (journalctl localizes the month)
      SYSLOG.lastIndex = i;
      const m = SYSLOG.exec(raw);
      if (m && monthOf(m[2]) !== null) {
        o.stamped = true;
        o.timeText = m[1];
        o.host = m[7];
        o.tag = m[8];
        i = this.afterPrefix(raw, SYSLOG.lastIndex);
      } else if (this.syslogNoHost(raw, i)) {
        i = this.afterPrefix(raw, SYSLOG_NOHOST.lastIndex);
      } else {
        SHORT_FULL.lastIndex = i;
        const f = SHORT_FULL.exec(raw);
        if (f) {
          o.stamped = true;
          o.timeText = `${f[1]} ${f[2]} ${f[3]}${f[4] !== undefined ? '.' + f[4] : ''} ${f[5]}`;
          const zone = /^[+-]/.test(f[5]) ? f[5] : ZONES[f[5].toUpperCase()];
          o.time = zone ? parseIsoWithZone(f[2], f[3], f[4], zone) : null;
          o.host = f[6];
          o.tag = f[7];
          i = this.afterPrefix(raw, SHORT_FULL.lastIndex);
        }
      }
    } else if (c >= 48 && c <= 57) {
      ISO.lastIndex = i;
      const m = ISO.exec(raw);
      if (m) {
        o.stamped = true;
        o.timeText = raw.slice(i, ISO.lastIndex).trimEnd();
        o.time = parseIsoWithZone(m[1], m[2], m[3], m[4]);
        i = ISO.lastIndex;
        HOST_TAG.lastIndex = skipWs(raw, i, end);
        const h = HOST_TAG.exec(raw);
        if (h && !/^[\d[(<]/.test(h[1]) && !MESSAGE_NOT_TAG.test(h[2])) {
          o.host = h[1];
          o.tag = h[2];
          i = HOST_TAG.lastIndex;
        }
        i = this.afterPrefix(raw, i);
      }
    } else if (c === 91 /* [ */) {
      i = this.bracketStamp(raw, i, true);
    }
    if (i !== before) {
      // Stacked prefixes: strip again until nothing more comes off.
      for (let k = 0; k < MAX_STACKED; k++) {
        const p = skipWs(raw, i, end);
        const q = this.stacked(raw, p, end);
        if (q <= p) break;
        i = q;
      }
    } else if (c === 73 || c === 87 || c === 69 || c === 70) {
      // A klog line as the first prefix.
      const q = this.stacked(raw, i, end);
      if (q > i) {
        i = q;
        for (let k = 0; k < MAX_STACKED; k++) {
          const p = skipWs(raw, i, end);
          const r = this.stacked(raw, p, end);
          if (r <= p) break;
          i = r;
        }
      }
    }
    const j = skipWs(raw, i, end);
    o.indent = i === before ? lead : j - i;
    o.text = j === 0 && end === raw.length ? raw : raw.slice(j, end);
    if (o.text === '') o.kind = LineKind.Blank;
    return o;
  }

  /** "Jun 20 12:47:02 earlyoom[812]: " with no host. */
  private syslogNoHost(raw: string, i: number): boolean {
    SYSLOG_NOHOST.lastIndex = i;
    const m = SYSLOG_NOHOST.exec(raw);
    if (!m || monthOf(m[2]) === null) return false;
    const o = this.out;
    o.stamped = true;
    o.timeText = m[1];
    o.tag = m[7];
    return true;
  }

  /**
   * One more prefix at `i` (after a first one was stripped): klog, "> " quoting, an ISO or syslog
   * stamp, "kernel:", a printk level, a dmesg stamp. Returns where the text then starts (`i` if none).
   * Stamps found later do not replace a time already read from an outer one.
   */
  private stacked(raw: string, i: number, end: number): number {
    if (i >= end) return i;
    const o = this.out;
    const c = raw.charCodeAt(i);
    if (c === 62 /* > */) return raw.charCodeAt(i + 1) === 32 ? i + 2 : i + 1;
    if (c === 60 /* < */) return this.printk(raw, i);
    if (c === 91 /* [ */) {
      const had = { timeText: o.timeText, time: o.time, uptime: o.uptime };
      const j = this.bracketStamp(raw, i, false);
      if (j > i && (had.timeText !== null || had.time !== null || had.uptime !== null)) {
        if (had.timeText !== null) o.timeText = had.timeText;
        if (had.time !== null) o.time = had.time;
        if (had.uptime !== null && o.uptime === null) o.uptime = had.uptime;
      }
      return j;
    }
    if (c === 73 || c === 87 || c === 69 || c === 70) {
      GLOG.lastIndex = i;
      const g = GLOG.exec(raw);
      if (g) {
        o.stamped = true;
        if (o.timeText === null && o.time === null) o.timeText = raw.slice(i, i + 21).trimEnd();
        return GLOG.lastIndex;
      }
    }
    if (c >= 48 && c <= 57) {
      ISO.lastIndex = i;
      const m = ISO.exec(raw);
      if (m) {
        o.stamped = true;
        if (o.time === null) {
          o.timeText = raw.slice(i, ISO.lastIndex).trimEnd();
          o.time = parseIsoWithZone(m[1], m[2], m[3], m[4]);
        }
        return ISO.lastIndex;
      }
      return i;
    }
    if (c === 107 /* k */) {
      KERNEL_TAG.lastIndex = i;
      if (KERNEL_TAG.test(raw)) {
        o.tag ??= 'kernel';
        return KERNEL_TAG.lastIndex;
      }
    }
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c >= 128) {
      const keep = { timeText: o.timeText, time: o.time };
      SYSLOG.lastIndex = i;
      const m = SYSLOG.exec(raw);
      let j = i;
      if (m && monthOf(m[2]) !== null) {
        o.stamped = true;
        o.timeText = m[1];
        o.host ??= m[7];
        o.tag = m[8];
        j = SYSLOG.lastIndex;
      } else if (this.syslogNoHost(raw, i)) {
        j = SYSLOG_NOHOST.lastIndex;
      }
      if (j > i && keep.time !== null) {
        // An outer stamp with a zone (kubectl --timestamps, journal ISO) says more than a syslog clock.
        o.timeText = keep.timeText;
        o.time = keep.time;
      }
      return j;
    }
    return i;
  }

  /** After a syslog/ISO prefix: optional "kernel:" (double prefix), printk level, dmesg stamp. */
  private afterPrefix(raw: string, i: number): number {
    KERNEL_TAG.lastIndex = i;
    if (KERNEL_TAG.test(raw)) i = KERNEL_TAG.lastIndex;
    if (raw.charCodeAt(i) === 60) i = this.printk(raw, i);
    if (raw.charCodeAt(i) === 91) i = this.bracketStamp(raw, i, false);
    return i;
  }

  private printk(raw: string, i: number): number {
    PRINTK.lastIndex = i;
    if (PRINTK.test(raw)) {
      this.out.stamped = true;
      return PRINTK.lastIndex;
    }
    return i;
  }

  /** dmesg stamps: [uptime], [dmesg -T], [--human minute], [+delta]; journal short-monotonic host. */
  private bracketStamp(raw: string, i: number, top: boolean): number {
    const o = this.out;
    const c1 = raw.charCodeAt(i + 1);
    if (c1 === 32 || (c1 >= 48 && c1 <= 57)) {
      UPTIME.lastIndex = i;
      const m = UPTIME.exec(raw);
      if (m) {
        o.stamped = true;
        o.uptime = Number(m[1] + '.' + m[2]);
        let j = UPTIME.lastIndex;
        if (top) {
          MONO_HOST.lastIndex = j;
          const h = MONO_HOST.exec(raw);
          if (h) {
            o.host = h[1];
            j = MONO_HOST.lastIndex;
          }
          if (raw.charCodeAt(j) === 60) j = this.printk(raw, j);
        }
        return j;
      }
      DELTA.lastIndex = i;
      const d = DELTA.exec(raw);
      if (d) {
        o.stamped = true;
        if (top && this.humanStamp) o.timeText = this.humanStamp;
        return DELTA.lastIndex;
      }
    }
    if (c1 === 43 /* + */ || c1 === 45) {
      DELTA.lastIndex = i;
      if (DELTA.test(raw)) {
        o.stamped = true;
        if (this.humanStamp) o.timeText = this.humanStamp;
        return DELTA.lastIndex;
      }
    }
    if (c1 === 32 || c1 === 43 || c1 === 45 || (c1 >= 48 && c1 <= 57) || c1 === 60 /* [<ffff>] trace */) return i;
    HUMAN.lastIndex = i;
    const h = HUMAN.exec(raw);
    if (h && monthOf(h[1]) !== null) {
      o.stamped = true;
      const inner = raw.slice(i + 1, HUMAN.lastIndex).replace(/\]\s*$/, '');
      this.humanStamp = inner;
      o.timeText = inner;
      return HUMAN.lastIndex;
    }
    DMESG_T.lastIndex = i;
    const t = DMESG_T.exec(raw);
    if (t) {
      o.stamped = true;
      o.timeText = t[1];
      o.time = parseDmesgT(t[1]);
      return DMESG_T.lastIndex;
    }
    return i;
  }

  /** journalctl -o json: one object per line; MESSAGE may be a string or an array of bytes. */
  private journalJson(json: string): boolean {
    const o = this.out;
    let rec: Record<string, unknown> | null = null;
    try {
      const v: unknown = JSON.parse(json);
      if (v && typeof v === 'object' && !Array.isArray(v)) rec = v as Record<string, unknown>;
    } catch {
      rec = salvageJournal(json);
    }
    if (!rec || !('MESSAGE' in rec)) return false;
    const msg = rec.MESSAGE;
    let text: string | null = null;
    if (typeof msg === 'string') text = msg;
    else if (Array.isArray(msg) && msg.length <= 1 << 20 && msg.every((b) => typeof b === 'number' && b >= 0 && b <= 255)) {
      text = Buffer.from(msg as number[]).toString('utf8');
    }
    if (text == null) return false;
    o.stamped = true;
    const rt = rec.__REALTIME_TIMESTAMP;
    if (typeof rt === 'string' && /^\d{10,19}$/.test(rt)) {
      const ms = Math.floor(Number(rt) / 1000);
      const d = new Date(ms);
      if (Number.isFinite(d.getTime())) o.time = d.toISOString();
    }
    const mono = rec._SOURCE_MONOTONIC_TIMESTAMP;
    if (typeof mono === 'string' && /^\d{1,19}$/.test(mono) && (rec._TRANSPORT === 'kernel' || rec.SYSLOG_IDENTIFIER === 'kernel')) {
      o.uptime = Number(mono) / 1e6;
    }
    const host = rec._HOSTNAME;
    if (typeof host === 'string' && host !== '') o.host = host;
    text = text.replace(/\s+$/, '');
    o.text = text;
    o.kind = text === '' ? LineKind.Blank : LineKind.Text;
    return true;
  }
}

/** A journal JSON line cut short: take what can be read (MESSAGE string, timestamps, host). */
function salvageJournal(json: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const msg = /"MESSAGE"\s*:\s*("(?:[^"\\\n]|\\.){0,65536}")/.exec(json);
  if (msg) {
    try {
      out.MESSAGE = JSON.parse(msg[1]);
    } catch {
      return null;
    }
  } else {
    const arr = /"MESSAGE"\s*:\s*\[([\d,\s]{0,262144})\]/.exec(json);
    if (!arr) return null;
    out.MESSAGE = arr[1].split(',').map((s) => Number(s.trim()));
  }
  for (const key of ['__REALTIME_TIMESTAMP', '_SOURCE_MONOTONIC_TIMESTAMP', '_HOSTNAME', '_TRANSPORT']) {
    const m = new RegExp(`"${key}"\\s*:\\s*"([^"\\\\]{0,256})"`).exec(json);
    if (m) out[key] = m[1];
  }
  return out;
}

/** Splits a message on rsyslog's #012 (newline) escape and turns #011 into a tab. */
export function expandSyslogEscapes(text: string): string {
  if (text.indexOf('#01') < 0) return text;
  return text.replace(/#012/g, '\n').replace(/#011/g, '\t');
}

// Exported for tests.
export { isoFromParts };
