// Runs a POSIX sh command line on this machine in its own process group (cancel and timeout kill
// the whole pipeline). Kept apart from LocalHost so the CLI's small entry file can start a
// collector before the rest of the CLI has loaded.
import { spawn } from 'node:child_process';
import type { ExecOptions, ExecResult } from './host';
import { CancelledError } from '../errors';

export function localExec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    // Own process group, so cancelling kills the whole pipeline, not only sh.
    const child = spawn('sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: string[] = [];
    const err: string[] = [];
    let timedOut = false;
    let settled = false;
    const killGroup = () => {
      try { if (child.pid) process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const onAbort = () => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs ? setTimeout(() => { timedOut = true; killGroup(); }, options.timeoutMs) : undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { if (!options.discardStdout) out.push(d); options.onStdout?.(d); });
    child.stderr.on('data', (d: string) => err.push(d));
    child.stdin.on('error', () => { /* the command may exit without reading stdin */ });
    child.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (options.signal?.aborted) return reject(new CancelledError());
      resolve({ stdout: out.join(''), stderr: err.join(''), code, signal, timedOut });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
