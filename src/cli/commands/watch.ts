// oom-lens watch: a live table of the biggest processes and how fast each grows, from the live
// diagnosis (core/live.ts, the same one the panel reads), until Ctrl-C. New OOM kills are printed
// as they happen. On a terminal the table is redrawn in place; piped, one block per frame.
import { terminalSafe } from '../../core/util/terminalText';
import type { Host } from '../../core/host/host';
import type { Report } from '../../core/model/report';
import { collectSnapshot } from '../../core/collect/snapshot';
import { LiveDiagnosis } from '../../core/live';
import { formatKb, plural } from '../../core/format';
import { table } from '../../core/report/table';
import { HostWatch } from '../../core/watch/hostWatch';

/** watch --fail-on kill saw a kill (README, help). */
export const EXIT_KILLED = 3;

/**
 * oom-lens watch --events: one JSON line per event on stdout and nothing else (messages for people
 * on stderr); returns EXIT_KILLED right after the first kill with --fail-on kill, else 0 when stopped.
 */
export async function watchEventsCommand(
  host: Host,
  o: { intervalMs: number; sudo: boolean; failOn: 'kill' | null },
  signal: AbortSignal,
  write: (s: string) => void,
): Promise<number> {
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });
  let code = 0;
  const watch = new HostWatch(host, {
    intervalMs: o.intervalMs,
    sudo: o.sudo,
    signal: stop.signal,
    onEvent: (e) => {
      if (code !== 0) return; // stopping: nothing after the line that failed the run
      write(JSON.stringify(e) + '\n');
      if (o.failOn === 'kill' && e.type === 'oom-kill') {
        code = EXIT_KILLED;
        stop.abort();
      }
    },
  });
  await watch.run();
  return code;
}

const rate = (kbPerMin: number) => `${kbPerMin >= 0 ? '+' : '−'}${formatKb(Math.abs(Math.round(kbPerMin)))}/min`;

/** The table of one frame: the biggest current processes, their growth (or "too new"), and kills seen while watching. */
export function watchTable(r: Report, top: number): string {
  const growth = new Map(r.growth.map((g) => [g.pid, g]));
  const young = new Set(r.live?.tooNew ?? []);
  const rows = r.processes
    .filter((p) => p.rssKb !== null)
    .slice(0, top)
    .map((p) => {
      const g = growth.get(p.pid);
      return [
        String(p.pid),
        p.comm,
        formatKb(p.rssKb),
        formatKb(p.rssAnonKb),
        g ? rate(g.slopeKbPerMin) : young.has(p.pid) ? 'too new' : '-',
        g && g.verdict !== 'steady' ? g.verdict : '',
      ];
    });
  const since = r.live ? Date.parse(r.live.startedAt) : Infinity;
  const kills = r.events
    .filter((e) => e.time && Date.parse(e.time) >= since - 2000)
    .map(
      (e) =>
        `OOM kill at ${e.time}: ${e.victim?.comm ?? '?'} (${e.victim?.pid ?? '?'})${e.memcg ? ` in ${e.memcg}` : ''}${e.victim?.anonRssKb != null ? `, anon-rss ${formatKb(e.victim.anonRssKb)}` : ''}\n`,
    )
    .join('');
  const at = r.live?.lastSampleAt ?? r.takenAt;
  return (
    `${at}  available ${formatKb(r.memory.availableKb)} of ${formatKb(r.memory.totalKb)}  (${plural(r.live?.samples ?? 0, 'sample')})\n` +
    table(['PID', 'NAME', 'RSS', 'ANON', 'GROWTH', 'VERDICT'], rows, [true, false, true, true, true, false]) +
    '\n' +
    kills
  );
}

export async function watchCommand(host: Host, intervalMs: number, top: number, signal: AbortSignal, write: (s: string) => void, tty: boolean): Promise<void> {
  const { report } = await collectSnapshot(host, { signal, rollup: false });
  const live = new LiveDiagnosis(host, report, {
    intervalMs,
    signal,
    onUpdate: (u) => {
      if (!u.newEvents.length) write((tty ? '\x1b[H\x1b[2J' : '\n') + terminalSafe(watchTable(u.report, top)));
    },
    onNotice: (level, m) => {
      if (level === 'warn') write(`${m}\n`);
    },
  });
  await live.run();
}
