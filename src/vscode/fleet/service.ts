// The fleet as the Fleet view and the panel see it: the last overview (or why there is none), read
// again on Refresh or when a oomLens.fleet setting changes, and one host's drill-down on demand.
import * as vscode from 'vscode';
import { fleetOverview } from '../../core/fleet/overview';
import { hostSeries } from '../../core/fleet/hostSeries';
import { PrometheusSource } from '../../core/source/prometheus';
import { KubectlSource } from '../../core/source/kubectl';
import { LocalHost } from '../../core/host/localHost';
import { configuredHostNames, defaultSshConfigPath } from '../../core/host/ssh';
import type { FleetReport } from '../../core/model/fleet';
import type { HostSeries } from '../../core/model/hostSeries';
import { errorText } from '../../core/errors';
import type { Services } from '../services';
import { setting } from '../settings';
import { readCredentials } from './credentials';
import { readFleetSettings, type FleetSettings } from './settings';

export type FleetState =
  | { kind: 'unset' }
  | { kind: 'loading'; url: string }
  | { kind: 'ok'; report: FleetReport; url: string }
  | { kind: 'error'; message: string; url: string | null; auth: boolean };

export class FleetService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<FleetState>();
  readonly onDidChange = this.changed.event;
  private current: FleetState = { kind: 'unset' };
  private abort: AbortController | null = null;
  /** Each read's number: only the latest one sets the state (a setting changed while one ran). */
  private generation = 0;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly services: Services,
  ) {}

  get state(): FleetState {
    return this.current;
  }

  private set(s: FleetState): FleetState {
    this.current = s;
    this.changed.fire(s);
    return s;
  }

  private async source(s: FleetSettings): Promise<PrometheusSource> {
    return new PrometheusSource({
      url: s.url,
      auth: await readCredentials(this.secrets),
      ca: s.ca,
      timeoutMs: setting('oomLens.collect.timeoutSeconds') * 1000,
    });
  }

  /** Reads the fleet again with the current settings; a read still running is dropped. Never throws: errors are a state. */
  refresh(): Promise<FleetState> {
    this.abort?.abort();
    return this.load(++this.generation);
  }

  private async load(gen: number): Promise<FleetState> {
    let s: FleetSettings | null;
    try {
      s = readFleetSettings();
    } catch (e) {
      return this.set({ kind: 'error', message: errorText(e), url: null, auth: false });
    }
    if (!s) return this.set({ kind: 'unset' });
    this.set({ kind: 'loading', url: s.url });
    const abort = (this.abort = new AbortController());
    // A newer read replaced this one: its answer (or its cancellation) is not the fleet's state.
    const latest = () => gen === this.generation;
    const started = Date.now();
    try {
      const prometheus = await this.source(s);
      const kube = s.kubeContext ? new KubectlSource(new LocalHost(), { context: s.kubeContext }) : null;
      const report = await fleetOverview({
        prometheus,
        kube,
        windowMs: s.windowMs,
        atMs: s.atMs ?? undefined,
        sshAliases: configuredHostNames(setting('oomLens.ssh.configFile') || defaultSshConfigPath()),
        sshMapping: s.sshMapping,
        signal: abort.signal,
      });
      if (!latest()) return this.current;
      this.services.log.info(
        `fleet: ${report.hosts.length} hosts, ${report.pods.length} pods from ${prometheus.name} in ${Date.now() - started} ms (${report.queries ?? '?'} queries)`,
      );
      return this.set({ kind: 'ok', report, url: s.url });
    } catch (e) {
      if (!latest()) return this.current;
      const message = errorText(e);
      this.services.log.error(`fleet: ${message}`);
      return this.set({ kind: 'error', message, url: s.url, auth: (e as { kind?: string }).kind === 'auth' });
    } finally {
      if (this.abort === abort) this.abort = null;
    }
  }

  /** One host over the same window as the overview (it ends at evaluateAt, or now). */
  async hostSeries(instance: string, signal?: AbortSignal): Promise<HostSeries> {
    const s = readFleetSettings();
    if (!s) throw new Error('no Prometheus URL: set oomLens.fleet.prometheusUrl');
    const end = s.atMs ?? Date.now();
    return hostSeries(await this.source(s), { instance, startMs: end - s.windowMs, endMs: end, signal });
  }

  dispose(): void {
    this.abort?.abort();
    this.changed.dispose();
  }
}
