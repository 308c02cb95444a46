// Runs a leak tool as a VS Code task: a CustomExecution pseudoterminal shows the tool's and the
// program's output, the task can be terminated (that cancels the run), a notification shows the
// steps with a Cancel button, and a status-bar item shows that a tool is running.
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import { runLeakTool } from '../../core/tools/runner';
import type { RunResult, ToolRequest, ToolSettings } from '../../core/tools/types';
import { siteSummary } from '../../core/tools/render';
import { setting } from '../settings';
import type { Services } from '../services';
import { formatDuration } from '../../core/format';

export const TASK_TYPE = 'oomLens';

export function toolSettings(): ToolSettings {
  return {
    valgrindShowLeakKinds: setting('oomLens.leaks.valgrind.showLeakKinds'),
    valgrindExtraArgs: setting('oomLens.leaks.valgrind.extraArgs') ?? [],
    tracemallocFrames: setting('oomLens.leaks.tracemalloc.frames'),
    intervalSeconds: setting('oomLens.leaks.intervalSeconds'),
    nodeSamplingIntervalBytes: setting('oomLens.leaks.node.samplingIntervalBytes'),
  };
}

const crlf = (t: string) => t.replace(/\r?\n/g, '\r\n');

/** Status bar: one item, showing every tool that runs now. */
export class RunStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('oomLens.leaks.running', vscode.StatusBarAlignment.Left, 50);
  private readonly running = new Map<number, string>();
  private seq = 0;
  constructor() {
    this.item.name = 'OOM Lens: leak tool running';
    this.item.command = 'workbench.action.terminal.focus';
  }
  start(text: string): number {
    const id = ++this.seq;
    this.running.set(id, text);
    this.update();
    return id;
  }
  end(id: number): void {
    this.running.delete(id);
    this.update();
  }
  get active(): string[] {
    return [...this.running.values()];
  }
  private update(): void {
    const all = [...this.running.values()];
    if (all.length === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(loading~spin) ${all.length === 1 ? all[0] : `${all.length} leak tools running`}`;
    this.item.tooltip = `OOM Lens is running: ${all.join(', ')} — click to show the output`;
    this.item.show();
  }
  dispose(): void {
    this.item.dispose();
  }
}

/**
 * Runs the request on the host inside a task terminal with progress. Resolves with the result, or
 * undefined when cancelled; rejects with the runner's error (ToolMissingError, ToolRunError…).
 */
export async function runToolAsTask(services: Services, status: RunStatus, host: Host, req: ToolRequest, title: string): Promise<RunResult | undefined> {
  const statusId = status.start(title);
  const ac = new AbortController();
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number>();
  let opened = false;
  let started = false;
  let resolveRun!: (r: RunResult | undefined) => void;
  let rejectRun!: (e: unknown) => void;
  const done = new Promise<RunResult | undefined>((res, rej) => {
    resolveRun = res;
    rejectRun = rej;
  });
  const buffered: string[] = [];
  const out = (t: string) => {
    if (opened) write.fire(crlf(t));
    else buffered.push(crlf(t));
  };
  let stepListener: ((m: string) => void) | null = null;

  const start = () => {
    if (started) return;
    started = true;
    services.log.info(`leak tool: ${title} on ${host.name}`);
    runLeakTool(host, req, {
      signal: ac.signal,
      settings: toolSettings(),
      log: services.log,
      onOutput: out,
      onStep: (m) => {
        out(`\x1b[36m● ${m}\x1b[0m\n`);
        stepListener?.(m);
      },
    }).then(
      (r) => {
        out(`\n\x1b[32m✔ ${r.tool} finished in ${formatDuration(r.durationMs)}${r.exitCode !== null ? ` (program exit code ${r.exitCode})` : ''}\x1b[0m\n`);
        for (const p of r.reports) {
          out(`  ${p.label}: ${p.report.sites.length} site${p.report.sites.length === 1 ? '' : 's'} — ${p.localPath ?? p.hostPath}\n`);
          for (const s of p.report.sites.slice(0, 3)) out(`    ${siteSummary(s, p.report.tool)}\n`);
        }
        close.fire(0);
        resolveRun(r);
      },
      (e: unknown) => {
        const cancelled = ac.signal.aborted;
        out(`\n\x1b[31m✘ ${cancelled ? 'cancelled' : ((e as Error)?.message ?? String(e))}\x1b[0m\n`);
        if ((e as { hint?: string })?.hint) out(`  ${(e as { hint?: string }).hint}\n`);
        close.fire(cancelled ? 130 : 1);
        if (cancelled) resolveRun(undefined);
        else rejectRun(e);
      },
    );
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open: () => {
      opened = true;
      for (const b of buffered.splice(0)) write.fire(b);
      start();
    },
    close: () => ac.abort(), // the user terminated the task or closed its terminal
  };
  const task = new vscode.Task({ type: TASK_TYPE, tool: req.tool }, vscode.TaskScope.Workspace, title, 'OOM Lens', new vscode.CustomExecution(async () => pty));
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, panel: vscode.TaskPanelKind.Dedicated, clear: true, focus: false };
  task.isBackground = false;

  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `OOM Lens: ${title}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ac.abort());
        stepListener = (m) => progress.report({ message: m });
        try {
          await vscode.tasks.executeTask(task);
        } catch (e) {
          // No task system here (no workspace folder, a restricted host): run without a terminal.
          services.log.warn(`cannot start a task (${(e as Error).message}): running without a terminal`);
          opened = true;
          start();
        }
        // If the terminal never opens (a hidden panel in some hosts), do not wait forever for it.
        const timer = setTimeout(() => {
          if (!started) {
            services.log.warn('task terminal did not open: running without it');
            opened = true;
            start();
          }
        }, 10_000);
        try {
          return await done;
        } finally {
          clearTimeout(timer);
        }
      },
    );
  } finally {
    status.end(statusId);
    write.dispose();
    setTimeout(() => close.dispose(), 1000);
  }
}
