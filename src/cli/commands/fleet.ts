// oom-lens fleet: which hosts and pods run out of memory, from Prometheus (one query per signal,
// for every instance) and the Kubernetes API through the user's kubectl, or without Prometheus by
// fanning the snapshot out over SSH. Text for people, --json for programs (docs/contracts/fleet.md).
import { readFileSync } from 'node:fs';
import type { CliArgs } from '../args';
import { UsageError } from '../args';
import type { FleetReport } from '../../core/model/fleet';
import type { PrometheusAuth } from '../../core/source/prometheus';
import { renderFleetText } from '../../core/report/fleetText';

type Opts = NonNullable<CliArgs['fleetOptions']>;

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new UsageError(`cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Credentials never come from the command line (it shows in ps): a file or the environment. */
export function prometheusAuth(o: Opts, env: NodeJS.ProcessEnv = process.env): PrometheusAuth | undefined {
  if (o.tokenFile) return { bearerToken: readSecretFile(o.tokenFile, '--token-file') };
  if (env.OOM_LENS_PROMETHEUS_TOKEN) return { bearerToken: env.OOM_LENS_PROMETHEUS_TOKEN };
  if (env.OOM_LENS_PROMETHEUS_USER) return { basic: { user: env.OOM_LENS_PROMETHEUS_USER, password: env.OOM_LENS_PROMETHEUS_PASSWORD ?? '' } };
  return undefined;
}

export async function fleetReport(args: CliArgs, signal: AbortSignal): Promise<FleetReport> {
  const o = args.fleetOptions!;
  const { fleetOverview } = await import('../../core/fleet/overview');
  const { PrometheusSource } = await import('../../core/source/prometheus');
  const prometheus = o.prometheus
    ? new PrometheusSource({ url: o.prometheus, auth: prometheusAuth(o), ca: o.ca ? readSecretFile(o.ca, '--ca') : undefined })
    : null;
  let kube = null;
  if (o.kubeContext || o.kubeconfig) {
    const { KubectlSource } = await import('../../core/source/kubectl');
    const { LocalHost } = await import('../../core/host/localHost');
    kube = new KubectlSource(new LocalHost(), { context: o.kubeContext, kubeconfig: o.kubeconfig });
  }
  return fleetOverview({
    prometheus,
    kube,
    windowMs: o.windowMs,
    atMs: o.atMs ?? undefined,
    sshAliases: (await import('../../core/host/ssh')).configuredHostNames(args.sshConfig ?? undefined),
    sshMapping: o.map,
    signal,
  });
}

/** Without Prometheus: the snapshot on each host over SSH, a bounded number at a time. */
async function fanoutReport(args: CliArgs, signal: AbortSignal, progress: (t: string) => void): Promise<FleetReport> {
  const o = args.fleetOptions!;
  const { sshFanout, resolveHostList } = await import('../../core/fleet/sshFanout');
  const ssh = await import('../../core/host/ssh');
  let specs: string[];
  try {
    specs = resolveHostList(o.hosts!, args.sshConfig ?? undefined);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  return sshFanout(specs, {
    concurrency: o.concurrency,
    perHostTimeoutMs: o.timeoutMs,
    windowMs: o.windowMs,
    sudo: args.sudo,
    signal,
    // Many hosts at once: no prompts (no callbacks), so an unknown key or a passphrase is a clear refusal, never a hang.
    open: (spec) => ssh.hostFromSpec(spec, { sshConfigPath: args.sshConfig ?? undefined, identity: args.identity ?? undefined, callbacks: {} }),
    onHost: (row, done, total) => progress(`[${done}/${total}] ${row.instance}: ${row.error ? `failed: ${row.error}` : (row.worst?.text ?? 'fine')}\n`),
  });
}

export async function fleetCommand(args: CliArgs, signal: AbortSignal, stdout: (t: string) => void, stderr: (t: string) => void = () => {}): Promise<void> {
  const r = args.fleetOptions!.hosts ? await fanoutReport(args, signal, stderr) : await fleetReport(args, signal);
  stdout(args.json ? JSON.stringify(r, null, 2) + '\n' : renderFleetText(r, { top: args.top === 15 ? 25 : args.top }));
}
