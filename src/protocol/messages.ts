// The one types-only protocol between the panel's host side (src/vscode/panel.ts) and the
// webview (webview/main.ts). Both ends validate what they receive with ./validate.
import type { Report } from '../core/model/report';
import type { OomEventsResult } from '../core/model/oomEvent';
import type { BreakdownRow } from '../core/model/smaps';
import type { FleetReport } from '../core/model/fleet';
import type { HostSeries } from '../core/model/hostSeries';

/** The smaps drill-down of one process, or why it could not be read. */
export interface SmapsPayload {
  pid: number;
  rows: BreakdownRow[];
  mappings: number;
  truncated: boolean;
  error?: string;
}

export type ToWebview =
  | { type: 'report'; report: Report; receivedAt: string }
  | { type: 'log'; path: string; result: OomEventsResult }
  /** The live state of the diagnosed host (every sample): the same report, current; samples cut to what the timeline draws. */
  | { type: 'live'; report: Report }
  | { type: 'smaps'; smaps: SmapsPayload }
  | { type: 'busy'; message: string }
  | { type: 'error'; message: string }
  /** The fleet overview (the Fleet view's report): the panel shows its table. */
  | { type: 'fleet'; report: FleetReport }
  /** One fleet host's drill-down: its timeline over the window. */
  | { type: 'hostSeries'; series: HostSeries };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'diagnose' }
  | { type: 'copy'; text: string }
  | { type: 'smaps'; pid: number }
  /** Actions on the panel: the runtime's leak tool for a process, sampling on/off, Export. */
  | { type: 'findLeaks'; pid: number }
  | { type: 'sampling'; action: 'start' | 'stop' }
  | { type: 'export'; format: 'md' | 'html' | 'json' }
  /** Host-changing actions (each confirmed on the host side, with its exact commands). */
  | { type: 'kill'; pid: number }
  | { type: 'fix'; key: string; remedy: number }
  /** A fleet host row: its timeline, or its diagnosis over SSH. */
  | { type: 'openHost'; instance: string }
  | { type: 'diagnoseHost'; instance: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

/** What the webview keeps with vscode.setState so a hidden or restored panel shows the same report. */
export interface PanelState {
  report: Report | null;
  receivedAt: string | null;
  /** A log file opened with "Open Kernel Log…", shown instead of the report when set. */
  log?: { path: string; result: OomEventsResult } | null;
  sort?: { key: string; descending: boolean };
  /** The fleet table and the host opened from it; shown instead of the report while view is 'fleet'. */
  fleet?: FleetReport | null;
  hostSeries?: HostSeries | null;
  view?: 'report' | 'fleet';
}
