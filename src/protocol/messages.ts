// The one types-only protocol between the panel's host side (src/vscode/panel.ts) and the
// webview (webview/main.ts). Both ends validate what they receive with ./validate.
import type { Report } from '../core/model/report';
import type { OomEventsResult } from '../core/model/oomEvent';

export type ToWebview =
  | { type: 'report'; report: Report; receivedAt: string }
  | { type: 'log'; path: string; result: OomEventsResult }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'diagnose' }
  | { type: 'copy'; text: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** What the webview keeps with vscode.setState so a hidden or restored panel shows the same report. */
export interface PanelState {
  report: Report | null;
  receivedAt: string | null;
  /** A log file opened with "Open Kernel Log…", shown instead of the report when set. */
  log?: { path: string; result: OomEventsResult } | null;
  sort?: { key: string; descending: boolean };
}
