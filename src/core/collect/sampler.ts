// Sampling over time: ONE long-running command on the host printing a frame per interval, parsed
// as it streams into a bounded SeriesStore. If the command ends early (an SSH connection dropped),
// it is restarted with backoff and the gap is marked in the series; nothing collected is lost.
import type { Host } from '../host/host';
import { CancelledError, isCancelled } from '../errors';
import { sampleScript } from './sampleScript';
import { FrameParser, Frame } from '../parse/sampleFrames';
import { SeriesStore } from './seriesStore';

export interface SamplerOptions {
  intervalMs: number;
  /** Stop after this long; undefined = until the signal aborts. */
  durationMs?: number;
  signal?: AbortSignal;
  pssEvery?: number;
  cgroupFiles?: string[];
  /** The host's boot time (epoch ms), to turn /proc/uptime into wall clock; else derived here. */
  bootTimeMs?: number;
  onFrame?: (frame: Frame, timeMs: number) => void;
  /** Called when the command ended early and is being restarted. */
  onGap?: (reason: string, retryInMs: number) => void;
  maxRestarts?: number;
}

export interface SamplerResult {
  frames: number;
  restarts: number;
  stoppedBy: 'duration' | 'signal' | 'gave-up';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function runSampler(host: Host, store: SeriesStore, o: SamplerOptions): Promise<SamplerResult> {
  store.intervalMs = o.intervalMs;
  const deadline = o.durationMs !== undefined ? Date.now() + o.durationMs : Infinity;
  let frames = 0;
  let restarts = 0;
  /** Failed runs in a row: a run that delivered frames was healthy, so a watch that runs for days does not give up on its 20th blip. */
  let failures = 0;
  let bootTimeMs = o.bootTimeMs;
  const maxRestarts = o.maxRestarts ?? 20;
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { frames, restarts, stoppedBy: 'duration' };
    // Frames at 0, i, 2i, … up to the deadline; 0 = until stopped.
    const count = Number.isFinite(remaining) ? Math.floor(remaining / o.intervalMs) + 1 : 0;
    const parser = new FrameParser((f) => {
      if (bootTimeMs === undefined) bootTimeMs = Date.now() - f.uptimeSeconds * 1000;
      const t = Math.round(bootTimeMs + f.uptimeSeconds * 1000);
      store.add(f, t);
      frames++;
      o.onFrame?.(f, t);
    });
    let reason: string;
    const framesBefore = frames;
    try {
      const res = await host.exec('sh -s', {
        stdin: sampleScript({ intervalMs: o.intervalMs, count, pssEvery: o.pssEvery, cgroupFiles: o.cgroupFiles }),
        signal: o.signal,
        discardStdout: true,
        onStdout: (c) => parser.push(c),
      });
      if (parser.fatal) throw new Error(parser.fatal);
      if (parser.ended) return { frames, restarts, stoppedBy: 'duration' };
      reason = `the sampling command ended early (exit ${res.code ?? res.signal})`;
    } catch (e) {
      if (isCancelled(e) || o.signal?.aborted) return { frames, restarts, stoppedBy: 'signal' };
      reason = (e as Error).message;
    }
    if (frames > framesBefore) failures = 0;
    if (failures >= maxRestarts) return { frames, restarts, stoppedBy: 'gave-up' };
    const backoff = Math.min(30_000, 500 * 2 ** failures);
    failures++;
    restarts++;
    store.markGap();
    o.onGap?.(reason, backoff);
    try {
      await sleep(backoff, o.signal);
    } catch {
      return { frames, restarts, stoppedBy: 'signal' };
    }
  }
}
