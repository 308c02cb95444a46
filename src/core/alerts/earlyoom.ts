// The same thresholds for hosts without Prometheus: an earlyoom line for /etc/default/earlyoom.
// earlyoom acts (SIGTERM, then SIGKILL) rather than alerts, so it gets the critical levels.
import type { AlertThresholds } from './thresholds';

/** A percentage as earlyoom reads it: at most two decimals, no float noise (10, not 9.999999999999998). */
const percent = (fraction: number) => String(Math.round(fraction * 10_000) / 100);

/** earlyoom 1.7 flags: -m available memory %, -s free swap % (each TERM,KILL), -r report interval. */
export function earlyoomArgs(t: AlertThresholds): string[] {
  const mem = t.available.critical;
  const args = ['-m', `${percent(mem)},${percent(mem / 2)}`];
  // Without swap earlyoom compares 0 % free swap, always below: memory alone decides, so no -s.
  if (t.swap) args.push('-s', `${percent(1 - t.swap.critical)},${percent((1 - t.swap.critical) / 2)}`);
  // Debian's default: a memory report each hour, not each second, in the journal.
  args.push('-r', '3600');
  return args;
}

export function earlyoomDefaults(t: AlertThresholds): string {
  const a = t.available.critical;
  const lines = [
    `# /etc/default/earlyoom, written by oom-lens alerts${t.host ? ` for ${t.host.name}` : ''}: the thresholds of the OOM Lens findings.`,
    `# SIGTERM to the largest process when MemAvailable < ${percent(a)} %${t.swap ? ` and free swap < ${percent(1 - t.swap.critical)} %` : ''}, SIGKILL at half of that.`,
    ...(t.swap ? [] : ['# This host has no swap: memory alone decides.']),
    '# Then: sudo systemctl restart earlyoom',
    `EARLYOOM_ARGS="${earlyoomArgs(t).join(' ')}"`,
  ];
  return lines.join('\n') + '\n';
}
