// Human-readable text of a report for the terminal: the verdict and findings first, growth when
// sampled, then the free -h picture and the top processes by RSS (ps aux --sort=-%mem) with their
// OOM scores.
import type { Report, ProcessInfo } from '../model/report';
import { formatDuration, formatKb, formatPercent, formatRate, formatShare, formatTime, plural, secondsToMs } from '../format';
import { headline } from '../report/headline';
import type { GrowthDetail } from '../analyze/growth';
import { table } from './table';
import { memoryPicture } from './memoryPicture';
import { renderEventsText } from './eventsText';

export interface TextOptions {
  top?: number;
  width?: number;
}

function processRows(procs: ProcessInfo[], totalKb: number | null, width: number): string[][] {
  return procs.map((p) => {
    const cmd = (p.cmdline || `[${p.comm}]`).replace(/\s+/g, ' ');
    return [
      String(p.pid),
      p.user ?? '-',
      formatKb(p.rssKb),
      formatPercent(p.rssKb, totalKb),
      formatKb(p.pssKb),
      formatKb(p.ussKb),
      formatKb(p.swapKb),
      p.oomScore == null ? '-' : String(p.oomScore),
      p.oomScoreAdj == null ? '-' : String(p.oomScoreAdj),
      p.container ? `${p.container.runtime}:${(p.container.name ?? p.container.id ?? '').slice(0, 12)}` : '-',
      cmd.length > width ? cmd.slice(0, width - 1) + '…' : cmd,
    ];
  });
}

export function renderText(r: Report, opts: TextOptions = {}): string {
  const top = opts.top ?? 15;
  const mp = memoryPicture(r.memory);
  const out: string[] = [];
  out.push(
    `OOM Lens — ${r.host.name} (${r.host.via}), kernel ${r.host.kernel ?? '?'}, up ${formatDuration(secondsToMs(r.host.uptimeSeconds))}, ` +
      (r.live
        ? `sampled ${plural(r.live.samples, 'time')} every ${formatDuration(r.live.intervalMs)}, last at ${formatTime(r.live.lastSampleAt)}`
        : `taken ${formatTime(r.takenAt)}`),
  );
  out.push('');
  // What is wrong first: the headline, then the findings.
  out.push(`Verdict: ${headline(r).text}`);
  if (r.findings.length) {
    out.push('');
    out.push('Findings:');
    for (const f of r.findings) out.push(`  [${f.severity}] ${f.id}: ${f.title}`);
  }
  const grown = r.growth.filter((g) => g.verdict !== 'steady').slice(0, top);
  if (r.live || grown.length) {
    out.push('');
    out.push(grown.length ? `Growth while sampled (${plural(grown.length, 'process')} not steady):` : 'Growth while sampled: every process steady.');
    if (grown.length) {
      out.push(
        table(
          ['PID', 'NAME', 'VERDICT', 'RATE', 'FROM', 'TO', 'SAMPLES', 'OUT OF MEMORY'],
          grown.map((g) => {
            const d = g as Partial<GrowthDetail> & typeof g;
            return [
              String(g.pid),
              g.comm,
              g.verdict,
              formatRate(d.basisSlopeKbPerMin ?? g.slopeKbPerMin),
              formatKb(d.firstKb),
              formatKb(d.lastKb),
              String(g.samples),
              g.projectedOomAt ? formatTime(g.projectedOomAt) : '-',
            ];
          }),
          [true, false, false, true, true, true, true, false],
        ),
      );
    }
  }
  out.push('');
  out.push(
    table(
      ['', 'total', 'used', 'free', 'shared', 'buff/cache', 'available'],
      [
        ['Mem:', formatKb(mp.totalKb), formatKb(mp.usedKb), formatKb(mp.freeKb), formatKb(mp.sharedKb), formatKb(mp.buffCacheKb), formatKb(mp.availableKb)],
        ['Swap:', formatKb(mp.swapTotalKb), formatKb(mp.swapUsedKb), formatKb(mp.swapFreeKb), '', '', ''],
      ],
      [false, true, true, true, true, true, true],
    ),
  );
  out.push('');
  out.push(
    `Available: ${formatPercent(mp.availableKb, mp.totalKb)} of RAM` +
      (r.pressure
        ? ` · memory pressure some ${formatShare(r.pressure.someAvg10 / 100)} full ${formatShare(r.pressure.fullAvg10 / 100)} (avg10)`
        : ' · memory pressure: not available (no PSI)') +
      ` · OOM kills since boot: ${r.oomKillsSinceBoot ?? 'unknown'}`,
  );
  const s = r.settings;
  out.push(
    `vm.overcommit_memory=${s.overcommitMemory ?? '?'} overcommit_ratio=${s.overcommitRatio ?? '?'} swappiness=${s.swappiness ?? '?'} panic_on_oom=${s.panicOnOom ?? '?'} oom_kill_allocating_task=${s.oomKillAllocatingTask ?? '?'} min_free_kbytes=${s.minFreeKbytes ?? '?'}`,
  );
  out.push('');
  const shown = r.processes.filter((p) => p.rssKb != null).slice(0, top);
  out.push(`Top ${shown.length} of ${r.processes.length} processes by RSS:`);
  out.push(
    table(['PID', 'USER', 'RSS', '%MEM', 'PSS', 'USS', 'SWAP', 'OOM', 'ADJ', 'CONTAINER', 'COMMAND'], processRows(shown, r.memory.totalKb, opts.width ?? 60), [
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]),
  );
  out.push('');
  out.push(`OOM events in the kernel log: ${r.events.length}`);
  if (r.events.length) out.push(renderEventsText(r.events.slice(-20)).trimEnd());
  const limited = r.cgroups.filter((c) => c.limitKb != null);
  if (limited.length) {
    out.push('');
    out.push('Memory cgroups with a limit:');
    out.push(
      table(
        ['CGROUP', 'V', 'USAGE', 'LIMIT', 'PEAK', 'OOM KILLS'],
        limited.map((c) => [
          c.path,
          String(c.version),
          formatKb(c.usageKb),
          formatKb(c.limitKb),
          formatKb(c.peakKb),
          c.oomKills == null ? '-' : String(c.oomKills),
        ]),
        [false, true, true, true, true, true],
      ),
    );
  }
  if (r.exited?.length) {
    out.push('');
    out.push(
      `Exited while sampled: ${r.exited
        .slice(0, 10)
        .map((p) => `${p.comm} (${p.pid}) at ${formatTime(p.goneAt)}`)
        .join(', ')}${r.exited.length > 10 ? ', …' : ''}`,
    );
  }
  if (r.warnings.length) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n') + '\n';
}
