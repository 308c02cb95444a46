// The argument each leak command takes, typed (keybindings, tests and other extensions pass them;
// the palette passes nothing, or a URI from the explorer, or a node from a tree), and where its
// tool runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import { LocalHost } from '../../core/host/localHost';
import type { ProgramSpec } from '../../core/tools/types';
import type { Services } from '../services';
import { pidOfProcessNode } from '../treeView';

/** Every command: run on this host ('local' = this machine; a Host object as is). */
export interface HostArg {
  host?: 'local' | Host;
}
/** Start a program under the tool. */
export interface ProgramArgs extends Partial<ProgramSpec>, HostArg {}
/** tracemalloc: also which python. */
export interface TracemallocArgs extends ProgramArgs {
  python?: string;
}
/** Attach to a running process for a while. */
export interface AttachArgs extends HostArg {
  pid?: number;
  durationSeconds?: number;
}
/** Node heap: attach (pid) or start (program), with or without snapshots. */
export interface NodeHeapArgs extends ProgramArgs {
  pid?: number;
  durationSeconds?: number;
  snapshots?: boolean;
}
/** Java class histograms, an interval apart. */
export interface HistogramArgs extends HostArg {
  pid?: number;
  intervalSeconds?: number;
}
/** Open a report file (or two of the same tool). */
export interface OpenReportArgs {
  path?: string;
  path2?: string;
}
/** Compare two runs. */
export interface CompareArgs {
  before?: string;
  after?: string;
}

/** The typed table of the leak commands' arguments (js-debug's style): id → what it takes. */
export interface LeakCommandArgs {
  runValgrind: ProgramArgs | vscode.Uri;
  runHeaptrack: ProgramArgs | vscode.Uri;
  runLsan: ProgramArgs | vscode.Uri;
  attachHeaptrack: AttachArgs;
  runTracemalloc: TracemallocArgs | vscode.Uri;
  captureNodeHeap: NodeHeapArgs | vscode.Uri;
  javaHistogram: HistogramArgs;
  findLeaksInProcess: AttachArgs;
  openLeakReport: OpenReportArgs | vscode.Uri | string;
  compareLeakReports: CompareArgs;
}

export const isUri = (x: unknown): x is vscode.Uri => x instanceof vscode.Uri;

/** An argument as an object of the expected shape (anything else: none). */
export function asArgs<T extends object>(x: unknown): T | undefined {
  return x && typeof x === 'object' && !isUri(x) ? (x as T) : undefined;
}

/** The pid an argument names: `{ pid }`, or a process row of the Memory view. */
export function pidOf(arg: unknown): number | null {
  const a = asArgs<{ pid?: unknown }>(arg);
  if (typeof a?.pid === 'number' && Number.isSafeInteger(a.pid) && a.pid > 0) return a.pid;
  return pidOfProcessNode(arg);
}

/**
 * Where a tool runs: a Host passed in is used as is; 'local' is this machine. Otherwise, commands
 * about a running process (attach, histogram, find leaks) go to the host being diagnosed (over
 * SSH when the diagnosis is of an SSH host, since its processes are the ones the picker lists),
 * and commands that start a program from the workspace run here.
 */
export function hostOf(arg: unknown, services?: Services): Host {
  const h = asArgs<HostArg>(arg)?.host;
  if (h && typeof h === 'object' && typeof (h as Host).exec === 'function') return h as Host;
  if (h !== 'local' && services?.diagnosis) return services.diagnosis.host;
  return new LocalHost();
}

/** The program to start, from a URI (explorer) or `{ program, args, cwd, env }`. */
export function startOf(arg: unknown): ProgramSpec | null {
  if (isUri(arg)) return { program: arg.fsPath, args: [], cwd: path.dirname(arg.fsPath) };
  const a = asArgs<ProgramArgs>(arg);
  if (a && typeof a.program === 'string') return { program: a.program, args: a.args ?? [], cwd: a.cwd ?? path.dirname(a.program), env: a.env };
  return null;
}
