import * as vscode from 'vscode';
import { SeriesStore } from '../core/collect/seriesStore';
import type { Host } from '../core/host/host';
import type { Report } from '../core/model/report';
import { LiveDiagnosis, type DiagnosedReport, type LiveUpdate } from '../core/live';
import { formatDuration, plural } from '../core/format';
import { COMMANDS } from './ids';

/**
 * VS Code's part of a live diagnosis (core/live.ts does the rest): the status bar item, saving the
 * host's series in the extension's storage so a window reload loses nothing, and passing each
 * update on. Its own lifetime: it ends on stop(), on a new diagnosis, or with the extension.
 */
export class LiveSession implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 50);
  private readonly changed = new vscode.EventEmitter<LiveUpdate>();
  /** Every update of the live state (each sample, each new kill). */
  readonly onDidUpdate = this.changed.event;
  readonly live: LiveDiagnosis;
  private lastPersist = Date.now();
  private done: Promise<void> | null = null;
  private stopped = false;

  constructor(
    readonly host: Host,
    base: DiagnosedReport,
    store: SeriesStore,
    private readonly file: vscode.Uri,
    private readonly intervalMs: number,
    private readonly log: vscode.LogOutputChannel,
    sudo: boolean,
  ) {
    this.live = new LiveDiagnosis(host, base, {
      intervalMs,
      store,
      sudo,
      onUpdate: (u) => this.onUpdate(u),
      onNotice: (level, m) => log[level](m),
    });
    this.status.command = COMMANDS.stopSampling.id;
    this.status.tooltip = `OOM Lens is sampling ${host.name} every ${formatDuration(intervalMs)}: click to stop`;
  }

  get running(): boolean {
    return this.done !== null && !this.stopped;
  }
  get report(): Report {
    return this.live.report;
  }

  /** Restores the saved series of this host (a resumed session starts after a marked gap). */
  static async loadStore(file: vscode.Uri, log: vscode.LogOutputChannel): Promise<SeriesStore> {
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(file);
    } catch {
      return new SeriesStore(); // none saved yet
    }
    let problem: string;
    try {
      const r = SeriesStore.restore(JSON.parse(Buffer.from(bytes).toString('utf8')));
      if (!r.problem) return r.store;
      problem = r.problem;
    } catch (e) {
      problem = (e as Error).message;
    }
    // Keep the unreadable file aside rather than overwrite the history it may still hold.
    const aside = file.with({ path: `${file.path}.corrupt-${Date.now()}` });
    log.warn(`the saved samples ${file.fsPath} could not be read (${problem}); kept as ${aside.fsPath}, starting fresh`);
    await vscode.workspace.fs.rename(file, aside, { overwrite: true }).then(undefined, () => undefined);
    return new SeriesStore();
  }

  start(): void {
    if (this.done) return;
    this.updateStatus();
    this.status.show();
    this.log.info(`sampling ${this.host.name} every ${formatDuration(this.intervalMs)} (${plural(this.live.store.length, 'point')} restored)`);
    this.done = this.live
      .run()
      .then(
        (r) => {
          this.log.info(`sampling ${this.host.name} stopped (${r.stoppedBy}) after ${r.frames} frames, ${r.restarts} restarts`);
        },
        (e) => {
          this.log.error(`sampling ${this.host.name} failed: ${(e as Error).message}`);
        },
      )
      .finally(() => {
        this.stopped = true;
        this.status.hide();
        void this.persist();
        this.changed.fire({ report: this.live.report, newEvents: [], analysed: false });
      });
  }

  private onUpdate(u: LiveUpdate): void {
    this.updateStatus();
    for (const e of u.newEvents)
      this.log.warn(`OOM kill on ${this.host.name}: ${e.victim?.comm ?? '?'} (${e.victim?.pid ?? '?'})${e.memcg ? ` in ${e.memcg}` : ''}`);
    this.changed.fire(u);
    if (Date.now() - this.lastPersist >= 30_000) void this.persist();
  }

  private updateStatus(): void {
    const l = this.live.report.live;
    const since = l ? Date.now() - Date.parse(l.startedAt) : 0;
    this.status.text = `$(pulse) ${this.host.name}: ${formatDuration(since)}, ${plural(this.live.store.length, 'point')}`;
  }

  async persist(): Promise<void> {
    this.lastPersist = Date.now();
    try {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.file, '..'));
      // A new file renamed over the old one: a crash mid-write never leaves a truncated store.
      const tmp = this.file.with({ path: `${this.file.path}.tmp` });
      await vscode.workspace.fs.writeFile(tmp, Buffer.from(JSON.stringify(this.live.store.toJSON())));
      await vscode.workspace.fs.rename(tmp, this.file, { overwrite: true });
    } catch (e) {
      this.log.warn(`could not save the samples of ${this.host.name}: ${(e as Error).message}`);
    }
  }

  async stop(): Promise<void> {
    this.live.stop();
    await this.done;
  }

  dispose(): void {
    this.live.stop();
    this.status.dispose();
    this.changed.dispose();
  }
}

/** Where a host's samples are kept between sessions. */
export function sessionFile(context: vscode.ExtensionContext, hostName: string): vscode.Uri {
  return vscode.Uri.joinPath(context.globalStorageUri, 'sessions', `${hostName.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}
