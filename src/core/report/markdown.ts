// Markdown of a report, for pasting into a ticket: the verdict first (findings with remedies),
// then the kills, memory now, growth, top processes, cgroups and what could not be read.
import type { Report } from '../model/report';
import { formatDuration, formatKb, formatPercent, formatRate, formatShare, formatTime, secondsToMs } from '../format';
import { headline } from '../report/headline';
import { evidenceRows } from './evidence';
import { memoryPicture } from './memoryPicture';
import { eventWhen, eventWhat, eventWhere, eventVictimRssKb, eventVictimName, eventPid, eventTrigger } from './eventsText';

/** Escapes text for a Markdown table cell (pipes, newlines) and inline text. */
function cell(s: string | number | null | undefined): string {
  return String(s ?? '-')
    .replace(/\\/g, '\\\\') // first: a backslash from a host must not escape our escapes
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
    .replace(/([*_`<>[\]~])/g, '\\$1')
    .replace(/&(?=#?\w+;)/g, '&amp;'); // "&lt;" from a host stays text, never an entity
}

/** A paragraph of host text: inline-escaped, and a leading #, list marker or setext line is text. */
function para(s: string | null | undefined): string {
  return cell(s).replace(/^(\s*)([#+\-=]|\d+[.)])/, '$1\\$2');
}

function mdTable(header: string[], rows: (string | number | null)[][]): string {
  return [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const psi = (v: number) => formatShare(v / 100);

export function renderMarkdown(r: Report, opts: { top?: number } = {}): string {
  const top = opts.top ?? 15;
  const mp = memoryPicture(r.memory);
  const o: string[] = [];
  o.push(`# OOM Lens report: ${cell(r.host.name)}`);
  o.push('');
  o.push(
    `${r.host.via} host · kernel ${cell(r.host.kernel)} · up ${formatDuration(secondsToMs(r.host.uptimeSeconds))} · ${r.live ? `sampled ${r.live.samples} times, last at ${formatTime(r.live.lastSampleAt)}` : `taken ${formatTime(r.takenAt)}`}`,
  );
  o.push('');
  // The verdict: the one thing most urgent now, then the other serious findings as a short list.
  const h = headline(r);
  o.push(`**Verdict:** ${cell(h.text)}`);
  const others = r.findings.filter((f) => f.severity !== 'info' && (f.key ?? f.id) !== h.findingKey);
  if (others.length)
    o.push('', ...others.slice(0, 6).map((f) => `- ${f.severity}: ${cell(f.title)}`), ...(others.length > 6 ? [`- and ${others.length - 6} more below`] : []));
  if (r.findings.length) {
    o.push('', '## Findings', '');
    for (const f of r.findings) {
      o.push(`### ${f.severity.toUpperCase()}: ${cell(f.title)} (\`${f.id}\`)`, '', para(f.detail), '');
      const ev = evidenceRows(f.evidence ?? {});
      if (ev.length) o.push('Evidence:', '', ...ev.map(([k, v]) => `- ${cell(k)}: ${cell(v)}`), '');
      for (const rem of f.remedies) {
        o.push(`- **${cell(rem.title)}**${rem.changesHost ? ' (changes the host: review before running)' : ''}`);
        if (rem.commands.length) o.push('', '  ```sh', ...rem.commands.map((c) => `  ${c}`), '  ```', '');
      }
      o.push('');
    }
  }
  o.push('', '## OOM kills', '');
  o.push(
    r.events.length
      ? mdTable(
          ['When', 'What', 'Victim', 'PID', 'RSS', 'Trigger', 'cgroup / container'],
          r.events.map((e) => [eventWhen(e), eventWhat(e), eventVictimName(e), eventPid(e), formatKb(eventVictimRssKb(e)), eventTrigger(e), eventWhere(e)]),
        )
      : `None in the kernel log (OOM kills since boot per /proc/vmstat: ${r.oomKillsSinceBoot ?? 'unknown'}).`,
  );
  o.push('', '## Memory now', '');
  o.push(
    mdTable(
      ['', 'total', 'used', 'free', 'shared', 'buff/cache', 'available'],
      [
        [
          'Mem',
          formatKb(mp.totalKb),
          formatKb(mp.usedKb),
          formatKb(mp.freeKb),
          formatKb(mp.sharedKb),
          formatKb(mp.buffCacheKb),
          `${formatKb(mp.availableKb)} (${formatPercent(mp.availableKb, mp.totalKb)})`,
        ],
        ['Swap', formatKb(mp.swapTotalKb), formatKb(mp.swapUsedKb), formatKb(mp.swapFreeKb), '', '', ''],
      ],
    ),
  );
  o.push('');
  o.push(
    `Memory pressure (PSI avg10/avg60): ${r.pressure ? `some ${psi(r.pressure.someAvg10)}/${psi(r.pressure.someAvg60)}, full ${psi(r.pressure.fullAvg10)}/${psi(r.pressure.fullAvg60)}` : 'not available'}. ` +
      `vm.overcommit_memory=${r.settings.overcommitMemory ?? '?'}, overcommit_ratio=${r.settings.overcommitRatio ?? '?'}, swappiness=${r.settings.swappiness ?? '?'}, panic_on_oom=${r.settings.panicOnOom ?? '?'}, oom_kill_allocating_task=${r.settings.oomKillAllocatingTask ?? '?'}, min_free_kbytes=${r.settings.minFreeKbytes ?? '?'}.`,
  );
  if (r.growth.length) {
    o.push('', '## Growth', '');
    o.push(
      mdTable(
        ['PID', 'Name', 'Verdict', 'Slope', 'Fit (r²)', 'Samples', 'Projected OOM'],
        r.growth
          .slice(0, 30)
          .map((g) => [
            g.pid,
            g.comm,
            g.verdict,
            formatRate(g.slopeKbPerMin),
            g.r2.toFixed(2),
            g.samples,
            g.projectedOomAt ? formatTime(g.projectedOomAt) : '-',
          ]),
      ),
    );
  }
  o.push('', `## Top ${top} processes by RSS`, '');
  o.push(
    mdTable(
      ['PID', 'User', 'Name', 'RSS', 'PSS', 'USS', 'Swap', 'oom_score', 'adj', 'cgroup'],
      r.processes
        .filter((p) => p.rssKb !== null)
        .slice(0, top)
        .map((p) => [p.pid, p.user, p.comm, formatKb(p.rssKb), formatKb(p.pssKb), formatKb(p.ussKb), formatKb(p.swapKb), p.oomScore, p.oomScoreAdj, p.cgroup]),
    ),
  );
  const limited = r.cgroups.filter((c) => c.limitKb !== null);
  if (limited.length) {
    o.push('', '## Memory cgroups with a limit', '');
    o.push(
      mdTable(
        ['cgroup', 'v', 'usage', 'limit', 'peak', 'OOM kills'],
        limited.map((c) => [c.path, c.version, formatKb(c.usageKb), formatKb(c.limitKb), formatKb(c.peakKb), c.oomKills]),
      ),
    );
  }
  if (r.warnings.length) {
    o.push('', '## What could not be read', '', ...r.warnings.map((w) => `- ${cell(w)}`));
  }
  o.push('', '_Generated by OOM Lens._', '');
  return o.join('\n');
}
