// The fleet for the terminal: where it came from (and what was absent), the hosts that need a
// look, worst first, with every signal; then pods, the cross-host findings, and how to drill in.
import type { FleetHost, FleetReport } from '../model/fleet';
import { formatDuration, formatTime, plural } from '../format';
import { table } from './table';
import { terminalSafeLine } from '../util/terminalText';

/** Labels come from other people's systems: one line each, control characters made visible (the CLI's one escaper). */
const clean = terminalSafeLine;

export interface FleetTextOptions {
  /** Rows shown for hosts that have a signal (the rest are counted). */
  top?: number;
}

export function renderFleetText(r: FleetReport, o: FleetTextOptions = {}): string {
  const top = o.top ?? 25;
  const out: string[] = [];
  const bad = r.hosts.filter((h) => h.worst);
  const failed = r.hosts.filter((h) => h.error);
  const fine = r.hosts.length - bad.length - failed.length;
  out.push(
    `OOM Lens fleet — ${plural(r.hosts.length, 'host')}, ${formatDuration(r.windowMs)} to ${formatTime(r.takenAt)}` +
      (r.queries !== undefined ? ` (${plural(r.queries, 'query', 'queries')})` : ''),
  );
  out.push(`Sources: ${r.sources.map((s) => `${clean(s.name)} ${s.ok ? 'ok' : `— ${clean(s.detail)}`}`).join('; ') || 'none'}`);
  out.push('');
  if (!bad.length) out.push(failed.length ? 'No host that answered shows a memory problem.' : 'No host shows a memory problem in the window.');
  else {
    out.push(`${plural(bad.length, 'host')} need a look, worst first:`);
    out.push(
      table(
        ['#', 'HOST', 'SEVERITY', 'WORST', 'ALSO', 'DIAGNOSE'],
        bad.slice(0, top).map((h, i) => [
          String(i + 1),
          clean(h.instance),
          h.worst!.severity,
          clean(h.worst!.text),
          h.signals.length > 1
            ? clean(
                h.signals
                  .slice(1)
                  .map((s) => s.id)
                  .join(', '),
              )
            : '-',
          h.sshHost ? `--host ${clean(h.sshHost)}` : '-',
        ]),
        [true],
      ),
    );
    if (bad.length > top) out.push(`… and ${plural(bad.length - top, 'more host')} (--json has them all)`);
  }
  if (failed.length) {
    out.push('');
    out.push(`${plural(failed.length, 'host')} could not be read:`);
    for (const h of failed) out.push(`  ${clean(h.instance)}: ${clean(h.error!)}`);
  }
  if (fine > 0) out.push(`${plural(fine, 'host')} fine.`);
  if (r.pods.length) {
    out.push('');
    out.push(`Containers (${r.pods.length}):`);
    out.push(
      table(
        ['POD', 'CONTAINER', 'NODE', 'SEVERITY', 'WORST'],
        r.pods
          .slice(0, top)
          .map((p) => [clean(`${p.namespace}/${p.pod}`), clean(p.container), clean(p.node ?? '-'), p.worst?.severity ?? '-', clean(p.worst?.text ?? '-')]),
      ),
    );
    if (r.pods.length > top) out.push(`… and ${plural(r.pods.length - top, 'more container')}`);
  }
  if (r.findings.length) {
    out.push('');
    out.push('Findings:');
    for (const f of r.findings) {
      out.push(`  [${f.severity}] ${f.id}: ${clean(f.title)}`);
      out.push(`      ${clean(f.detail)}`);
      for (const rem of f.remedies) for (const c of rem.commands) out.push(`      $ ${clean(c)}`);
    }
  }
  const first = bad.find((h: FleetHost) => h.sshHost);
  if (first) {
    out.push('');
    out.push(`Drill into one: oom-lens diagnose --host ${clean(first.sshHost!)}`);
  }
  return out.join('\n') + '\n';
}
