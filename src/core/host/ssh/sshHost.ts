// SshHost: the Host interface over ONE ssh2 connection per host (reused by every exec, closed after
// an idle timeout), with ProxyJump chains, known_hosts verification, agent / key / passphrase /
// password authentication through callbacks, cancel that really stops the remote command, and a
// reconnecting execStream() for long-running sampling commands. The handshake itself (host keys,
// authentication, the connect timer) is connectClient.ts.
//
// How cancel works: OpenSSH refuses `signal` channel requests in many builds ("session signalling
// requires privilege separation", and never without privsep) and closing a channel does not stop a
// command that has no pty (it only notices when it next writes). So every command is wrapped:
//   exec sh -c 'echo "@@oomlens-pid $$" >&2; exec sh -c "$1"' oomlens '<command>'
// sshd starts each session in its own session/process group (setsid), so $$ is the group id of
// everything the command starts. On cancel/timeout we send TERM to that group over a second
// channel (sudo relays TERM to its root child), wait up to 1 s, then KILL, then close the channel.
// The marker line is stripped from stderr.
import { Client, ClientChannel } from 'ssh2';
import SSHConfig from 'ssh-config';
import { Host, ExecOptions, ExecResult, MAX_STDERR_BYTES, OutputLimitError, maxOutputBytes } from '../host';
import { shQuote } from '../../shell';
import { CancelledError } from '../../errors';
import { Logger, silentLogger } from '../../logger';
import { SshTarget, jumpChain } from './sshConfig';
import { SshConnectError, SshDisconnectedError, SshError } from './errors';
import { sudoWrap, checkSudoResult } from './sudo';
import { connectClient, type SshCallbacks } from './connectClient';
export type { SshCallbacks, UnknownHostKeyInfo, UnknownHostKeyAnswer } from './connectClient';

export interface SshHostOptions {
  callbacks?: SshCallbacks;
  /** The parsed ssh config, to resolve ProxyJump hops (default: none, hops taken literally). */
  config?: SSHConfig;
  logger?: Logger;
  /** Run execPrivileged() commands through `sudo -n`. */
  useSudo?: boolean;
  /** Close the connection after this long without a running command (default 120 s). */
  idleTimeoutMs?: number;
  /** Agent socket (default: IdentityAgent from the config, else $SSH_AUTH_SOCK); null = no agent. */
  agentSocket?: string | null;
  /** At most this many commands at once on the connection (sshd's MaxSessions is 10). */
  maxChannels?: number;
  /** Display name (default: the alias). */
  name?: string;
}

export interface ReconnectInfo {
  /** 1-based number of this reconnect within the execStream() call. */
  reconnect: number;
  /** When the drop was noticed (ms since epoch). No data exists between this and resumedAt. */
  gapStartedAt: number;
  /** When the command was running again. */
  resumedAt: number;
  error: Error;
}

