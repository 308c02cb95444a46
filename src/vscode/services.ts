import * as vscode from 'vscode';
import type { Report } from '../core/model/report';
import type { Host } from '../core/host/host';
import type { OomEventsResult } from '../core/model/oomEvent';
import { createLog } from './log';
import type { LiveSession } from './liveSession';

/** A finished diagnosis and the host it came from. */
export interface Diagnosis {
  host: Host;
  report: Report;
}

/** A log file the user opened with "Open Kernel Log…", and the OOM events it holds. */
export interface OpenedLog {
  path: string;
  result: OomEventsResult;
  openedAt: string;
}

/** What features share, built once in activate(). */
export class Services implements vscode.Disposable {
  readonly log = createLog();
  private readonly changed = new vscode.EventEmitter<Diagnosis | null>();
  /** Fires when a new diagnosis arrives (tree, panel listen). */
  readonly onDidChangeDiagnosis = this.changed.event;
  private current: Diagnosis | null = null;

  private readonly logsChanged = new vscode.EventEmitter<OpenedLog>();
  /** Fires when the user opens a log file. */
  readonly onDidOpenLog = this.logsChanged.event;
  private readonly logs: OpenedLog[] = [];

  private readonly live = new vscode.EventEmitter<Report>();
  /** Fires when sampling re-analysed the current host (samples, growth, findings). */
  readonly onDidUpdateLive = this.live.event;
  /** SSH hosts by spec and settings (see hostPicker.sshHost), one connection each, reused; closed with the extension. */
  readonly hosts = new Map<string, Host>();
  /** The live session of the diagnosed host, if any (running, or stopped with its last state). */
  sampling: LiveSession | null = null;

  /** New samples and analysis for the current diagnosis (same host, same snapshot). */
  updateLive(report: Report): void {
    if (!this.current) return;
    this.current = { ...this.current, report };
    this.live.fire(report);
  }

  get diagnosis(): Diagnosis | null {
    return this.current;
  }

  /** The current report of the diagnosed host with every sampled series (for Export). */
  fullReport(): Report | null {
    const d = this.current;
    if (!d) return null;
    return this.sampling && this.sampling.host === d.host ? this.sampling.live.fullReport() : d.report;
  }
  get openedLogs(): readonly OpenedLog[] {
    return this.logs;
  }

  addOpenedLog(log: OpenedLog): void {
    // Re-opening the same file replaces it.
    const i = this.logs.findIndex((l) => l.path === log.path);
    if (i >= 0) this.logs.splice(i, 1);
    this.logs.push(log);
    this.logsChanged.fire(log);
  }

  setDiagnosis(d: Diagnosis): void {
    this.current = d;
    this.changed.fire(d);
  }

  dispose(): void {
    this.changed.dispose();
    this.logsChanged.dispose();
    this.live.dispose();
    this.sampling?.dispose();
    for (const h of this.hosts.values()) void h.close();
    this.log.dispose();
  }
}
