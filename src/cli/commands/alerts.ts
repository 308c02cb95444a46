// oom-lens alerts: the Prometheus rules (or the earlyoom / systemd-oomd lines) with the findings'
// thresholds, generic or tuned to the diagnosed host, and the promtool test file for the rules.
import { dirname, relative, resolve } from 'node:path';
import type { CliArgs } from '../args';
import type { Host } from '../../core/host/host';
import { collectSnapshot } from '../../core/collect/snapshot';
import { earlyoomDefaults, genericThresholds, oomdDropIn, rulesTestYaml, rulesYaml, thresholdsForHost } from '../../core/alerts';
import { formatBytes } from '../../core/format';
import { writeFileAtomic } from '../writeFileAtomic';

export type WithHost = <T>(fn: (host: Host, signal: AbortSignal) => Promise<T>) => Promise<T>;

export async function alertsCommand(args: CliArgs, withHost: WithHost, stdout: (text: string) => void, stderr: (text: string) => void): Promise<void> {
  const o = args.alertOptions ?? { forHost: false, tests: null, format: 'prometheus' };
  let t = genericThresholds();
  if (o.forHost) {
    // Memory, swap, PSI, settings, cgroups and processes are all the tuning needs: no kernel log, no PSS.
    const { report } = await withHost((host, signal) => collectSnapshot(host, { signal, sudo: args.sudo, rollup: false }));
    t = thresholdsForHost(report);
    for (const n of t.notes) stderr(`oom-lens: ${n}\n`);
  }
  const text = o.format === 'earlyoom' ? earlyoomDefaults(t) : o.format === 'oomd' ? oomdDropIn(t) : rulesYaml(t);
  const write = (path: string, content: string) => {
    writeFileAtomic(path, content);
    stderr(`oom-lens: wrote ${path} (${formatBytes(Buffer.byteLength(content))})\n`);
  };
  if (!args.out) stdout(text);
  else write(args.out, text);
  if (o.tests && args.out) {
    // promtool resolves rule_files against the test file's folder.
    write(o.tests, rulesTestYaml(t, relative(dirname(resolve(o.tests)), resolve(args.out))));
  }
}
