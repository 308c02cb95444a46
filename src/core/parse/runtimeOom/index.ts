// Out-of-memory deaths reported by language runtimes rather than the kernel: Node/V8 ("FATAL ERROR:
// Reached heap limit Allocation failed - JavaScript heap out of memory", with the "Last few GCs"
// lines giving pid and heap size), Java OutOfMemoryError (heap, GC overhead, Metaspace, native
// thread...), HotSpot's native banner ("There is insufficient memory for the Java Runtime
// Environment"), Android ART ("Failed to allocate a N byte allocation with M free bytes"), Python
// MemoryError and Go's "fatal error: [runtime: ]out of memory" (with the goroutine dump after it: the
// first frame in the user's code is where the allocation happened). Fed logical lines in input order.

import type { GoRuntimeOom, OomEvent, RuntimeOom } from '../../model/oomEvent';
import { blankEvent, type Detector, type EventSink, type LineMeta } from '../kernelLog/types';

// "[6032:0x5f8a2d0]    12345 ms: Mark-Compact 2047.1 (2083.5) -> 2046.8 (2084.0) MB, ..."
// Windows prints the isolate without 0x: "[6688:00000265CEB76EB0]".
const V8_GC =
  /^\[(\d{1,10}):(?:0x)?[0-9a-fA-F]{1,16}\]\s{1,16}\d{1,12}(?:\.\d{1,3})? ms: [A-Za-z-]{1,32}(?: \([a-z ]{1,24}\))? (\d{1,9}(?:\.\d{1,3})?) \(\d{1,9}(?:\.\d{1,3})?\)(?: -> (\d{1,9}(?:\.\d{1,3})?))?/;
