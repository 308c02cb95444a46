// Runs a command and measures it from outside: wall time, peak RSS (VmHWM, polled) and the bytes
// it printed. Stdout goes through a pipe and is dropped — never to /dev/null, which GNU grep
// notices and then stops at the first match.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Measured {
  ms: number;
  peakKb: number;
  code: number | null;
  stdoutBytes: number;
}

export function measure(cmd: string, args: string[], pollMs = 20): Promise<Measured> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdoutBytes = 0;
    child.stdout!.on('data', (d: Buffer) => {
      stdoutBytes += d.length;
    });
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        /* exited */
      }
    }, pollMs);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ ms: Number(process.hrtime.bigint() - t0) / 1e6, peakKb, code, stdoutBytes });
    });
  });
}