export interface ExecStreamOptions extends ExecOptions {
  /** Called after the connection dropped and the command was restarted on a new connection.
   * The caller marks the gap: samples from before `gapStartedAt` and after `resumedAt` are not
   * contiguous (e.g. push a null point so a chart breaks the line, and reset per-interval deltas
   * because the restarted command starts counting from scratch). */
  onReconnect?(info: ReconnectInfo): void;
  /** Give up after this many reconnects in a row without a successful restart (default 5). */
  maxReconnects?: number;
  /** First backoff delay, doubled per failed attempt up to maxBackoffMs (default 500 ms / 10 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

const PID_MARK = '@@oomlens-pid ';
export function wrapForCancel(command: string): string {
  return `exec sh -c 'echo "${PID_MARK}$$" >&2; exec sh -c "$1"' oomlens ${shQuote(command)}`;
}

interface Live {
  client: Client;
  hops: Client[];
  closing: boolean;
  dropped?: SshDisconnectedError;
  onDrop: Set<(e: SshDisconnectedError) => void>;
}

export class SshHost implements Host {
  readonly via = 'ssh' as const;
  readonly name: string;
  private live?: Promise<Live>;
  private active = 0;
  private idleTimer?: NodeJS.Timeout;
  private waiting: Array<() => void> = [];
  private disconnectListeners = new Set<(e: SshDisconnectedError) => void>();
  private readonly log: Logger;
  private closed = false;

  constructor(
    readonly target: SshTarget,
    private readonly opts: SshHostOptions = {},
  ) {
    this.name = opts.name ?? target.alias;
    this.log = opts.logger ?? silentLogger;
  }

  get useSudo(): boolean {
    return !!this.opts.useSudo;
  }

  /** Called when an established connection drops (not on close() or the idle close). */
  onDisconnect(listener: (e: SshDisconnectedError) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Connects now (exec() connects on demand). Rejects with a typed SshError or CancelledError. */
  async connect(signal?: AbortSignal): Promise<void> {
    await this.connection(signal);
  }

  /** True while an authenticated connection is open. */
  get connected(): boolean {
    return !!this.current;
  }

  /** The shared connection, opened on first use. A caller's cancel stops its wait, not the
   * connection others may be waiting for (it still ends by ConnectTimeout, or idles out). */
  private connection(signal?: AbortSignal): Promise<Live> {
    if (this.closed) return Promise.reject(new SshError(`the connection to ${this.name} was closed`));
    if (!this.live) {
      // close() aborts a connect still in progress (a silent server would hold its socket until ConnectTimeout).
      this.opening = new AbortController();
      const p = this.open(this.opening.signal);
      this.live = p;
      p.then(
        () => {
          if (this.active === 0 && !this.idleTimer) this.idle();
        },
        () => {
          if (this.live === p) this.live = undefined;
        },
      );
    }
    return raceAbort(this.live, signal);
  }

  private async open(signal?: AbortSignal): Promise<Live> {
    const chain = jumpChain(this.target, this.opts.config ?? emptyConfig());
    const hops: Client[] = [];
    try {
      let prev: Client | undefined;
      for (const hop of chain) {
        prev = await this.openClient(hop, prev, signal);
        hops.push(prev);
      }
      const client = await this.openClient(this.target, prev, signal);
      const live: Live = { client, hops, closing: false, onDrop: new Set() };
      const drop = (why: string) => {
        if (live.dropped || live.closing) return;
        live.dropped = new SshDisconnectedError(`the connection to ${this.name} dropped: ${why}`);
        if (this.current === live) {
          this.current = undefined;
          this.live = undefined;
        }
        for (const h of hops) h.end();
        this.log.warn(live.dropped.message);
        for (const f of live.onDrop) f(live.dropped);
        for (const f of this.disconnectListeners) {
          try {
            f(live.dropped);
          } catch {
            /* a listener's problem */
          }
        }
      };
      client.on('error', (e) => drop(e.message));
      client.on('close', () => drop('closed by the server or the network'));
      for (const h of hops) {
        h.on('error', (e) => drop(`jump host: ${e.message}`));
        h.on('close', () => drop('jump host connection closed'));
      }
      this.current = live;
      this.log.info(
        `ssh: connected to ${this.target.user}@${this.target.host}:${this.target.port}${chain.length ? ` via ${chain.map((h) => h.alias).join(' -> ')}` : ''}`,
      );
      return live;
    } catch (e) {
      for (const h of hops) h.end();
      throw e;
    }
  }

  private current?: Live;
  private opening?: AbortController;
  /** Host keys accepted "once": for the lifetime of this SshHost, never written anywhere. */
  private readonly acceptedOnce = new Set<string>();

  /** One SSH connection (one hop), over `via` when given. Resolves when authenticated. */
  private openClient(t: SshTarget, via: Client | undefined, signal?: AbortSignal): Promise<Client> {
    return connectClient(t, {
      via,
      signal,
      callbacks: this.opts.callbacks,
      agentSocket: this.opts.agentSocket,
      acceptedOnce: this.acceptedOnce,
      log: this.log,
    });
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    const max = this.opts.maxChannels ?? 8;
    if (this.active < max) {
      this.active++;
      this.busy();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', abort);
        this.active++;
        this.busy();
        resolve();
      };
      const abort = () => {
        this.waiting = this.waiting.filter((w) => w !== go);
        reject(new CancelledError());
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(go);
    });
  }

