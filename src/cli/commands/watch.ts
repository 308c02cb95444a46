// oom-lens watch: a live table of the biggest processes and how fast each grows, from ONE
// long-running sampling command, until Ctrl-C. On a terminal the table is redrawn in place;
// piped, one block per frame.
import type { Host } from '../../core/host/host';
import { runSampler } from '../../core/collect/sampler';
import { SeriesStore } from '../../core/collect/seriesStore';
import { humanKb, table } from '../../core/report/format';

/** Change per minute over the last `windowMs` of a series (null when it has too few points). */
export function ratePerMin(t: number[], y: (number | null)[], windowMs: number): number | null {
  const end = t.length - 1;
  if (end < 1 || y[end] === null) return null;
  let i = end;
  while (i > 0 && t[end] - t[i - 1] <= windowMs && y[i - 1] !== null) i--;
  if (i === end) return null;
  return ((y[end]! - y[i]!) / (t[end] - t[i])) * 60_000;
}

export function watchTable(store: SeriesStore, top: number): string {
  const last = store.length - 1;
  const avail = store.system.availableKb[last];
  const rows = [...store.procs.values()]
    .filter((p) => p.rssKb[last] !== null)
    .sort((a, b) => (b.rssKb[last] ?? 0) - (a.rssKb[last] ?? 0))
    .slice(0, top)
    .map((p) => {
      const r = ratePerMin(store.t, p.rssKb, 60_000);
      return [String(p.pid), p.comm, humanKb(p.rssKb[last]), humanKb(p.rssAnonKb[last]), r === null ? '-' : `${r >= 0 ? '+' : '−'}${humanKb(Math.abs(Math.round(r)))}/min`];
    });
  return `${new Date(store.t[last]).toISOString()}  available ${humanKb(avail)} of ${humanKb(store.memTotalKb)}  (${store.length} samples)\n`
    + table(['PID', 'NAME', 'RSS', 'ANON', 'GROWTH (1 min)'], rows, [true, false, true, true, true]) + '\n';
}

export async function watchCommand(host: Host, intervalMs: number, top: number, signal: AbortSignal, write: (s: string) => void, tty: boolean): Promise<void> {
  const store = new SeriesStore();
  await runSampler(host, store, {
    intervalMs,
    signal,
    pssEvery: 0,
    onFrame: () => write((tty ? '\x1b[H\x1b[2J' : '\n') + watchTable(store, top)),
    onGap: (reason, retry) => write(`sampling interrupted (${reason}); retrying in ${Math.round(retry / 1000)} s\n`),
  });
}
