// The same thresholds as a systemd-oomd drop-in ([OOM] of oomd.conf). systemd-oomd kills whole
// cgroups, so it gets the critical levels: swap used (swap-heavy) and PSI full over a minute
// (memory-pressure, avg60).
import type { AlertThresholds } from './thresholds';

const percent = (fraction: number) => `${Math.round(fraction * 10_000) / 100}%`;

export function oomdDropIn(t: AlertThresholds): string {
  const lines = [
    `# /etc/systemd/oomd.conf.d/60-oom-lens.conf, written by oom-lens alerts${t.host ? ` for ${t.host.name}` : ''}: the thresholds of the OOM Lens findings.`,
    '# systemd-oomd acts only on units with ManagedOOMSwap=kill or ManagedOOMMemoryPressure=kill',
    '# (e.g. -.slice and user@.service). Then: sudo systemctl restart systemd-oomd',
    '[OOM]',
  ];
  if (t.swap) lines.push(`SwapUsedLimit=${percent(t.swap.critical)}`);
  else lines.push('# No swap on this host: no SwapUsedLimit.');
  if (t.psi) {
    lines.push(`DefaultMemoryPressureLimit=${percent(t.psi.fullCritical)}`, 'DefaultMemoryPressureDurationSec=60s');
  } else lines.push('# No PSI on this host: systemd-oomd needs it (CONFIG_PSI, cgroup v2).');
  return lines.join('\n') + '\n';
}