  private release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) return next();
    if (this.active === 0) this.idle();
  }

  private busy(): void {
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  private idle(): void {
    const ms = this.opts.idleTimeoutMs ?? 120_000;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.active === 0) {
        this.log.debug(`ssh: closing idle connection to ${this.name}`);
        void this.disconnect();
      }
    }, ms);
    this.idleTimer.unref?.();
  }

  /** Closes the connection (a later exec reconnects). */
  private async disconnect(): Promise<void> {
    this.opening?.abort();
    this.opening = undefined;
    const p = this.live;
    this.live = undefined;
    this.current = undefined;
    if (!p) return;
    let live: Live;
    try {
      live = await p;
    } catch {
      return;
    }
    live.closing = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      live.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      live.client.end();
    });
    for (const h of live.hops.reverse()) h.end();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.busy();
    await this.disconnect();
  }

  /** Runs a command that needs root: through `sudo -n` when useSudo is on (a typed SudoError when
   * sudo wants a password), as is otherwise. */
  async execPrivileged(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    if (!this.opts.useSudo) return this.exec(command, options);
    const res = await this.exec(sudoWrap(command), options);
    return checkSudoResult(res, this.name, this.target.user);
  }

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return this.run(command, options);
  }

  private async run(command: string, options: ExecOptions): Promise<ExecResult> {
    const { signal } = options;
    if (signal?.aborted) throw new CancelledError();
    await this.acquire(signal);
    try {
      const live = await this.connection(signal);
      if (signal?.aborted) throw new CancelledError();
      return await this.runOn(live, command, options);
    } finally {
      this.release();
    }
  }

  private runOn(live: Live, command: string, options: ExecOptions): Promise<ExecResult> {
    const { signal } = options;
    return new Promise<ExecResult>((resolve, reject) => {
      if (live.dropped) return reject(live.dropped);
      let ch: ClientChannel | undefined;
      let pid: number | undefined;
      let stopping: Promise<void> | undefined;
      let stopReason: 'cancel' | 'timeout' | 'overflow' | undefined;
      // Kept output is capped (a host that streams forever must not take this process down).
      const cap = options.maxOutputBytes ?? maxOutputBytes();
      let outBytes = 0;
      let errBytes = 0;
      let settled = false;
      let exitCode: number | null = null;
      let exitSignal: string | null = null;
      const out: string[] = [];
      const err: string[] = [];
      let errHead = '';
      let headDone = false;
      let pidWaiters: Array<() => void> = [];
      let closed = false;
      let channelWaiters: Array<() => void> = [];
      let closeWaiters: Array<() => void> = [];

      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        live.onDrop.delete(onDrop);
      };
      const finish = (f: () => void) => {
        if (settled) return;
        settled = true;
        cleanup();
        f();
      };

      const stop = (reason: 'cancel' | 'timeout' | 'overflow') => {
        if (stopping) return;
        stopReason = reason;
        stopping = (async () => {
          // Cancelled while the channel was opening: wait for it, so the command it starts is stopped too.
          if (!ch && !settled)
            await new Promise<void>((r) => {
              channelWaiters.push(r);
              setTimeout(r, 5000);
            });
          // Wait briefly for the pid line if the command has only just started.
          if (pid === undefined && ch)
            await new Promise<void>((r) => {
              pidWaiters.push(r);
              setTimeout(r, 2000);
            });
          try {
            ch?.signal('TERM');
          } catch {
            /* not supported or closed */
          }
          if (pid !== undefined) {
            // TERM the remote process group, give it a second to go (the channel closes when it
            // has), then KILL what is left.
            for (const sig of ['TERM', 'KILL']) {
              if (closed || live.dropped) break;
              this.remoteKill(live, pid, sig);
              await new Promise<void>((r) => {
                closeWaiters.push(r);
                setTimeout(r, 1000);
              });
            }
          }
          try {
            ch?.close();
          } catch {
            /* gone */
          }
          // Let the channel's close arrive; settle anyway after a moment.
          setTimeout(() => settle(), 1500).unref?.();
        })();
      };
      const settle = () => {
        if (settled) return;
        if (stopReason === 'cancel') return finish(() => reject(new CancelledError()));
        if (stopReason === 'overflow') return finish(() => reject(new OutputLimitError(this.name, cap)));
        finish(() =>
          resolve({
            stdout: out.join(''),
            stderr: err.join(''),
            code: stopReason === 'timeout' ? null : exitCode,
            signal: stopReason === 'timeout' ? (exitSignal ?? 'SIGKILL') : exitSignal,
            timedOut: stopReason === 'timeout',
          }),
        );
      };
      const onAbort = () => stop('cancel');
      const onDrop = (e: SshDisconnectedError) => {
        if (stopReason === 'cancel') return finish(() => reject(new CancelledError()));
        finish(() => reject(e));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      live.onDrop.add(onDrop);
      const timer = options.timeoutMs ? setTimeout(() => stop('timeout'), options.timeoutMs) : undefined;

      try {
        live.client.exec(wrapForCancel(command), (e, channel) => {
          if (e)
            return finish(() =>
              reject(live.dropped ?? new SshError(`cannot start a command on ${this.name}: ${e.message}`, 'the server refused a new session (MaxSessions?)')),
            );
          ch = channel;
          for (const w of channelWaiters) w();
          channelWaiters = [];
          if (settled) {
            channel.close();
            return;
          }
          channel.setEncoding('utf8');
          channel.stderr.setEncoding('utf8');
          channel.on('data', (d: string) => {
            if (stopReason === 'overflow') return;
            if (!options.discardStdout) {
              outBytes += d.length;
              if (outBytes > cap) {
                out.length = 0;
                stop('overflow');
                return;
              }
              out.push(d);
            }
            try {
              options.onStdout?.(d);
            } catch {
              /* the caller's problem */
            }
          });
          channel.stderr.on('data', (d: string) => {
            if (headDone) {
              if (errBytes < MAX_STDERR_BYTES) err.push(d);
              errBytes += d.length;
              return;
            }
            errHead += d;
            const nl = errHead.indexOf('\n');
            if (nl < 0 && errHead.length < 200) return;
            headDone = true;
            const first = nl < 0 ? errHead : errHead.slice(0, nl);
            if (first.startsWith(PID_MARK)) {
              const n = Number(first.slice(PID_MARK.length));
              if (Number.isInteger(n) && n > 1) pid = n;
              err.push(nl < 0 ? '' : errHead.slice(nl + 1));
            } else err.push(errHead);
            errHead = '';
            for (const w of pidWaiters) w();
            pidWaiters = [];
          });
          channel.on('exit', (code: number | null, sig?: string) => {
            if (typeof code === 'number') exitCode = code;
            else {
              exitCode = null;
              exitSignal = sig ?? null;
            }
          });
          channel.on('close', () => {
            closed = true;
            for (const w of closeWaiters) w();
            closeWaiters = [];
            if (!headDone && errHead) err.push(errHead.startsWith(PID_MARK) ? errHead.replace(/^@@oomlens-pid \d*\n?/, '') : errHead);
            if (stopping) {
              void stopping.then(settle);
              return;
            }
            if (live.dropped) return onDrop(live.dropped);
            settle();
          });
          channel.on('error', () => {
            /* close follows */
          });
          channel.end(options.stdin ?? '');
          if (signal?.aborted) stop('cancel');
        });
      } catch (e) {
        finish(() => reject(live.dropped ?? new SshError(`cannot start a command on ${this.name}: ${(e as Error).message}`)));
      }
    });
  }

  /** Sends `sig` to the remote process group `pid` (and the process itself) over a new channel. */
  private remoteKill(live: Live, pid: number, sig: string): void {
    const script = `kill -${sig} -${pid} 2>/dev/null; kill -${sig} ${pid} 2>/dev/null; true`;
    try {
      live.client.exec(script, (e, kc) => {
        if (e) return this.log.warn(`ssh: cannot send ${sig} to remote process ${pid} on ${this.name}: ${e.message}`);
        kc.resume();
        kc.stderr.resume();
        kc.end();
      });
    } catch (e) {
      this.log.warn(`ssh: cannot send ${sig} to remote process ${pid} on ${this.name}: ${(e as Error).message}`);
    }
  }

  /**
   * Runs a long-lived command (a sampler printing a frame per interval) and restarts it on a new
   * connection when the connection drops, with exponential backoff. Resolves with the result of
   * the last run when the command ends by itself; rejects with CancelledError on cancel, or with
   * the last error when reconnecting failed `maxReconnects` times in a row or authentication /
   * host key checks fail (never retried). `onStdout` keeps receiving output across restarts; each
   * restart is announced through `onReconnect` BEFORE the restarted command's first output.
   */
  async execStream(command: string, options: ExecStreamOptions): Promise<ExecResult> {
    const { signal } = options;
    const maxReconnects = options.maxReconnects ?? 5;
    let reconnects = 0;
    for (;;) {
      try {
        return await this.exec(command, options);
      } catch (e) {
        if (!(e instanceof SshDisconnectedError) || signal?.aborted) throw e;
        const gapStartedAt = e.at;
        let delay = options.backoffMs ?? 500;
        let attempt = 0;
        for (;;) {
          attempt++;
          await sleep(delay, signal);
          try {
            await this.connect(signal);
            break;
          } catch (ce) {
            if (!(ce instanceof SshConnectError) || attempt >= maxReconnects) throw ce;
            this.log.warn(`ssh: reconnect ${attempt} to ${this.name} failed: ${(ce as Error).message}`);
            delay = Math.min(delay * 2, options.maxBackoffMs ?? 10_000);
          }
        }
        reconnects++;
        options.onReconnect?.({ reconnect: reconnects, gapStartedAt, resumedAt: Date.now(), error: e });
      }
    }
  }
}

function raceAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new CancelledError());
    signal.addEventListener('abort', abort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

let empty: SSHConfig | undefined;
function emptyConfig(): SSHConfig {
  if (!empty) empty = SSHConfig.parse('');
  return empty;
}
