// A Host that hands out results of commands started before it existed: the CLI's entry file
// starts the snapshot collector while the rest of the CLI loads, and the snapshot's exec() of the
// same command picks up that run instead of starting another.
import type { Host, ExecOptions, ExecResult } from './host';
import { CancelledError } from '../errors';

export interface PrefetchedExec {
  command: string;
  stdin: string;
  result: Promise<ExecResult>;
  /** Stops the command (when the caller cancels, or nobody asked for it). */
  abort(): void;
}

export class PrefetchingHost implements Host {
  readonly via: Host['via'];
  readonly name: string;
  private readonly pending: PrefetchedExec[];

  constructor(
    private readonly inner: Host,
    prefetched: PrefetchedExec[],
  ) {
    this.via = inner.via;
    this.name = inner.name;
    this.pending = [...prefetched];
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const i = options.onStdout || options.discardStdout ? -1 : this.pending.findIndex((p) => p.command === command && p.stdin === (options.stdin ?? ''));
    if (i < 0) return this.inner.exec(command, options);
    const [p] = this.pending.splice(i, 1);
    const signal = options.signal;
    if (signal?.aborted) {
      p.abort();
      return Promise.reject(new CancelledError());
    }
    const onAbort = () => p.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    // The run was started by other code: report a cancel as this caller's own CancelledError.
    return p.result.then(
      (r) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) throw new CancelledError();
        return r;
      },
      (e) => {
        signal?.removeEventListener('abort', onAbort);
        throw signal?.aborted ? new CancelledError() : e;
      },
    );
  }

  async close(): Promise<void> {
    for (const p of this.pending.splice(0)) p.abort();
    await this.inner.close();
  }
}
