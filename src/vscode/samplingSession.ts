import * as vscode from 'vscode';
import { runSampler } from '../core/collect/sampler';
import { SeriesStore } from '../core/collect/seriesStore';
import { analyzeReport } from '../core/analyze';
import type { Host } from '../core/host/host';
import type { Report } from '../core/model/report';
import { formatDuration } from '../core/util/duration';
import { COMMANDS } from './ids';

/**
 * A live sampling session on one host: ONE long-running remote command streaming frames into a
 * bounded store; growth and findings recomputed a few times a minute; persisted per host in the
 * extension's storage so a window reload loses nothing and the next session resumes it.
 * Its own lifetime: it ends on stop(), on a new diagnosis of another host, or with the extension.
 */
export class SamplingSession implements vscode.Disposable {
  private readonly abort = new AbortController();
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<Report>();
  /** Fires with the report re-analysed over the samples so far (throttled). */
  readonly onDidUpdate = this.changed.event;
  private lastAnalysis = 0;
  private lastPersist = 0;
  private startedAt = Date.now();
  private done: Promise<void> | null = null;
  report: Report;

  constructor(
    readonly host: Host,
    report: Report,
    readonly store: SeriesStore,
    private readonly file: vscode.Uri,
    private readonly intervalMs: number,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.report = report;
    this.status.command = COMMANDS.stopSampling.id;
    this.status.tooltip = `OOM Lens is sampling ${host.name} every ${formatDuration(intervalMs)}: click to stop`;
  }

  get running(): boolean { return this.done !== null && !this.abort.signal.aborted; }

  /** Restores the persisted series of this host (a resumed session starts after a marked gap). */
  static async loadStore(file: vscode.Uri): Promise<SeriesStore> {
    try {
      const bytes = await vscode.workspace.fs.readFile(file);
      return SeriesStore.fromJSON(JSON.parse(Buffer.from(bytes).toString('utf8')));
    } catch {
      return new SeriesStore();
    }
  }

  start(): void {
    if (this.done) return;
    this.startedAt = Date.now();
    this.updateStatus();
    this.status.show();
    this.log.info(`sampling ${this.host.name} every ${formatDuration(this.intervalMs)} (${this.store.length} points restored)`);
    this.done = runSampler(this.host, this.store, {
      intervalMs: this.intervalMs,
      signal: this.abort.signal,
      bootTimeMs: this.report.host.bootTime ? Date.parse(this.report.host.bootTime) : undefined,
      onFrame: () => this.onFrame(),
      onGap: (reason, retry) => this.log.warn(`sampling ${this.host.name} interrupted (${reason}); retrying in ${formatDuration(retry)}`),
    }).then((r) => {
      this.log.info(`sampling ${this.host.name} stopped (${r.stoppedBy}) after ${r.frames} frames, ${r.restarts} restarts`);
    }, (e) => {
      this.log.error(`sampling ${this.host.name} failed: ${(e as Error).message}`);
    }).finally(() => { this.status.hide(); void this.persist(); });
  }

  private onFrame(): void {
    const now = Date.now();
    this.updateStatus();
    // Growth over a few frames means little; then re-analyse every 2 s, not every frame.
    if (this.store.length >= 3 && now - this.lastAnalysis >= 2000) {
      this.lastAnalysis = now;
      this.report = analyzeReport({ ...this.report, samples: this.store.toSamples(), growth: [], findings: [], warnings: this.report.warnings.filter((w) => !w.startsWith('analysis:')) });
      this.changed.fire(this.report);
    }
    if (now - this.lastPersist >= 30_000) void this.persist();
  }

  private updateStatus(): void {
    this.status.text = `$(pulse) ${this.host.name}: ${formatDuration(Date.now() - this.startedAt)}, ${this.store.length} points`;
  }

  async persist(): Promise<void> {
    this.lastPersist = Date.now();
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.file, '..'));
      await vscode.workspace.fs.writeFile(this.file, Buffer.from(JSON.stringify(this.store.toJSON())));
    } catch (e) {
      this.log.warn(`could not save the samples of ${this.host.name}: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }

  dispose(): void {
    this.abort.abort();
    this.status.dispose();
    this.changed.dispose();
  }
}

/** Where a host's samples are kept between sessions. */
export function sessionFile(context: vscode.ExtensionContext, hostName: string): vscode.Uri {
  return vscode.Uri.joinPath(context.globalStorageUri, 'sessions', `${hostName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}
