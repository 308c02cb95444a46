// Leak hunting beside the code: commands that run leak tools (as tasks) or open their reports, and
// show the sites in Problems, hovers, CodeLens and the "Leak Reports" tree.
//
// Every command also takes an argument object (typed in ./args.ts), so keybindings, tests and
// other extensions can run it without dialogs, e.g.
// executeCommand('oomLens.runValgrind', { program: '/x/a.out', args: ['1'] }). Each returns a
// LeakCommandResult (what was added), or undefined when the user cancelled.
import * as vscode from 'vscode';
import { COMMANDS, INTERNAL_COMMANDS, VIEWS } from '../ids';
import type { Services } from '../services';
import { LeakStore } from './store';
import { LeakCodeLensProvider, LeakDiagnostics, LeakHoverProvider } from './beside';
import { LeakTree, type LeakNode } from './tree';
import { RunStatus } from './taskRun';
import { LeakSession, summarize } from './session';
import { runCommands } from './runCommands';
import { reportCommands } from './reportCommands';

export type { LeakCommandResult } from './session';

export function registerLeaks(context: vscode.ExtensionContext, services: Services): void {
  const store = new LeakStore();
  const diagnostics = new LeakDiagnostics(store);
  const lenses = new LeakCodeLensProvider(store);
  const tree = new LeakTree(store);
  const status = new RunStatus();
  const view = vscode.window.createTreeView(VIEWS.leaks, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(store, diagnostics, lenses, tree, status, view);
  context.subscriptions.push(
    store.onDidChange(() => {
      diagnostics.refresh();
      lenses.refresh();
      tree.rebuild();
    }),
    vscode.languages.registerHoverProvider({ scheme: 'file' }, new LeakHoverProvider(store)),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, lenses),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('oomLens.pathMappings')) store.reresolve();
      if (e.affectsConfiguration('oomLens.leaks.codeLens')) lenses.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => store.reresolve()),
  );

  const s = new LeakSession(services, store, tree, view as vscode.TreeView<unknown>, status);
  const runs = runCommands(s);
  const reports = reportCommands(s);
  const commands: Record<string, (...args: never[]) => unknown> = {
    [COMMANDS.runValgrind.id]: runs.runValgrind,
    [COMMANDS.runHeaptrack.id]: runs.runHeaptrack,
    [COMMANDS.runLsan.id]: runs.runLsan,
    [COMMANDS.attachHeaptrack.id]: runs.attachHeaptrack,
    [COMMANDS.runTracemalloc.id]: runs.runTracemalloc,
    [COMMANDS.captureNodeHeap.id]: runs.captureNodeHeap,
    [COMMANDS.javaHistogram.id]: runs.javaHistogram,
    [COMMANDS.findLeaksInProcess.id]: runs.findLeaksInProcess,
    [COMMANDS.openLeakReport.id]: reports.openLeakReport,
    [COMMANDS.compareLeakReports.id]: reports.compareLeakReports,
    [COMMANDS.clearLeakReports.id]: () => store.clear(),
    [INTERNAL_COMMANDS.openLeakFrame]: (file: string, line: number, column: number | null) => s.openFrame(file, line, column),
    [INTERNAL_COMMANDS.revealLeakSite]: async (entryId: string, index: number) => {
      const n = tree.siteNode(entryId, index);
      if (n) await view.reveal(n, { select: true, focus: true, expand: true });
    },
    // For tests and other extensions: the reports, and the tree as the user sees it (labels, two levels).
    [INTERNAL_COMMANDS.inspectLeaks]: () => ({
      entries: summarize(store.reports),
      running: status.active,
      tree: tree.getChildren().map((n: LeakNode) => ({
        id: n.id,
        label: String(n.label),
        description: n.description,
        children: n
          .children()
          .map((c) => ({ id: c.id, label: String(c.label), description: c.description, command: c.command?.command, arguments: c.command?.arguments })),
      })),
    }),
  };
  for (const [id, handler] of Object.entries(commands))
    context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
}
