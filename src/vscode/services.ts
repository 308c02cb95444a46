import * as vscode from 'vscode';
import type { Report } from '../core/model/report';
import type { Host } from '../core/host/host';
import { createLog } from './log';

/** A finished diagnosis and the host it came from. */
export interface Diagnosis { host: Host; report: Report }

/** What features share, built once in activate(). */
export class Services implements vscode.Disposable {
  readonly log = createLog();
  private readonly changed = new vscode.EventEmitter<Diagnosis | null>();
  /** Fires when a new diagnosis arrives (tree, panel listen). */
  readonly onDidChangeDiagnosis = this.changed.event;
  private current: Diagnosis | null = null;

  get diagnosis(): Diagnosis | null { return this.current; }

  setDiagnosis(d: Diagnosis): void {
    this.current = d;
    this.changed.fire(d);
  }

  dispose(): void {
    this.changed.dispose();
    this.log.dispose();
  }
}
