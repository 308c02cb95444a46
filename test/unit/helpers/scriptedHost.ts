// A stand-in Host for the live model's unit tests (no real processes can be made to leak, plateau
// and reuse a pid on cue): it answers the sampler's script with scripted frames, the kernel-log
// follower's with scripted lines, and the new-process read with scripted /proc files.
import type { ExecOptions, ExecResult, Host } from '../../../src/core/host/host';

export interface FakeProc {
  pid: number;
  comm: string;
  rssKb: number;
  anonKb?: number;
  start?: number;
  cmdline?: string;
  cgroup?: string;
  uid?: number;
}
export interface FakeFrame {
  uptime: number;
  availableKb?: number;
  procs: FakeProc[];
  cgroups?: Record<string, number>;
  oomKills?: number;
}

const TOTAL = 8 * 1024 * 1024;

function statLine(p: FakeProc): string {
  // Fields 3..21 are placeholders; field 22 is the start time.
  const mid = Array.from({ length: 19 }, (_, i) => (i === 0 ? 'S' : '0')).join(' ');
  return `${p.pid}/stat:${p.pid} (${p.comm}) ${mid} ${p.start ?? 1000} 0 0`;
}

export function frameText(i: number, f: FakeFrame): string {
  const lines = [
    `@@oomlens frame ${i} ${f.uptime.toFixed(2)}`,
    `meminfo:MemTotal:       ${TOTAL} kB`,
    `meminfo:MemFree:        ${f.availableKb ?? TOTAL / 2} kB`,
    `meminfo:MemAvailable:   ${f.availableKb ?? TOTAL / 2} kB`,
    'meminfo:SwapTotal:      0 kB',
    'meminfo:SwapFree:       0 kB',
    'pressure/memory:some avg10=0.00 avg60=0.00 avg300=0.00 total=0',
    'pressure/memory:full avg10=0.00 avg60=0.00 avg300=0.00 total=0',
    `vmstat:oom_kill ${f.oomKills ?? 0}`,
  ];
  for (const p of f.procs) {
    lines.push(
      `${p.pid}/status:Name:\t${p.comm}`,
      `${p.pid}/status:VmRSS:\t${p.rssKb} kB`,
      `${p.pid}/status:RssAnon:\t${p.anonKb ?? p.rssKb} kB`,
      `${p.pid}/status:RssFile:\t0 kB`,
      `${p.pid}/status:RssShmem:\t0 kB`,
      `${p.pid}/status:VmSwap:\t0 kB`,
      statLine(p),
    );
  }
  for (const [file, bytes] of Object.entries(f.cgroups ?? {})) lines.push(`${file}:${bytes}`);
  lines.push('@@oomlens done');
  return lines.join('\n') + '\n';
}

export class ScriptedHost implements Host {
  readonly name = 'scripted';
  readonly via = 'local' as const;
  /** Frames still to send; tests push more while the session runs. */
  readonly frames: FakeFrame[] = [];
  /** Lines for the kernel-log follower, sent as they are pushed. */
  private follower: ((line: string) => void) | null = null;
  private readonly queuedLog: string[] = [];
  readonly known = new Map<number, FakeProc>();
  sent = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly frameGapMs = 2) {}

  push(...frames: FakeFrame[]): void {
    for (const f of frames) for (const p of f.procs) this.known.set(p.pid, p);
    this.frames.push(...frames);
    this.wake?.();
  }

  log(...lines: string[]): void {
    if (this.follower) for (const l of lines) this.follower(l);
    else this.queuedLog.push(...lines);
  }

  /** Resolves when every pushed frame was sent. */
  async drained(): Promise<void> {
    while (this.frames.length > 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 10));
  }

  async exec(_command: string, o: ExecOptions = {}): Promise<ExecResult> {
    const script = o.stdin ?? '';
    const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0, signal: null, timedOut: false });
    if (script.includes('frame $n')) return this.sample(o);
    if (/follow/.test(script) && /dmesg|journalctl/.test(script)) return this.follow(o);
    if (script.includes('/etc/passwd') && script.includes('/cmdline')) {
      // The new-process read: their /proc files as the snapshot collector prints them.
      const pids = [...script.matchAll(/\b(\d+)\/cmdline/g)].map((m) => Number(m[1]));
      const out = ['@@oomlens files', '/etc/passwd:root:x:0:0:root:/root:/bin/sh', '@@oomlens procs'];
      for (const pid of pids) {
        const p = this.known.get(pid);
        if (!p) continue;
        out.push(
          `${pid}/status:Name:\t${p.comm}`,
          `${pid}/status:Uid:\t${p.uid ?? 0}\t0\t0\t0`,
          `${pid}/status:VmRSS:\t${p.rssKb} kB`,
          statLine(p).replace(`${pid}/stat:`, `${pid}/stat:`),
          `${pid}/cgroup:0::${p.cgroup ?? '/'}`,
          `${pid}/oom_score_adj:0`,
          `${pid}/oom_score:10`,
          `${pid}/cmdline:${(p.cmdline ?? p.comm).replace(/ /g, '\0')}`,
        );
      }
      out.push('@@oomlens end');
      return ok(out.join('\n') + '\n');
    }
    return ok('');
  }

  private async sample(o: ExecOptions): Promise<ExecResult> {
    let i = 0;
    for (;;) {
      if (o.signal?.aborted) return { stdout: '', stderr: '', code: null, signal: 'SIGTERM', timedOut: false };
      const f = this.frames.shift();
      if (f) {
        o.onStdout?.(frameText(i++, f));
        this.sent++;
        await new Promise((r) => setTimeout(r, this.frameGapMs));
        continue;
      }
      await new Promise<void>((r) => {
        const done = () => {
          clearTimeout(t);
          o.signal?.removeEventListener('abort', done);
          r();
        };
        const t = setTimeout(done, 20);
        this.wake = done;
        o.signal?.addEventListener('abort', done, { once: true });
      });
      this.wake = null;
    }
  }

  private follow(o: ExecOptions): Promise<ExecResult> {
    return new Promise((resolve) => {
      const send = (l: string) => o.onStdout?.(l + '\n');
      send('@@oomlens follow dmesg follow-new');
      this.follower = send;
      for (const l of this.queuedLog.splice(0)) send(l);
      const end = () => {
        this.follower = null;
        resolve({ stdout: '', stderr: '', code: null, signal: 'SIGTERM', timedOut: false });
      };
      if (o.signal?.aborted) end();
      o.signal?.addEventListener('abort', end, { once: true });
    });
  }

  async close(): Promise<void> {
    /* nothing */
  }
}
