// Incremental parser of the sampler's output: chunks in, one Frame per `@@oomlens frame … done`.
import { FRAME } from './frame';

export interface ProcSample {
  pid: number;
  comm: string;
  rssKb: number | null;
  rssAnonKb: number | null;
  rssFileKb: number | null;
  rssShmemKb: number | null;
  swapKb: number | null;
  pssKb: number | null;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22): pid + start is a process's identity. */
  start: number | null;
  /** /proc/PID/oom_score, on the frames that read it (every Nth). */
  oomScore: number | null;
}

export interface Frame {
  index: number;
  uptimeSeconds: number;
  mem: Record<string, number>;
  psiSomeAvg10: number | null;
  psiSomeAvg60: number | null;
  psiFullAvg10: number | null;
  psiFullAvg60: number | null;
  /** /proc/vmstat oom_kill: OOM kills since boot (null on kernels before 4.13). */
  oomKills: number | null;
  procs: Map<number, ProcSample>;
  /** cgroup control file path -> value in bytes (memory.current / memory.usage_in_bytes). */
  cgroups: Map<string, number>;
}

const STATUS = /^(\d+)\/status:(Name|VmRSS|RssAnon|RssFile|RssShmem|VmSwap):\s*(.*)$/;
const PSS = /^(\d+)\/smaps_rollup:Pss:\s+(\d+)/;
const STAT = /^(\d+)\/stat:/;
const OOM_SCORE = /^(\d+)\/oom_score:(-?\d+)$/;

/**
 * Field 22 (starttime) of a /proc/PID/stat line whose text starts at `from`. The name (field 2)
 * may hold spaces and parentheses, so fields are counted after its last ')'.
 */
export function startTicks(line: string, from = 0): number | null {
  const close = line.lastIndexOf(')');
  if (close < from) return null;
  // After ')' come fields 3, 4, …: starttime is the 20th of them.
  let i = close + 1;
  for (let field = 3; field < 22; field++) {
    i = line.indexOf(' ', i + 1);
    if (i < 0) return null;
  }
  const end = line.indexOf(' ', i + 1);
  const v = Number(line.slice(i + 1, end < 0 ? undefined : end));
  return Number.isFinite(v) ? v : null;
}

/** An empty frame: what a frame holds before its lines are read. */
export function newFrame(index: number, uptimeSeconds: number): Frame {
  return {
    index,
    uptimeSeconds,
    mem: {},
    psiSomeAvg10: null,
    psiSomeAvg60: null,
    psiFullAvg10: null,
    psiFullAvg60: null,
    oomKills: null,
    procs: new Map(),
    cgroups: new Map(),
  };
}

/** A process line of a frame; what is not given is unknown (null). */
export function procSample(pid: number, comm: string, v: Partial<Omit<ProcSample, 'pid' | 'comm'>> = {}): ProcSample {
  return { pid, comm, rssKb: null, rssAnonKb: null, rssFileKb: null, rssShmemKb: null, swapKb: null, pssKb: null, start: null, oomScore: null, ...v };
}

/** Far above real lines (a /proc status line, a frame header) and real hosts (pid_max is 4 M; 100 k processes is a very big host). */
const MAX_LINE = 64 * 1024;
const MAX_PROCS = 100_000;

export class FrameParser {
  private rest = '';
  private cur: Frame | null = null;
  ended = false;
  fatal: string | null = null;

  constructor(private readonly onFrame: (f: Frame) => void) {}

  /** Lines over MAX_LINE and process lines past MAX_PROCS in one frame are dropped (counted): a hostile
   * or broken host streaming one endless line or endless pids must not grow memory. */
  dropped = 0;

  push(chunk: string): void {
    let start = 0;
    let i: number;
    while ((i = chunk.indexOf('\n', start)) >= 0) {
      const l = this.rest + chunk.slice(start, i);
      this.rest = '';
      start = i + 1;
      if (this.skipping)
        this.skipping = false; // the end of a line already dropped
      else if (l.length > MAX_LINE) this.dropped++;
      else this.line(l);
    }
    if (!this.skipping) this.rest += chunk.slice(start);
    if (this.rest.length > MAX_LINE) {
      // One line without end: keep nothing of it, and skip to its newline.
      this.rest = '';
      this.dropped++;
      this.skipping = true;
    }
  }
  private skipping = false;

  private proc(pid: number): ProcSample | null {
    let p = this.cur!.procs.get(pid);
    if (!p) {
      if (this.cur!.procs.size >= MAX_PROCS) {
        this.dropped++;
        return null;
      }
      p = procSample(pid, '');
      this.cur!.procs.set(pid, p);
    }
    return p;
  }

  private line(l: string): void {
    if (l.startsWith(FRAME + ' ')) {
      const w = l.slice(FRAME.length + 1).split(' ');
      if (w[0] === 'frame') this.cur = newFrame(Number(w[1]), Number(w[2]));
      else if (w[0] === 'done' && this.cur) {
        this.onFrame(this.cur);
        this.cur = null;
      } else if (w[0] === 'end') this.ended = true;
      else if (w[0] === 'error') this.fatal = w.slice(1).join(' ');
      return;
    }
    const f = this.cur;
    if (!f) return;
    const s = STATUS.exec(l);
    if (s) {
      const p = this.proc(Number(s[1]));
      if (!p) return;
      if (s[2] === 'Name') {
        p.comm = s[3];
        return;
      }
      const v = /^(\d+)/.exec(s[3]);
      const kb = v ? Number(v[1]) : null;
      if (s[2] === 'VmRSS') p.rssKb = kb;
      else if (s[2] === 'RssAnon') p.rssAnonKb = kb;
      else if (s[2] === 'RssFile') p.rssFileKb = kb;
      else if (s[2] === 'RssShmem') p.rssShmemKb = kb;
      else p.swapKb = kb;
      return;
    }
    const st = STAT.exec(l);
    if (st) {
      const p = this.proc(Number(st[1]));
      if (p) p.start = startTicks(l, st[0].length);
      return;
    }
    const pss = PSS.exec(l);
    if (pss) {
      const p = this.proc(Number(pss[1]));
      if (p) p.pssKb = Number(pss[2]);
      return;
    }
    const score = OOM_SCORE.exec(l);
    if (score) {
      const p = this.proc(Number(score[1]));
      if (p) p.oomScore = Number(score[2]);
      return;
    }
    if (l.startsWith('pressure/memory:')) {
      const avg = (k: string) => {
        const m = new RegExp(`${k}=([0-9.]+)`).exec(l);
        return m ? Number(m[1]) : null;
      };
      if (l.startsWith('pressure/memory:some ')) {
        f.psiSomeAvg10 = avg('avg10');
        f.psiSomeAvg60 = avg('avg60');
      } else if (l.startsWith('pressure/memory:full ')) {
        f.psiFullAvg10 = avg('avg10');
        f.psiFullAvg60 = avg('avg60');
      }
      return;
    }
    if (l.startsWith('vmstat:oom_kill ')) {
      f.oomKills = Number(l.slice(16)) || 0;
      return;
    }
    const mem = /^(?:meminfo:)?([A-Za-z]+):\s+(\d+) kB$/.exec(l);
    if (mem) {
      f.mem[mem[1]] = Number(mem[2]);
      return;
    }
    const cg = /^(\/.*\/memory\.(?:current|usage_in_bytes)):(\d+)$/.exec(l);
    if (cg) f.cgroups.set(cg[1], Number(cg[2]));
  }
}
