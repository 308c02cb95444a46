// One authenticated ssh2 connection (one hop, over a jump host's forwarded stream when given):
// known_hosts verification through the host-key policy (hostKeyPolicy.ts), the authentication plan
// (authPlan.ts), and a connect timeout that pauses while a person answers a prompt. SshHost builds
// its pool and exec on top; this file holds the safety-critical handshake alone.
import { Client, ConnectConfig } from 'ssh2';
import { CancelledError, OomLensError } from '../../errors';
import type { Logger } from '../../logger';
import type { SshTarget } from './sshConfig';
import { SshConnectError } from './errors';
import { appendKnownHost, fingerprintSha256, keyTypeOf, knownHostName, knownHostsLine, knownKeyTypes, readKnownHosts } from './knownHosts';
import { AuthPlan } from './authPlan';
import { decideHostKey, declinedKeyError, type HostKeyQuestion } from './hostKeyPolicy';

export type UnknownHostKeyAnswer = 'once' | 'remember' | 'cancel';

/** The host-key policy's question, as the callbacks receive it. */
export type UnknownHostKeyInfo = HostKeyQuestion;

/** UI needs passed INTO the core. Any of them may be missing: the core then refuses, never hangs. */
export interface SshCallbacks {
  onUnknownHostKey?(info: UnknownHostKeyInfo): UnknownHostKeyAnswer | Promise<UnknownHostKeyAnswer>;
  /** Passphrase of an encrypted private key; undefined skips the key. `attempt` starts at 1. */
  askPassphrase?(info: { keyPath: string; attempt: number; wrong: boolean }): string | undefined | Promise<string | undefined>;
  /** Password or keyboard-interactive answer; undefined cancels the login. */
  askPassword?(info: { host: string; user: string; prompt: string; echo: boolean; attempt: number }): string | undefined | Promise<string | undefined>;
}

const KEY_ALGOS: Record<string, string[]> = { 'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] };
const DEFAULT_HOST_KEY_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** Wraps a command so its remote process group id is printed first (see the file comment). */
/** A timeout that stops counting while a person is being asked something. */
class PausableTimer {
  private timer?: NodeJS.Timeout;
  private remaining: number;
  private startedAt = 0;
  constructor(
    ms: number,
    private fire: () => void,
  ) {
    this.remaining = ms;
    this.resume();
  }
  pause(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remaining -= Date.now() - this.startedAt;
    }
  }
  resume(): void {
    if (!this.timer && this.remaining !== Infinity) {
      this.startedAt = Date.now();
      this.timer = setTimeout(this.fire, Math.max(0, this.remaining));
    }
  }
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Infinity;
  }
  async during<T>(p: () => T | Promise<T>): Promise<T> {
    this.pause();
    try {
      return await p();
    } finally {
      this.resume();
    }
  }
}

export interface ConnectOptions {
  /** The previous hop, to reach this one through (ProxyJump). */
  via?: Client;
  signal?: AbortSignal;
  callbacks?: SshCallbacks;
  agentSocket?: string | null;
  /** Host keys accepted "once": for the lifetime of the SshHost, never written anywhere. */
  acceptedOnce: Set<string>;
  log: Logger;
}

