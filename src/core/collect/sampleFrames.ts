// Incremental parser of the sampler's output: chunks in, one Frame per `@@oomlens frame … done`.
import { FRAME } from './snapshotScript';

export interface ProcSample {
  pid: number;
  comm: string;
  rssKb: number | null;
  rssAnonKb: number | null;
  rssFileKb: number | null;
  rssShmemKb: number | null;
  swapKb: number | null;
  pssKb: number | null;
}

export interface Frame {
  index: number;
  uptimeSeconds: number;
  mem: Record<string, number>;
  psiSomeAvg10: number | null;
  procs: Map<number, ProcSample>;
  /** cgroup control file path -> value in bytes (memory.current / memory.usage_in_bytes). */
  cgroups: Map<string, number>;
}

const STATUS = /^(\d+)\/status:(Name|VmRSS|RssAnon|RssFile|RssShmem|VmSwap):\s*(.*)$/;
const PSS = /^(\d+)\/smaps_rollup:Pss:\s+(\d+)/;

export class FrameParser {
  private rest = '';
  private cur: Frame | null = null;
  ended = false;
  fatal: string | null = null;

  constructor(private readonly onFrame: (f: Frame) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const l of lines) this.line(l);
  }

  private proc(pid: number): ProcSample {
    let p = this.cur!.procs.get(pid);
    if (!p) {
      p = { pid, comm: '', rssKb: null, rssAnonKb: null, rssFileKb: null, rssShmemKb: null, swapKb: null, pssKb: null };
      this.cur!.procs.set(pid, p);
    }
    return p;
  }

  private line(l: string): void {
    if (l.startsWith(FRAME + ' ')) {
      const w = l.slice(FRAME.length + 1).split(' ');
      if (w[0] === 'frame') this.cur = { index: Number(w[1]), uptimeSeconds: Number(w[2]), mem: {}, psiSomeAvg10: null, procs: new Map(), cgroups: new Map() };
      else if (w[0] === 'done' && this.cur) { this.onFrame(this.cur); this.cur = null; }
      else if (w[0] === 'end') this.ended = true;
      else if (w[0] === 'error') this.fatal = w.slice(1).join(' ');
      return;
    }
    const f = this.cur;
    if (!f) return;
    const s = STATUS.exec(l);
    if (s) {
      const p = this.proc(Number(s[1]));
      if (s[2] === 'Name') { p.comm = s[3]; return; }
      const v = /^(\d+)/.exec(s[3]);
      const kb = v ? Number(v[1]) : null;
      if (s[2] === 'VmRSS') p.rssKb = kb;
      else if (s[2] === 'RssAnon') p.rssAnonKb = kb;
      else if (s[2] === 'RssFile') p.rssFileKb = kb;
      else if (s[2] === 'RssShmem') p.rssShmemKb = kb;
      else p.swapKb = kb;
      return;
    }
    const pss = PSS.exec(l);
    if (pss) { this.proc(Number(pss[1])).pssKb = Number(pss[2]); return; }
    if (l.startsWith('pressure/memory:some ')) {
      const m = /avg10=([0-9.]+)/.exec(l);
      f.psiSomeAvg10 = m ? Number(m[1]) : null;
      return;
    }
    const mem = /^(?:meminfo:)?([A-Za-z]+):\s+(\d+) kB$/.exec(l);
    if (mem) { f.mem[mem[1]] = Number(mem[2]); return; }
    const cg = /^(\/.*\/memory\.(?:current|usage_in_bytes)):(\d+)$/.exec(l);
    if (cg) f.cgroups.set(cg[1], Number(cg[2]));
  }
}
