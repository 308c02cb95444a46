// One host's watch, for `oom-lens watch --events` and VS Code's "Watch Host…": a snapshot (no
// kernel log read: only kills from now on matter), then the live diagnosis at a slow rate with its
// kernel-log follower, its updates turned into events by the detector. The sampler and the
// follower restart without end after a dropped connection (a watch runs for days), each gap told.
import type { Host } from '../host/host';
import { diagnose } from '../diagnose';
import { LiveDiagnosis } from '../live';
import { isCancelled, errorText, CancelledError } from '../errors';
import { formatDuration } from '../format';
import { WatchDetector, type WatchEvent, type WatchSeverity } from './watchEvents';

/** The slow default rate: a watch must cost next to nothing (bench/watch.ts). */
export const WATCH_INTERVAL_MS = 5000;

export interface WatchingEvent {
  v: 1;
  type: 'watching';
  host: string;
  time: string;
  severity: WatchSeverity;
  message: string;
  /** "following journal", "following dmesg", "following file /var/log/kern.log", or "not followed: why". */
  kernelLog: string;
  intervalMs: number;
}

export interface NoticeEvent {
  v: 1;
  type: 'notice';
  host: string;
  time: string;
  severity: WatchSeverity;
  message: string;
}

/** Every line `watch --events` prints (docs/contracts/watch-events.md). */
export type WatchLine = WatchEvent | WatchingEvent | NoticeEvent;

export interface HostWatchOptions {
  intervalMs?: number;
  sudo?: boolean;
  signal?: AbortSignal;
  /** When the first snapshot fails (host down), try again with backoff instead of failing (VS Code). */
  retryStart?: boolean;
  onEvent: (e: WatchLine) => void;
  /** Every sample and event: for a status line. */
  onChange?: () => void;
}

export interface HostWatchState {
  /** The host answers (false between a dropped connection and the next sample). */
  connected: boolean;
  kernelLog: string | null;
  samples: number;
  lastSampleAt: string | null;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(new CancelledError());
      },
      { once: true },
    );
  });

export class HostWatch {
  readonly detector: WatchDetector;
  readonly intervalMs: number;
  private readonly abort = new AbortController();
  private st: HostWatchState = { connected: false, kernelLog: null, samples: 0, lastSampleAt: null };

  constructor(
    readonly host: Host,
    private readonly opts: HostWatchOptions,
  ) {
    this.detector = new WatchDetector(host.name);
    this.intervalMs = opts.intervalMs ?? WATCH_INTERVAL_MS;
    opts.signal?.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  get state(): HostWatchState {
    return this.st;
  }

  stop(): void {
    this.abort.abort();
  }

  /** Watches until stop() or the signal. Fails only when the first snapshot does and retryStart is off. */
  async run(): Promise<void> {
    const signal = this.abort.signal;
    const base = await this.firstSnapshot(signal);
    if (!base) return;
    this.st.connected = true;
    const live = new LiveDiagnosis(this.host, base, {
      intervalMs: this.intervalMs,
      signal,
      sudo: this.opts.sudo,
      maxRestarts: Infinity,
      // The events need only what the frames carry (pid, start, comm, sizes): no extra command per new process.
      readNewProcesses: false,
      onUpdate: (u) => {
        const l = u.report.live;
        if (l && l.samples !== this.st.samples) this.st = { ...this.st, connected: true, samples: l.samples, lastSampleAt: l.lastSampleAt };
        const t = l?.lastSampleAt ? Date.parse(l.lastSampleAt) : Date.now();
        // A kill is told with the time it was seen; the sample's time would be up to one interval old.
        for (const e of this.detector.update(u.report, u.newEvents, u.newEvents.length ? Math.max(t, Date.now()) : t)) this.opts.onEvent(e);
        this.opts.onChange?.();
      },
      onKernelLog: (status, followed) => {
        this.st = { ...this.st, kernelLog: status };
        this.line('watching', followed ? 'info' : 'warning', `Watching ${this.host.name} every ${formatDuration(this.intervalMs)}; kernel log: ${status}`, {
          kernelLog: status,
          intervalMs: this.intervalMs,
        });
      },
      onNotice: (level, message) => {
        if (level !== 'warn') return;
        // A gap: the sampler or the follower is restarting (a dropped SSH connection, most often).
        if (/interrupted|stopped \(/.test(message)) this.st = { ...this.st, connected: false };
        this.line('notice', 'warning', message);
      },
    });
    await live.run();
  }

  private async firstSnapshot(signal: AbortSignal) {
    for (let attempt = 0; ; attempt++) {
      try {
        // No kernel log read: the watch tells what happens from now on (the follower).
        return await diagnose(this.host, { signal, rollup: false, kernelLog: false, sudo: this.opts.sudo });
      } catch (e) {
        if (isCancelled(e) || signal.aborted) return null;
        if (!this.opts.retryStart) throw e;
        const backoff = Math.min(60_000, 2000 * 2 ** attempt);
        this.line('notice', 'warning', `cannot read ${this.host.name} (${errorText(e)}); trying again in ${formatDuration(backoff)}`);
        this.opts.onChange?.();
        try {
          await sleep(backoff, signal);
        } catch {
          return null;
        }
      }
    }
  }

  private line(type: 'watching' | 'notice', severity: WatchSeverity, message: string, extra: Record<string, unknown> = {}): void {
    this.opts.onEvent({ v: 1, type, host: this.host.name, time: new Date().toISOString(), severity, message, ...extra } as WatchLine);
  }
}
