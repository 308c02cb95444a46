// Human-readable text of a report for the terminal: the free -h picture, then the top processes
// by RSS (the ps aux --sort=-%mem picture) with their OOM scores.
import type { Report, ProcessInfo } from '../model/report';
import { humanKb, humanDuration, percent, table } from './format';
import { memoryPicture } from './memoryPicture';
import { renderEventsText } from './eventsText';

export interface TextOptions { top?: number; width?: number }

function processRows(procs: ProcessInfo[], totalKb: number | null, width: number): string[][] {
  return procs.map((p) => {
    const cmd = (p.cmdline || `[${p.comm}]`).replace(/\s+/g, ' ');
    return [String(p.pid), p.user ?? '-', humanKb(p.rssKb), percent(p.rssKb, totalKb), humanKb(p.pssKb), humanKb(p.ussKb),
      humanKb(p.swapKb), p.oomScore == null ? '-' : String(p.oomScore), p.oomScoreAdj == null ? '-' : String(p.oomScoreAdj),
      p.container ? `${p.container.runtime}:${(p.container.name ?? p.container.id ?? '').slice(0, 12)}` : '-',
      cmd.length > width ? cmd.slice(0, width - 1) + '…' : cmd];
  });
}

export function renderText(r: Report, opts: TextOptions = {}): string {
  const top = opts.top ?? 15;
  const mp = memoryPicture(r.memory);
  const out: string[] = [];
  out.push(`OOM Lens — ${r.host.name} (${r.host.via}), kernel ${r.host.kernel ?? '?'}, up ${humanDuration(r.host.uptimeSeconds)}, taken ${r.takenAt}`);
  out.push('');
  out.push(table(
    ['', 'total', 'used', 'free', 'shared', 'buff/cache', 'available'],
    [
      ['Mem:', humanKb(mp.totalKb), humanKb(mp.usedKb), humanKb(mp.freeKb), humanKb(mp.sharedKb), humanKb(mp.buffCacheKb), humanKb(mp.availableKb)],
      ['Swap:', humanKb(mp.swapTotalKb), humanKb(mp.swapUsedKb), humanKb(mp.swapFreeKb), '', '', ''],
    ],
    [false, true, true, true, true, true, true],
  ));
  out.push('');
  out.push(`Available: ${percent(mp.availableKb, mp.totalKb)} of RAM` +
    (r.pressure ? ` · memory pressure some ${r.pressure.someAvg10.toFixed(2)}% full ${r.pressure.fullAvg10.toFixed(2)}% (avg10)` : ' · memory pressure: not available (no PSI)') +
    ` · OOM kills since boot: ${r.oomKillsSinceBoot ?? 'unknown'}`);
  const s = r.settings;
  out.push(`vm.overcommit_memory=${s.overcommitMemory ?? '?'} overcommit_ratio=${s.overcommitRatio ?? '?'} swappiness=${s.swappiness ?? '?'} panic_on_oom=${s.panicOnOom ?? '?'} oom_kill_allocating_task=${s.oomKillAllocatingTask ?? '?'} min_free_kbytes=${s.minFreeKbytes ?? '?'}`);
  out.push('');
  const shown = r.processes.filter((p) => p.rssKb != null).slice(0, top);
  out.push(`Top ${shown.length} of ${r.processes.length} processes by RSS:`);
  out.push(table(['PID', 'USER', 'RSS', '%MEM', 'PSS', 'USS', 'SWAP', 'OOM', 'ADJ', 'CONTAINER', 'COMMAND'],
    processRows(shown, r.memory.totalKb, opts.width ?? 60), [true, false, true, true, true, true, true, true, true, false, false]));
  out.push('');
  out.push(`OOM events in the kernel log: ${r.events.length}`);
  if (r.events.length) out.push(renderEventsText(r.events.slice(-20)).trimEnd());
  const limited = r.cgroups.filter((c) => c.limitKb != null);
  if (limited.length) {
    out.push('');
    out.push('Memory cgroups with a limit:');
    out.push(table(['CGROUP', 'V', 'USAGE', 'LIMIT', 'PEAK', 'OOM KILLS'],
      limited.map((c) => [c.path, String(c.version), humanKb(c.usageKb), humanKb(c.limitKb), humanKb(c.peakKb), c.oomKills == null ? '-' : String(c.oomKills)]),
      [false, true, true, true, true, true]));
  }
  if (r.findings.length) {
    out.push('');
    out.push('Findings:');
    for (const f of r.findings) out.push(`  [${f.severity}] ${f.id}: ${f.title}`);
  }
  if (r.warnings.length) {
    out.push('');
    for (const w of r.warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n') + '\n';
}
