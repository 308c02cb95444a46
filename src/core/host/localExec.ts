// Runs a POSIX sh command line on this machine in its own process group (cancel and timeout kill
// the whole pipeline). Kept apart from LocalHost so the CLI's small entry file can start a
// collector before the rest of the CLI has loaded.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_STDERR_BYTES, OutputLimitError, maxOutputBytes, type ExecOptions, type ExecResult } from './host';
import { CancelledError } from '../errors';

export interface LocalExecOptions extends ExecOptions {
  /**
   * Let the command write its output into two unlinked temporary files, read when it exits, instead
   * of pipes: a command started while this process is busy (loading the CLI) then never waits for
   * a full pipe to be drained. Falls back to pipes when no temporary file can be made.
   */
  spool?: boolean;
  /** For the output-cap message. */
  hostName?: string;
}

/** Two anonymous files (created and unlinked at once) for a command's stdout and stderr, or null. */
function spoolFiles(): [number, number] | null {
  const fds: number[] = [];
  try {
    for (const k of ['out', 'err']) {
      const path = join(tmpdir(), `oom-lens-${process.pid}-${Date.now()}-${k}`);
      fds.push(openSync(path, 'wx+', 0o600));
      unlinkSync(path);
    }
    return [fds[0], fds[1]];
  } catch {
    for (const fd of fds) closeSync(fd);
    return null;
  }
}

function readAll(fd: number, cap = Infinity): string {
  const size = Math.min(fstatSync(fd).size, cap);
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n === 0) break;
    got += n;
  }
  closeSync(fd);
  return buf.toString('utf8', 0, got);
}

export function localExec(command: string, options: LocalExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new CancelledError());
    const spool = options.spool && !options.onStdout ? spoolFiles() : null;
    // Own process group, so cancelling kills the whole pipeline, not only sh.
    const child = spawn('sh', ['-c', command], { stdio: spool ? ['pipe', spool[0], spool[1]] : ['pipe', 'pipe', 'pipe'], detached: true });
    const out: string[] = [];
    const err: string[] = [];
    let outBytes = 0;
    let errBytes = 0;
    const cap = options.maxOutputBytes ?? maxOutputBytes();
    let overflow = false;
    let timedOut = false;
    let settled = false;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const onAbort = () => killGroup();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutMs)
      : undefined;
    if (!spool) {
      child.stdout!.setEncoding('utf8');
      child.stderr!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        if (overflow) return;
        if (!options.discardStdout) {
          outBytes += d.length;
          if (outBytes > cap) {
            overflow = true;
            out.length = 0;
            killGroup();
            return;
          }
          out.push(d);
        }
        options.onStdout?.(d);
      });
      child.stderr!.on('data', (d: string) => {
        if (errBytes < MAX_STDERR_BYTES) err.push(d);
        errBytes += d.length;
      });
    }
    child.stdin!.on('error', () => {
      /* the command may exit without reading stdin */
    });
    child.on('error', (e) => {
      if (spool)
        for (const fd of spool)
          try {
            closeSync(fd);
          } catch {
            /* closed */
          }
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      if (spool) {
        try {
          if (!options.discardStdout && fstatSync(spool[0]).size > cap) {
            closeSync(spool[0]);
            overflow = true;
          } else if (!options.discardStdout) out.push(readAll(spool[0]));
          else closeSync(spool[0]);
          err.push(readAll(spool[1], MAX_STDERR_BYTES));
        } catch (e) {
          return reject(e);
        }
      }
      if (options.signal?.aborted) return reject(new CancelledError());
      if (overflow) return reject(new OutputLimitError(options.hostName ?? 'this machine', cap));
      resolve({ stdout: out.join(''), stderr: err.join(''), code, signal, timedOut });
    });
    child.stdin!.end(options.stdin ?? '');
  });
}
