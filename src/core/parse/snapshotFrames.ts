// Splits the collector script's output (see collect/snapshotScript.ts) into per-file contents.
// Pure: text in, typed raw data out. Tolerates anything: lines it cannot place are counted, not thrown.
import { FRAME } from './frame';
import { startTicks } from './sampleFrames';

export interface FileError {
  path: string;
  reason: string;
}

export interface RawProcess {
  pid: number;
  status: Record<string, string>;
  oomScore: string | null;
  oomScoreAdj: string | null;
  cgroupLines: string[];
  cmdline: string | null;
  rollup: Record<string, string> | null;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22). */
  start: number | null;
  /** The target of /proc/PID/exe (from `ls -l`), when readable. */
  exe: string | null;
}

export interface RawSnapshot {
  meta: Record<string, string>;
  /** Whole files of the "files" section, by path as grep printed it. */
  files: Map<string, string[]>;
  procs: Map<number, RawProcess>;
  /** cgroup control files: absolute path -> lines. */
  cgroupFiles: Map<string, string[]>;
  errors: FileError[];
  /** True when the end marker was seen (the script ran to completion). */
  complete: boolean;
  fatal: string | null;
}

const PROC_FILES = new Set(['status', 'stat', 'oom_score_adj', 'oom_score', 'cgroup', 'cmdline', 'smaps_rollup']);

/** The number that line[0, end) spells, or -1 when it is not all digits. */
function digitsValue(line: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
const EXE_LINE = /^l\S*\s.*?(?:^|[\s/])(\d+)\/exe -> (\/.*)$/;
const GREP_ERROR = /^grep: (.+?): ([^:]+)$/;

function procOf(raw: RawSnapshot, pid: number): RawProcess {
  let p = raw.procs.get(pid);
  if (!p) {
    p = { pid, status: {}, oomScore: null, oomScoreAdj: null, cgroupLines: [], cmdline: null, rollup: null, start: null, exe: null };
    raw.procs.set(pid, p);
  }
  return p;
}

function keyValue(line: string): [string, string] | null {
  const i = line.indexOf(':');
  if (i <= 0) return null;
  return [line.slice(0, i), line.slice(i + 1).trim()];
}

/**
 * The collector's two streams: standard output, and standard error, which carries the processes
 * read in the background (frames among whatever else a shell or sudo printed there). Complete when
 * both halves reached their end marker.
 */
export function parseSnapshotOutput(stdout: string, stderr: string): RawSnapshot {
  const raw = parseSnapshotFrames(stdout);
  const mainDone = raw.complete;
  raw.complete = false;
  parseSnapshotFrames(stderr, raw);
  raw.complete = mainDone && raw.complete;
  return raw;
}

/**
 * Lines of standard error that are not the collector's own output, for error messages: what came
 * before its first frame (sudo refusing, a missing shell) and, after it, what a shell or sudo said.
 */
export function foreignStderr(stderr: string): string[] {
  const out: string[] = [];
  let inFrames = false;
  for (const l of stderr.split('\n')) {
    if (l.startsWith(FRAME)) {
      inFrames = true;
      continue;
    }
    if (l.trim() === '') continue;
    if (!inFrames || /^(sudo|sh|dash|bash|ash|busybox)(:|\[| )/.test(l)) out.push(l);
  }
  return out;
}

export function parseSnapshotFrames(text: string, into?: RawSnapshot): RawSnapshot {
  const raw: RawSnapshot = into ?? { meta: {}, files: new Map(), procs: new Map(), cgroupFiles: new Map(), errors: [], complete: false, fatal: null };
  let section = '';
  let lastCmdline: RawProcess | null = null;
  const framePrefix = FRAME + ' ';
  for (const line of text.split('\n')) {
    if (line.charCodeAt(0) === 64 /* @ */ && line.startsWith(framePrefix)) {
      section = line.slice(framePrefix.length).trim();
      if (section === 'end') raw.complete = true;
      if (section.startsWith('error')) raw.fatal = section.slice(5).trim();
      lastCmdline = null;
      continue;
    }
    if (line === '') continue;
    if (line.charCodeAt(0) === 103 /* g */ && line.startsWith('grep: ')) {
      const err = GREP_ERROR.exec(line);
      if (err) {
        raw.errors.push({ path: err[1], reason: err[2] });
        continue;
      }
    }
    switch (section) {
      case 'meta': {
        const sp = line.indexOf(' ');
        if (sp > 0) raw.meta[line.slice(0, sp)] = line.slice(sp + 1);
        break;
      }
      case 'files': {
        const i = line.indexOf(':');
        if (i <= 0) break;
        const path = line.slice(0, i);
        const list = raw.files.get(path) ?? [];
        list.push(line.slice(i + 1));
        raw.files.set(path, list);
        break;
      }
      case 'procs':
      case 'rollup': {
        // earlier collectors framed smaps_rollup on its own (saved outputs, fixtures)
        // "PID/FILE:BODY", split by hand: this runs for every line of every process.
        const slash = line.indexOf('/');
        const pid = slash > 0 ? digitsValue(line, slash) : -1;
        const colon = pid >= 0 ? line.indexOf(':', slash) : -1;
        const file = colon > 0 ? line.slice(slash + 1, colon) : '';
        if (!PROC_FILES.has(file)) {
          // A newline inside a cmdline argument: the rest belongs to the previous cmdline.
          if (lastCmdline && lastCmdline.cmdline !== null) lastCmdline.cmdline += '\n' + line;
          break;
        }
        const p = procOf(raw, pid);
        const body = line.slice(colon + 1);
        lastCmdline = null;
        if (file === 'status' || file === 'smaps_rollup') {
          const kv = keyValue(body);
          if (!kv) break;
          if (file === 'status') p.status[kv[0]] = kv[1];
          else (p.rollup ??= {})[kv[0]] = kv[1];
        } else if (file === 'stat') p.start = startTicks(body);
        else if (file === 'oom_score') p.oomScore = body.trim();
        else if (file === 'oom_score_adj') p.oomScoreAdj = body.trim();
        else if (file === 'cgroup') p.cgroupLines.push(body);
        else {
          p.cmdline = body;
          lastCmdline = p;
        }
        break;
      }
      case 'exe': {
        // `ls -l PID/exe`: "lrwxrwxrwx 1 root root 0 Dec  3 12:00 123/exe -> /usr/bin/prog"
        const m = EXE_LINE.exec(line);
        if (m) procOf(raw, Number(m[1])).exe = m[2];
        break;
      }
      case 'cgroups': {
        const m = /^(.*\/memory\.[a-z_]+):(.*)$/.exec(line);
        if (!m) break;
        const list = raw.cgroupFiles.get(m[1]) ?? [];
        list.push(m[2]);
        raw.cgroupFiles.set(m[1], list);
        break;
      }
      default:
        break;
    }
  }
  return raw;
}