export function connectClient(t: SshTarget, o: ConnectOptions): Promise<Client> {
  const { via, signal } = o;
  const where = `${t.user}@${t.host}${t.port === 22 ? '' : `:${t.port}`}`;
  const cb = o.callbacks ?? {};
  return new Promise<Client>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const client = new Client();
    let settled = false;
    let fatal: Error | undefined;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      timer.stop();
      signal?.removeEventListener('abort', onAbort);
      client.end();
      // ssh2 ignores destroy() once end() ran; a silent server never answers the end, and its socket kept the process alive for minutes.
      client.destroy?.();
      (client as unknown as { _sock?: { destroy?: () => void } })._sock?.destroy?.();
      reject(e);
    };
    const timer = new PausableTimer(t.connectTimeoutMs, () =>
      fail(
        new SshConnectError(
          `timed out after ${Math.round(t.connectTimeoutMs / 1000)} s connecting to ${where}`,
          'check that the host is up and reachable (VPN, firewall), or raise ConnectTimeout in the ssh config',
          'ETIMEDOUT',
        ),
      ),
    );
    const onAbort = () => fail(new CancelledError());
    signal?.addEventListener('abort', onAbort, { once: true });

    // Host key policy.
    const knownFiles = [...t.userKnownHostsFiles, ...t.globalKnownHostsFiles];
    const entries = readKnownHosts(knownFiles);
    const writeTo = t.userKnownHostsFiles[0];
    const preferred = knownKeyTypes(entries, t.host, t.port).flatMap((k) => KEY_ALGOS[k] ?? [k]);
    const hostKeyAlgos = [...preferred.filter((a) => DEFAULT_HOST_KEY_ALGOS.includes(a)), ...DEFAULT_HOST_KEY_ALGOS.filter((a) => !preferred.includes(a))];
    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
      const d = decideHostKey(key, {
        entries,
        host: t.host,
        port: t.port,
        user: t.user,
        strictHostKeyChecking: t.strictHostKeyChecking,
        batchMode: t.batchMode,
        canAsk: !!cb.onUnknownHostKey,
        acceptedOnce: o.acceptedOnce,
        writeTo: writeTo ?? null,
      });
      const remember = () => {
        if (!writeTo) return;
        try {
          appendKnownHost(writeTo, knownHostsLine(t.host, t.port, key, { hash: t.hashKnownHosts }));
          o.log.info(`ssh: added ${keyTypeOf(key)} ${fingerprintSha256(key)} for ${knownHostName(t.host, t.port)} to ${writeTo}`);
        } catch (e) {
          o.log.warn(`ssh: cannot write ${writeTo}: ${(e as Error).message}`);
        }
      };
      const refuse = (e: Error) => {
        fatal = e;
        verify(false);
      };
      switch (d.kind) {
        case 'accept':
          return verify(true);
        case 'refuse':
          return refuse(d.error);
        case 'remember':
          o.log.warn(
            `ssh: accepting new host key for ${knownHostName(t.host, t.port)}: ${keyTypeOf(key)} ${fingerprintSha256(key)} (StrictHostKeyChecking ${t.strictHostKeyChecking})`,
          );
          remember();
          return verify(true);
        case 'ask':
          timer
            .during(() => cb.onUnknownHostKey!(d.question))
            .then(
              (answer) => {
                if (answer === 'remember') {
                  remember();
                  verify(true);
                } else if (answer === 'once') {
                  o.acceptedOnce.add(d.onceKey);
                  verify(true);
                } else refuse(declinedKeyError(key, t.host, t.port));
              },
              (e: Error) => refuse(e),
            );
      }
    };

    // Authentication: the agent, identity files, keyboard-interactive, password (authPlan.ts).
    const plan = new AuthPlan({
      target: t,
      callbacks: cb,
      agentSocket: o.agentSocket,
      during: (p) => timer.during(p),
      setFatal: (e) => {
        fatal = e;
      },
      isFatal: () => fatal !== undefined,
    });
    const authHandler = plan.handler;

    client.on('ready', () => {
      if (settled) return;
      settled = true;
      timer.stop();
      signal?.removeEventListener('abort', onAbort);
      client.setNoDelay(true);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (settled) return;
      if (err.level === 'agent' || (err.level === 'client-authentication' && !/All configured authentication methods failed/.test(err.message))) {
        plan.notes.push(err.message);
        return; // ssh2 goes on with the next method
      }
      if (fatal) return fail(fatal);
      if (err.level === 'client-authentication') return fail(plan.failure(where));
      fail(mapConnectError(err, where));
    });
    client.on('close', () => {
      if (!settled)
        fail(fatal ?? new SshConnectError(`the connection to ${where} closed during the handshake`, 'check the host and port; is it an SSH server?'));
    });

    const connect = (sock?: NodeJS.ReadableStream & NodeJS.WritableStream) => {
      if (settled) {
        (sock as unknown as { destroy?: () => void })?.destroy?.();
        return;
      }
      const cfg: ConnectConfig = {
        host: t.host,
        port: t.port,
        username: t.user,
        readyTimeout: 0, // our own timer, paused while a person answers a prompt
        keepaliveInterval: t.serverAliveIntervalMs,
        keepaliveCountMax: t.serverAliveCountMax,
        hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
        authHandler: authHandler as unknown as ConnectConfig['authHandler'],
        algorithms: { serverHostKey: hostKeyAlgos as never },
      };
      if (sock) cfg.sock = sock as unknown as ConnectConfig['sock'];
      try {
        client.connect(cfg);
      } catch (e) {
        fail(mapConnectError(e as Error, where));
      }
    };
    if (!via) connect();
    else {
      via.forwardOut('127.0.0.1', 0, t.host, t.port, (err, stream) => {
        if (err)
          return fail(
            new SshConnectError(
              `the jump host cannot reach ${t.host}:${t.port}: ${err.message}`,
              'check that the jump host can resolve and reach the target, and allows TCP forwarding (AllowTcpForwarding / PermitOpen in its sshd_config)',
            ),
          );
        connect(stream);
      });
    }
  });
}

export function mapConnectError(err: Error & { code?: string; level?: string }, where: string): OomLensError {
  if (err instanceof OomLensError) return err;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new SshConnectError(
        `cannot connect to ${where}: connection refused`,
        'is sshd running there, and is the port right (Port in the ssh config)?',
        err.code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshConnectError(`cannot resolve the host name of ${where}`, 'check HostName in the ssh config, and DNS', err.code);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new SshConnectError(`cannot reach ${where}: ${err.code === 'EHOSTUNREACH' ? 'host' : 'network'} unreachable`, 'check the network / VPN', err.code);
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshConnectError(`the connection to ${where} was reset during the handshake`, 'the server or a firewall dropped it; try again', err.code);
    case 'ETIMEDOUT':
      return new SshConnectError(`timed out connecting to ${where}`, 'check that the host is reachable', err.code);
  }
  if (err.level === 'handshake' || /handshake|algorithm/i.test(err.message))
    return new SshConnectError(
      `SSH handshake with ${where} failed: ${err.message}`,
      'the server offers no algorithm ssh2 supports, or it is not an SSH server',
    );
  return new SshConnectError(`cannot connect to ${where}: ${err.message}`, undefined, err.code);
}