const JAVA_OOM_TOKEN = /(?:^|[\s"'`*(:[])((?:[A-Za-z_$][\w$]{0,64}\.){0,8}OutOfMemoryError)(?![\w$])/;
const PY_MEMORY_ERROR = /^((?:[A-Za-z_]\w{0,64}\.){0,8}_?(?:Array)?MemoryError)(?::\s?(.{0,2000}))?$/;
const GO_IN_USE = /^runtime: out of memory: cannot allocate (\d{1,20})-byte block \((\d{1,20}) in use\)/;
// "out of memory", "runtime: out of memory" (sysMap's ENOMEM), "out of memory allocating heap arena map"
const GO_OOM_MESSAGE = /^(?:runtime: )?out of memory\b|^runtime: cannot allocate memory/;
// Go 1.21+ adds "gp=0x… m=0 mp=0x…" before the state
const GO_GOROUTINE = /^goroutine \d{1,12} (?:gp=\S{1,24} m=\S{1,12} (?:mp=\S{1,24} )?)?\[[^\]]{0,200}\]:?$/;
// "\t/src/main.go:12 +0x2c fp=0x… sp=0x… pc=0x…" (the tab may be lost in a paste): matched from the end
const GO_FILE_TAIL = /\.(?:go|s|c):(\d{1,9})(?: \+0x[0-9a-fA-F]{1,16})?(?: fp=\S{1,24} sp=\S{1,24} pc=\S{1,24})?$/;
// the function of "main.leak(...)", "runtime.(*mcache).allocLarge(0x1800?, 0x1)", "main.F[...](0x1)"
const GO_FUNC = /^[\w./~%*()[\]{},-]{1,1000}$/;
// The standard library's top-level packages: frames in these are the runtime's, not the user's.
const GO_STD_ROOTS = new Set(
  'archive bufio builtin bytes cmp compress container context crypto database debug embed encoding errors expvar flag fmt go hash html image index internal io iter log maps math mime net os path plugin reflect regexp runtime slices sort strconv strings sync syscall testing text time unicode unique unsafe weak vendor'.split(
    ' ',
  ),
);
/** How long a goroutine dump may go on with lines that are not part of one (pastes lose blank lines to other text). */
const GO_DUMP_GAP = 2;
const ANDROID_PROCESS = /(?:^|\s)Process: ([\w.:-]{1,255}), PID: (\d{1,10})/;
const JAVA_PID_FILE = /(?:hs_err_pid|java_pid)(\d{1,10})\b/;
const HS_ERR_PID = /Out of Memory Error \([^)]{0,200}\), pid=(\d{1,10})/;
const STACK_FRAME =
  /^(?:at |\.\.\. \d+ (?:more|common frames omitted)|Caused by: |Suppressed: |\d{1,3}: (?:0x[0-9a-f]+|[\w:~<>]+)|#\d+ |-+ Native stack trace|<--- JS stacktrace|==== JS stack trace|Security context:|\d+: \/\*|\[[^\]]{1,200}\]$|goroutine \d+ \[)/;
// Java OOM messages that may sit alone on the line after a bare "java.lang.OutOfMemoryError".
const JAVA_MESSAGE_LINE =
  /^(?:Failed to allocate a |Java heap space|GC overhead limit exceeded|Metaspace|Compressed class space|unable to create (?:new )?native thread|Requested array size exceeds|Direct buffer memory|pthread_create|OOM allocating|Cannot reserve|Map failed)/;

interface Recent {
  line: number;
}

/** The goroutine dump after a Go OOM, still being read. */
interface GoDump {
  ev: OomEvent;
  rt: GoRuntimeOom;
  /** Goroutine headers seen: the user frame is looked for in the first one only (the crashing goroutine, printed first). */
  goroutines: number;
  /** The function line waiting for its file line. */
  fn: string | null;
  /** Lines that were not dump lines since the last one that was. */
  gap: number;
  /** The last physical line of the dump so far. */
  last: number;
}

export class RuntimeOomDetector implements Detector {
  /**
   * The GC lines of each pid not yet matched to a FATAL ERROR (cluster workers interleave their
   * "Last few GCs"): a FATAL ERROR, which names no pid, takes the one whose GC lines began first.
   */
  private gcs = new Map<number, Recent & { first: number; heapMb: number | null }>();
  private gcBlock: Recent | null = null;
  private android: (Recent & { pid: number }) | null = null;
  private javaPid: (Recent & { pid: number }) | null = null;
  private goInUse: (Recent & { heapMb: number; allocBytes: number; inUseBytes: number }) | null = null;
  private goDump: GoDump | null = null;
  /** The last Go event whose goroutine dump was seen. */
  private goDumped: OomEvent | null = null;
  /** HotSpot's "os::commit_memory(...) failed; error=... (errno=12)" warning that precedes its banner. */
  private commitWarning: Recent | null = null;
  /** Node FATAL ERROR line cut before "JavaScript heap out of memory" (hard-wrapped paste). */
  private pendingFatal: OomEvent | null = null;
  /** Node 6/8 "FATAL ERROR: Scavenger: semi-space copy" whose " Allocation failed - …" is on the next line. */
  private pendingReason: { text: string; line: number } | null = null;
  /** A bare "java.lang.OutOfMemoryError" whose message is on the next line. */
  private pendingMessage: OomEvent | null = null;
  private pendingClass = '';
  /** HotSpot native-OOM banner still collecting its lines (pid, allocation detail). */
  private jvm: OomEvent | null = null;
  private last: OomEvent | null = null;
  private lastKey = '';
  private lastTail = 0;

  constructor(private readonly sink: EventSink) {}

  idle(): boolean {
    return this.pendingFatal === null && this.pendingMessage === null && this.jvm === null && this.pendingReason === null && this.goDump === null;
  }

  finish(): void {
    this.goDump = null;
    this.pendingFatal = null;
    this.pendingReason = null;
    this.pendingMessage = null;
    this.jvm = null;
  }

  line(text: string, meta: LineMeta): void {
    const n = meta.first;
    if (this.goDump && this.goLine(text.trim(), meta)) return;
    if (this.jvm && n - this.jvm.lines.first > 60) this.jvm = null;
    if (this.pendingFatal) {
      const ev = this.pendingFatal;
      this.pendingFatal = null;
      if (/^(?:JavaScript heap |process )?out of memory/.test(text) || text.startsWith('JavaScript heap')) {
        ev.runtime!.message = `${ev.runtime!.message} ${text.trim()}`.replace(/\s+/g, ' ');
        ev.lines.last = meta.last;
        this.lastTail = meta.last;
        return;
      }
    }
    if (this.pendingReason) {
      const r = this.pendingReason;
      if (n - r.line > 2) this.pendingReason = null;
      else if (/^\s*Allocation failed - /.test(text)) {
        this.pendingReason = null;
        this.node(`FATAL ERROR: ${r.text} ${text.trim()}`, meta, r.line);
        return;
      } else if (text.trim() !== '') this.pendingReason = null;
    }
    if (this.pendingMessage) {
      const ev = this.pendingMessage;
      const clean = stripMarkup(text);
      if (clean !== '') {
        this.pendingMessage = null;
        if (JAVA_MESSAGE_LINE.test(clean)) {
          const rt = ev.runtime!;
          rt.message = `${this.pendingClass}: ${clean}`;
          if (isArtMessage(clean)) rt.name = 'android-art';
          this.lastKey = `${rt.name}|${clean}`;
          ev.lines.last = meta.last;
          this.lastTail = meta.last;
          return;
        }
      } else if (n - ev.lines.last > 2) this.pendingMessage = null;
    }
    const c0 = text.charCodeAt(0);
    if (c0 === 91 /* [ */ && text.indexOf(' ms: ') > 0) {
      const g = V8_GC.exec(text);
      if (g) {
        const pid = Number(g[1]);
        const heapMb = g[3] !== undefined ? Number(g[3]) : Number(g[2]);
        const cur = this.gcs.get(pid);
        if (cur && n - cur.line <= 40) {
          cur.line = n;
          cur.heapMb = heapMb;
        } else {
          this.gcs.delete(pid);
          if (this.gcs.size >= 64) this.gcs.delete(this.gcs.keys().next().value as number);
          this.gcs.set(pid, { first: n, line: n, heapMb });
        }
        return;
      }
    }
    if (this.last && n - this.lastTail <= 3 && STACK_FRAME.test(text) && text.indexOf('OutOfMemoryError') < 0) {
      this.last.lines.last = Math.max(this.last.lines.last, meta.last);
      this.lastTail = meta.last;
      return;
    }
    if (text.startsWith('<--- Last few GCs')) {
      this.gcBlock = { line: n };
      return;
    }
    if (text.indexOf('PID: ') >= 0) {
      const p = ANDROID_PROCESS.exec(text);
      if (p) this.android = { line: n, pid: Number(p[2]) };
    }
    if (text.indexOf('_pid') >= 0) {
      const p = JAVA_PID_FILE.exec(text);
      if (p) {
        const pid = Number(p[1]);
        this.javaPid = { line: n, pid };
        const target = this.jvm ?? (this.last && n - this.lastTail <= 6 ? this.last : null);
        if (target && target.runtime && target.runtime.pid === null && target.runtime.name === 'java') {
          target.runtime.pid = pid;
          target.lines.last = Math.max(target.lines.last, meta.last);
        }
      }
    }
    if (text.indexOf('os::commit_memory(') >= 0) this.commitWarning = { line: n };
    if (text.indexOf('FATAL ERROR:') >= 0 || text.indexOf('Fatal JavaScript out of memory') >= 0 || text.indexOf('Fatal process out of memory') >= 0) {
      if (this.node(text, meta)) return;
    }
    if (text.indexOf('emory') < 0 && text.indexOf('fatal error: runtime:') < 0) return;
    if (text.indexOf('OutOfMemoryError') >= 0) {
      this.java(text, meta);
      return;
    }
    if (text.indexOf('insufficient memory for the Java Runtime Environment') >= 0) {
      this.jvmBanner(stripHash(text), meta, true);
      return;
    }
    if (text.indexOf('Native memory allocation (') >= 0) {
      this.jvmBanner(stripHash(text), meta, false);
      return;
    }
    if (this.jvm && text.indexOf('Out of Memory Error (') >= 0) {
      const p = HS_ERR_PID.exec(text);
      if (p && this.jvm.runtime!.pid === null) this.jvm.runtime!.pid = Number(p[1]);
      this.jvm.lines.last = Math.max(this.jvm.lines.last, meta.last);
      return;
    }
    if (text.startsWith('runtime: out of memory: cannot allocate')) {
      const g = GO_IN_USE.exec(text);
      if (g) this.goInUse = { line: n, heapMb: round1(Number(g[2]) / 1048576), allocBytes: Number(g[1]), inUseBytes: Number(g[2]) };
      return;
    }
    const goAt = text.indexOf('fatal error: ');
    if (goAt >= 0) {
      const msg = text.slice(goAt + 13).trim();
      if (GO_OOM_MESSAGE.test(msg)) this.go(msg, meta);
      return;
    }
    if (text.indexOf('MemoryError') >= 0) {
      const m = PY_MEMORY_ERROR.exec(text.trim());
      if (m) this.emit('python', text.trim(), null, null, meta, n);
    }
  }

  private node(text: string, meta: LineMeta, startLine = meta.first): boolean {
    let at = text.indexOf('FATAL ERROR:');
    let msg: string;
    if (at >= 0) msg = text.slice(at + 12).trim();
    else {
      at = text.indexOf('Fatal ');
      msg = text.slice(at).replace(/^#\s*/, '').trim();
    }
    const oom = /Allocation failed|out of memory|heap limit|OOM/i.test(msg);
    if (!oom) {
      // Node 6/8: the reason here, "Allocation failed - process out of memory" on the next line
      if (at >= 0 && /^[\w:. -]{1,80}$/.test(msg) && !/Empty MaybeLocal|ToLocalChecked/.test(msg)) this.pendingReason = { text: msg, line: meta.first };
      return false;
    }
    const n = meta.first;
    let gcPid: number | null = null;
    let gc: (Recent & { first: number; heapMb: number | null }) | null = null;
    for (const [pid, g] of this.gcs) {
      if (n - g.line > 40) {
        this.gcs.delete(pid);
        continue;
      }
      if (!gc || g.first < gc.first) {
        gc = g;
        gcPid = pid;
      }
    }
    let first = startLine;
    if (gc) first = Math.min(first, gc.first);
    if (this.gcBlock && n - this.gcBlock.line <= 60) first = Math.min(first, this.gcBlock.line);
    const ev = this.emit('node', msg, gcPid, gc ? gc.heapMb : null, meta, first);
    if (ev && / -$/.test(msg)) this.pendingFatal = ev;
    if (gcPid !== null) this.gcs.delete(gcPid);
    // the block header belongs to the process just matched unless another one's GC lines remain
    if (this.gcs.size === 0) this.gcBlock = null;
    return true;
  }

  private go(msg: string, meta: LineMeta): void {
    const n = meta.first;
    const sizes = this.goInUse && n - this.goInUse.line <= 10 ? this.goInUse : null;
    this.goInUse = null;
    // Go names no pid: a syslog/journal tag ("app[812]") is the only place one can come from
    const tagPid = meta.tag ? /\[(\d{1,10})\]$/.exec(meta.tag) : null;
    // Go prints its fatal error once: after a dump, the same words are the next crash (a restart loop)
    const crashed = this.goDumped !== null && this.goDumped === this.last;
    const ev = this.emit('go', msg, tagPid ? Number(tagPid[1]) : null, sizes ? sizes.heapMb : null, meta, sizes ? sizes.line : n, msg, !crashed);
    if (!ev) return;
    const rt = ev.runtime;
    if (rt?.name !== 'go') return;
    rt.allocBytes = sizes ? sizes.allocBytes : null;
    rt.inUseBytes = sizes ? sizes.inUseBytes : null;
    this.goDump = { ev, rt, goroutines: 0, fn: null, gap: 0, last: meta.last };
  }

  /** A line after a Go OOM: true when it belongs to the goroutine dump. */
  private goLine(t: string, meta: LineMeta): boolean {
    const d = this.goDump!;
    let dump = true;
    let fileLine: { file: string; line: number } | null;
    let fn: string | null;
    if (t === '' || t === 'runtime stack:' || t.startsWith('...') || t.startsWith('created by ') || t === 'exit status 2') d.fn = null;
    else if (GO_GOROUTINE.test(t)) {
      d.goroutines++;
      d.fn = null;
      this.goDumped = d.ev;
    } else if ((fileLine = goFileLine(t))) {
      if (d.fn !== null && d.rt.frame === null && d.goroutines <= 1 && !isGoStdFunction(d.fn)) d.rt.frame = { function: d.fn, ...fileLine };
      d.fn = null;
    } else if ((fn = goFunction(t))) d.fn = fn;
    else dump = false;
    if (dump) {
      if (t !== '') d.last = meta.last;
      d.gap = 0;
      d.ev.lines.last = Math.max(d.ev.lines.last, d.last);
      this.lastTail = Math.max(this.lastTail, d.last);
      return true;
    }
    if (++d.gap > GO_DUMP_GAP) this.goDump = null;
    return false;
  }

  private java(text: string, meta: LineMeta): void {
    const clean = stripMarkup(text);
    if (/^(?:at |\.\.\.)/.test(clean)) return;
    const m = JAVA_OOM_TOKEN.exec(clean);
    if (!m) return;
    const cls = m[1];
    let after = clean.slice(m.index + m[0].length);
    let msg = '';
    if (after.startsWith(':')) msg = after.slice(1).trim();
    else if (/^\s*"/.test(after)) {
      // ART: Throwing OutOfMemoryError "Failed to allocate a ... until OOM"
      after = after.trim().slice(1);
      const q = after.lastIndexOf('"');
      msg = (q >= 0 ? after.slice(0, q) : after).trim();
    }
    const n = meta.first;
    const art = isArtMessage(msg) || (this.android !== null && n - this.android.line <= 6) || /AndroidRuntime|dalvikvm|\bart\b|\bART\b/.test(clean);
    const name: RuntimeOom['name'] = art ? 'android-art' : 'java';
    let pid: number | null = null;
    let first = n;
    if (art && this.android && n - this.android.line <= 6) {
      pid = this.android.pid;
      first = this.android.line;
    } else if (this.javaPid && n - this.javaPid.line <= 6) pid = this.javaPid.pid;
    const message = msg ? `${cls}: ${msg}` : cls;
    const ev = this.emit(name, message, pid, null, meta, first, msg || cls);
    if (ev && !msg) {
      this.pendingMessage = ev;
      this.pendingClass = cls;
    }
  }

  private jvmBanner(text: string, meta: LineMeta, head: boolean): void {
    if (!head && this.jvm && this.jvm.runtime!.message.indexOf('Native memory allocation') < 0) {
      this.jvm.runtime!.message = `${this.jvm.runtime!.message} ${text}`;
      this.jvm.lines.last = Math.max(this.jvm.lines.last, meta.last);
      return;
    }
    const pid = this.javaPid && meta.first - this.javaPid.line <= 6 ? this.javaPid.pid : null;
    const first = this.commitWarning && meta.first - this.commitWarning.line <= 4 ? this.commitWarning.line : meta.first;
    const ev = this.emit('java', text, pid, null, meta, first);
    this.jvm = ev;
  }

  /** Emits a runtime event unless it repeats the previous one (same error logged twice). */
  private emit(
    name: RuntimeOom['name'],
    message: string,
    pid: number | null,
    heapMb: number | null,
    meta: LineMeta,
    first: number,
    keyText = message,
    merge = true,
  ): OomEvent | null {
    const key = `${name}|${keyText}`;
    const samePid = pid === null || this.last?.runtime?.pid === null || this.last?.runtime?.pid === pid;
    if (merge && this.last && key === this.lastKey && meta.first - this.lastTail <= 3 && samePid) {
      const rt = this.last.runtime!;
      if (rt.pid === null) rt.pid = pid;
      if (rt.heapMb === null) rt.heapMb = heapMb;
      this.last.lines.last = Math.max(this.last.lines.last, meta.last);
      this.lastTail = meta.last;
      return null;
    }
    const ev = blankEvent('runtime', meta);
    ev.lines.first = Math.min(first, meta.first);
    ev.runtime = name === 'go' ? { name, message, pid, heapMb, frame: null, allocBytes: null, inUseBytes: null } : { name, message, pid, heapMb };
    this.sink.emit(ev);
    this.last = ev;
    this.lastKey = key;
    this.lastTail = meta.last;
    return ev;
  }
}

/** "/src/main.go:12 +0x2c" -> file and line, else null. */
function goFileLine(t: string): { file: string; line: number } | null {
  const m = GO_FILE_TAIL.exec(t);
  if (!m) return null;
  const file = t.slice(0, m.index + m[0].indexOf(':'));
  return /^\S/.test(file) ? { file, line: Number(m[1]) } : null;
}

/** "runtime.(*mcache).allocLarge(0x1800?, 0x1)" -> its function; found from the last '(' (arguments hold none), so linear. */
function goFunction(t: string): string | null {
  if (!t.endsWith(')')) return null;
  const open = t.lastIndexOf('(');
  const fn = t.slice(0, open);
  return open > 0 && fn.includes('.') && GO_FUNC.test(fn) ? fn : null;
}

/** A frame in Go's standard library or runtime ("runtime.mallocgc", "bytes.(*Buffer).grow", "encoding/json.Marshal"). */
function isGoStdFunction(fn: string): boolean {
  const paren = fn.indexOf('(');
  const path = paren >= 0 ? fn.slice(0, paren) : fn;
  const slash = path.lastIndexOf('/');
  const dot = path.indexOf('.', slash + 1);
  const pkg = dot >= 0 ? path.slice(0, dot) : path;
  if (pkg === 'main') return false;
  const root = pkg.split('/')[0];
  return !root.includes('.') && GO_STD_ROOTS.has(root);
}

function isArtMessage(msg: string): boolean {
  return /Failed to allocate a \d+ byte allocation|until OOM|growth limit|pthread_create \(/.test(msg);
}

/** Drops markdown emphasis/code marks around names ("**java.lang.OutOfMemoryError** in ..."). */
function stripMarkup(text: string): string {
  return (text.indexOf('*') >= 0 || text.indexOf('`') >= 0 ? text.replace(/\*\*|`/g, '') : text).trim();
}

function stripHash(text: string): string {
  return text.replace(/^#\s*/, '').trim();
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
