// Leak hunting beside the code: commands that run leak tools (as tasks) or open their reports, and
// show the sites in Problems, hovers, CodeLens and the "Leak Reports" tree.
//
// Every command also takes an argument object, so keybindings, tests and other extensions can run
// it without dialogs, e.g. executeCommand('oomLens.runValgrind', { program: '/x/a.out', args: ['1'] }).
// Each returns a LeakCommandResult (what was added), or undefined when the user cancelled.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import { LocalHost } from '../../core/host/localHost';
import { compareLeakReports, parseLeakReportFile, parseLeakReportFiles } from '../../core/parse/leaks';
import { isCancelled, OomLensError } from '../../core/errors';
import { ToolMissingError } from '../../core/tools/runner';
import { siteSummary } from '../../core/tools/render';
import { toolsForRuntime } from '../../core/tools/runtime';
import type { ProgramSpec, RunResult, ToolRequest } from '../../core/tools/types';
import { COMMANDS, VIEWS } from '../ids';
import type { Services } from '../services';
import { LeakStore, type LeakEntry } from './store';
import { LeakCodeLensProvider, LeakDiagnostics, LeakHoverProvider, REVEAL_SITE_COMMAND, toolName } from './beside';
import { LeakTree, OPEN_FRAME_COMMAND, type LeakNode } from './tree';
import { RunStatus, runToolAsTask } from './taskRun';
import { listProcesses, pickProcess, pickProgram, type PickedProcess } from './pickers';
import { splitCommandLine } from '../../core/tools/argv';
import { clock } from '../clock';

export const INSPECT_COMMAND = 'oomLens.leaks.inspect';

/** What a leak command added (serializable: for tests and other extensions). */
export interface LeakCommandResult {
  entries: Array<{
    id: string; title: string; tool: string | null; path: string | null; sites: number; warnings: string[];
    located: Array<{ file: string; line: number; kind: string; summary: string }>;
  }>;
  comparison?: { fixed: number; added: number; grown: number; shrunk: number };
  exitCode?: number | null;
  /** Set when the command failed (the user saw the same message). */
  error?: string;
}

type HostArg = { host?: 'local' | Host };
type ProgramArg = Partial<ProgramSpec> & HostArg;

/**
 * Where a tool runs: a Host passed in is used as is; 'local' is this machine. Otherwise, commands
 * about a running process (attach, histogram, find leaks) go to the host being diagnosed — over
 * SSH when the diagnosis is of an SSH host, since its processes are the ones the picker lists —
 * and commands that start a program from the workspace run here.
 */
function hostOf(arg: HostArg | undefined, services?: Services): Host {
  const h = arg?.host;
  if (h && typeof h === 'object' && typeof (h as Host).exec === 'function') return h as Host;
  if (h !== 'local' && services?.diagnosis) return services.diagnosis.host;
  return new LocalHost();
}

function summarize(entries: LeakEntry[]): LeakCommandResult['entries'] {
  return entries.map((e) => ({
    id: e.id, title: e.title, tool: e.report.tool, path: e.path, sites: e.report.sites.length, warnings: e.report.warnings,
    located: e.sites.filter((rs) => rs.user?.localPath && rs.user.frame.line !== null)
      .map((rs) => ({ file: rs.user!.localPath!, line: rs.user!.frame.line!, kind: rs.site.kind, summary: siteSummary(rs.site, e.report.tool) })),
  }));
}

function errorText(e: unknown): string {
  return e instanceof OomLensError ? e.message + (e.hint ? ` (${e.hint})` : '') : (e as Error)?.message ?? String(e);
}

function isUri(x: unknown): x is vscode.Uri { return x instanceof vscode.Uri; }

/** A tree node from the Memory view (process rows have ids "proc.PID"). */
function pidFromNode(x: unknown): number | null {
  const id = (x as { id?: unknown })?.id;
  const m = typeof id === 'string' ? /^proc\.(\d+)$/.exec(id) : null;
  return m ? Number(m[1]) : null;
}

export function registerLeaks(context: vscode.ExtensionContext, services: Services): void {
  const store = new LeakStore();
  const diagnostics = new LeakDiagnostics(store);
  const lenses = new LeakCodeLensProvider(store);
  const tree = new LeakTree(store);
  const status = new RunStatus();
  const view = vscode.window.createTreeView(VIEWS.leaks, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(store, diagnostics, lenses, tree, status, view);
  context.subscriptions.push(
    store.onDidChange(() => { diagnostics.refresh(); lenses.refresh(); tree.rebuild(); }),
    vscode.languages.registerHoverProvider({ scheme: 'file' }, new LeakHoverProvider(store)),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, lenses),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('oomLens.pathMappings')) store.reresolve();
      if (e.affectsConfiguration('oomLens.leaks.codeLens')) lenses.refresh();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => store.reresolve()),
  );

  const addRun = (host: Host, r: RunResult, title: string): LeakEntry[] => r.reports.map((p, i) => store.add({
    title: r.reports.length > 1 ? `${title} — ${p.label}` : title,
    report: p.report, host: host.name, via: host.via, path: p.localPath ?? p.hostPath, commandLine: r.commandLine,
    skipPrefix: i === 0 ? r.workDir + '/' : null,
  }));

  const announce = async (entries: LeakEntry[]) => {
    const first = entries.flatMap((e) => e.sites.map((rs) => ({ e, rs }))).find(({ rs }) => rs.user?.localPath);
    const total = entries.reduce((a, e) => a + e.report.sites.length, 0);
    const node = tree.getChildren().find((n) => n.id === entries[0]?.id);
    if (node) void view.reveal(node, { expand: true, focus: false, select: false }).then(undefined, () => undefined);
    const msg = `OOM Lens: ${entries.map((e) => `${toolName(e)}: ${e.report.sites.length} site${e.report.sites.length === 1 ? '' : 's'}`).join('; ')}${first ? ` — top: ${siteSummary(first.rs.site, first.e.report.tool)} at ${path.basename(first.rs.user!.localPath!)}:${first.rs.user!.frame.line}` : ''}`;
    const warnings = entries.flatMap((e) => e.report.warnings);
    for (const w of warnings) services.log.warn(w);
    void vscode.window.showInformationMessage(total === 0 ? `${msg}. No leaks found.` : msg, ...(first ? ['Open Top Site'] : [])).then((a) => {
      if (a && first) void openFrame(first.rs.user!.localPath!, first.rs.user!.frame.line ?? 1, null);
    });
  };

  const fail = (e: unknown) => {
    if (isCancelled(e)) return;
    if (e instanceof ToolMissingError) {
      services.log.error(`${e.message} — ${e.hint}`);
      const cmd = e.installCommands.join(' && ');
      void vscode.window.showErrorMessage(`OOM Lens: ${e.message}. Install it with: ${cmd}`, 'Copy Install Command').then((a) => { if (a) void vscode.env.clipboard.writeText(cmd); });
      return;
    }
    const message = e instanceof OomLensError ? e.message + (e.hint ? ` (${e.hint})` : '') : (e as Error)?.message ?? String(e);
    services.log.error(message);
    void vscode.window.showErrorMessage(`OOM Lens: ${message}`, 'Show Log').then((a) => { if (a) services.log.show(); });
  };

  /** Runs a request as a task; adds its reports; returns what was added. */
  const run = async (host: Host, req: ToolRequest, title: string): Promise<LeakCommandResult | undefined> => {
    try {
      const r = await runToolAsTask(services, status, host, req, title);
      if (!r) return undefined;
      for (const w of r.warnings) services.log.warn(`${title}: ${w}`);
      const entries = addRun(host, r, title);
      await announce(entries);
      return { entries: summarize(entries), exitCode: r.exitCode };
    } catch (e) {
      fail(e);
      return isCancelled(e) ? undefined : { entries: [], error: errorText(e) };
    }
  };

  const startArg = (arg: unknown): ProgramSpec | null => {
    if (isUri(arg)) return { program: arg.fsPath, args: [], cwd: path.dirname(arg.fsPath) };
    const a = arg as ProgramArg | undefined;
    if (a && typeof a.program === 'string') return { program: a.program, args: a.args ?? [], cwd: a.cwd ?? path.dirname(a.program), env: a.env };
    return null;
  };
  const title = (tool: string, s: ProgramSpec) => `${tool}: ${path.basename(s.program)}${s.args?.length ? ' ' + s.args.join(' ') : ''}`;
  const nativeFilter = (p: string, type: string) => /^(cppdbg|cppvsdbg|lldb|gdb|rust|codelldb)$/.test(type) || (!/\.(py|js|mjs|cjs|ts|java|jar)$/.test(p) && type !== 'python' && type !== 'node' && type !== 'java');
  const dialogNative = { Executables: ['*'] };

  const runValgrind = async (arg?: unknown) => {
    const start = startArg(arg) ?? await pickProgram({ title: 'Run with Valgrind Memcheck', filter: nativeFilter, dialogFilters: dialogNative });
    if (!start) return undefined;
    return run(hostOf(arg as HostArg), { tool: 'valgrind', start }, title('valgrind', start));
  };
  const runHeaptrack = async (arg?: unknown) => {
    const start = startArg(arg) ?? await pickProgram({ title: 'Run with heaptrack', filter: nativeFilter, dialogFilters: dialogNative });
    if (!start) return undefined;
    return run(hostOf(arg as HostArg), { tool: 'heaptrack', start }, title('heaptrack', start));
  };
  const attachHeaptrack = async (arg?: unknown) => {
    const host = hostOf(arg as HostArg, services);
    const a = arg as { pid?: number; durationSeconds?: number } | undefined;
    const pid = typeof a?.pid === 'number' ? a.pid : pidFromNode(arg) ?? (await pickProcess(services, host, 'Attach heaptrack to Process'))?.pid;
    if (!pid) return undefined;
    return run(host, { tool: 'heaptrack', pid, durationSeconds: a?.durationSeconds }, `heaptrack: process ${pid}`);
  };
  const runTracemalloc = async (arg?: unknown) => {
    const start = startArg(arg) ?? await pickProgram({
      title: 'Run Python Script with tracemalloc', filter: (p, type) => type === 'python' || type === 'debugpy' || p.endsWith('.py'),
      activeFile: (d) => d.languageId === 'python' || d.fileName.endsWith('.py'), dialogFilters: { Python: ['py'] },
    });
    if (!start) return undefined;
    const python = (arg as { python?: string } | undefined)?.python;
    return run(hostOf(arg as HostArg), { tool: 'tracemalloc', start, python }, title('tracemalloc', start));
  };
  const captureNodeHeap = async (arg?: unknown) => {
    const host = hostOf(arg as HostArg, services);
    const a = arg as { pid?: number; durationSeconds?: number; snapshots?: boolean } | undefined;
    if (typeof a?.pid === 'number') return run(host, { tool: 'node-heap', pid: a.pid, durationSeconds: a.durationSeconds }, `node heap: process ${a.pid}`);
    let start = startArg(arg);
    if (!start) {
      const how = await vscode.window.showQuickPick([
        { label: '$(play) Start a script', description: 'node --heap-prof, heap snapshots at start and exit', start: true },
        { label: '$(plug) Attach to a running Node process', description: 'SIGUSR1 + inspector: a sampling heap profile for a while', start: false },
      ], { title: 'Capture Node Heap Profile' });
      if (!how) return undefined;
      if (!how.start) {
        const p = await pickProcess(services, host, 'Capture Node Heap Profile: attach', ['node']);
        return p ? run(host, { tool: 'node-heap', pid: p.pid }, `node heap: ${p.comm} (${p.pid})`) : undefined;
      }
      start = await pickProgram({
        title: 'Capture Node Heap Profile', filter: (p, type) => type === 'node' || type === 'pwa-node' || /\.(js|mjs|cjs)$/.test(p),
        activeFile: (d) => /\.(js|mjs|cjs)$/.test(d.fileName), dialogFilters: { JavaScript: ['js', 'mjs', 'cjs'] },
      }) ?? null;
    }
    if (!start) return undefined;
    // A script from the workspace starts here (attach goes to the diagnosed host).
    return run(hostOf(arg as HostArg), { tool: 'node-heap', start, snapshots: a?.snapshots }, title('node heap', start));
  };
  const javaHistogram = async (arg?: unknown) => {
    const host = hostOf(arg as HostArg, services);
    const a = arg as { pid?: number; intervalSeconds?: number } | undefined;
    const pid = typeof a?.pid === 'number' ? a.pid : pidFromNode(arg) ?? (await pickProcess(services, host, 'Java Class Histogram', ['java']))?.pid;
    if (!pid) return undefined;
    return run(host, { tool: 'java-histogram', pid, intervalSeconds: a?.intervalSeconds }, `java histogram: process ${pid}`);
  };

  const findLeaksInProcess = async (arg?: unknown) => {
    const host = hostOf(arg as HostArg, services);
    const a = arg as { pid?: number } | undefined;
    let proc: PickedProcess | undefined;
    const pid = typeof a?.pid === 'number' ? a.pid : pidFromNode(arg);
    if (pid) {
      proc = (await listProcesses(services, host)).find((p) => p.pid === pid) ?? { pid, comm: String(pid), cmdline: null, runtime: 'native' };
    } else {
      proc = await pickProcess(services, host, 'Find Leaks in Process');
    }
    if (!proc) return undefined;
    const choices = toolsForRuntime(proc.runtime);
    const picked = await vscode.window.showQuickPick(choices.map((c) => ({ label: c.label, description: c.tool, detail: c.detail, c })), { title: `Find leaks in ${proc.comm} (${proc.pid}) — ${proc.runtime}` });
    if (!picked) return undefined;
    const c = picked.c;
    if (c.mode === 'attach') {
      if (c.tool === 'heaptrack') return attachHeaptrack({ pid: proc.pid, host });
      if (c.tool === 'node-heap') return captureNodeHeap({ pid: proc.pid, host });
      return javaHistogram({ pid: proc.pid, host });
    }
    // restart: the same command line under the tool, confirmed by the user (it starts a second instance)
    let words: string[];
    try { words = splitCommandLine(proc.cmdline ?? ''); } catch { words = (proc.cmdline ?? '').split(/\s+/); }
    if (c.tool === 'tracemalloc' && words.length > 1 && /python/.test(path.basename(words[0]))) words = words.slice(1).filter((w, i) => i > 0 || !w.startsWith('-'));
    if (c.tool === 'node-heap' && words.length > 1 && /node/.test(path.basename(words[0]))) words = words.slice(1);
    const text = await vscode.window.showInputBox({ title: c.label, prompt: 'This starts a NEW instance of the program under the tool. Command line:', value: words.map((w) => (/[\s'"\\]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ') });
    if (!text) return undefined;
    const argv = splitCommandLine(text);
    const spec = { program: argv[0], args: argv.slice(1), host };
    if (c.tool === 'valgrind') return runValgrind(spec);
    if (c.tool === 'tracemalloc') return runTracemalloc(spec);
    return captureNodeHeap(spec);
  };

  const openLeakReport = async (arg?: unknown, all?: unknown) => {
    let files: string[];
    if (Array.isArray(all) && all.every(isUri) && all.length > 1) files = (all as vscode.Uri[]).map((u) => u.fsPath);
    else if (isUri(arg)) files = [arg.fsPath];
    else if (typeof arg === 'string') files = [arg];
    else if (typeof (arg as { path?: string })?.path === 'string') files = [(arg as { path: string }).path, ...((arg as { path2?: string }).path2 ? [(arg as { path2: string }).path2] : [])];
    else {
      const uris = await vscode.window.showOpenDialog({
        title: 'OOM Lens: Open Leak Report (pick two of the same tool to see the growth between them)', canSelectMany: true, openLabel: 'Open Leak Report',
        filters: { 'Leak reports': ['xml', 'txt', 'log', 'out', 'heapprofile', 'heapsnapshot', 'json', 'gz', '*'] },
      });
      if (!uris?.length) return undefined;
      files = uris.map((u) => u.fsPath);
    }
    if (files.length > 2) { void vscode.window.showErrorMessage('OOM Lens: open one leak report, or two of the same tool to see the growth'); return undefined; }
    try {
      const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OOM Lens: reading ${files.map((f) => path.basename(f)).join(' and ')}` },
        () => (files.length === 2 ? parseLeakReportFiles(files[0], files[1]) : parseLeakReportFile(files[0])));
      if (report.tool === null) throw new OomLensError(`${path.basename(files[0])}: ${report.warnings[0] ?? 'not a recognized leak report'}`);
      const entry = store.add({
        title: files.length === 2 ? `${path.basename(files[0])} → ${path.basename(files[1])}` : path.basename(files[0]),
        report, host: 'file', via: 'file', path: files[files.length - 1], commandLine: null,
      });
      await announce([entry]);
      return { entries: summarize([entry]) } as LeakCommandResult;
    } catch (e) {
      fail(e);
      return { entries: [], error: errorText(e) } as LeakCommandResult;
    }
  };

  const compareReports = async (arg?: unknown) => {
    const a = arg as { before?: string; after?: string } | undefined;
    const entryFor = async (x: string): Promise<LeakEntry> => {
      const e = store.get(x);
      if (e?.kind === 'report') return e;
      const report = await parseLeakReportFile(x);
      if (report.tool === null) throw new OomLensError(`${x}: ${report.warnings[0] ?? 'not a recognized leak report'}`);
      return store.add({ title: path.basename(x), report, host: 'file', via: 'file', path: x, commandLine: null });
    };
    let before: LeakEntry | undefined;
    let after: LeakEntry | undefined;
    try {
      if (a?.before && a?.after) {
        before = await entryFor(a.before);
        after = await entryFor(a.after);
      } else {
        type Item = vscode.QuickPickItem & { e?: LeakEntry; file?: boolean };
        const items = (): Item[] => [
          ...[...store.reports].reverse().map((e) => ({ label: e.title, description: `${toolName(e)} · ${e.report.sites.length} sites · ${clock(e.createdAt.getTime())}`, e })),
          { label: '$(folder-opened) A report file…', file: true },
        ];
        const pick = async (placeHolder: string): Promise<LeakEntry | undefined> => {
          const p = await vscode.window.showQuickPick(items(), { title: 'Compare Leak Reports', placeHolder });
          if (!p) return undefined;
          if (p.e) return p.e;
          const uri = (await vscode.window.showOpenDialog({ title: placeHolder, canSelectMany: false }))?.[0];
          return uri ? entryFor(uri.fsPath) : undefined;
        };
        before = await pick('The earlier run (before the fix)');
        if (!before) return undefined;
        after = await pick('The later run');
        if (!after) return undefined;
      }
      const c = compareLeakReports(before.report, after.report);
      store.addComparison(before, after, c);
      const summary = { fixed: c.fixed.length, added: c.added.length, grown: c.grown.length, shrunk: c.shrunk.length };
      void vscode.window.showInformationMessage(`OOM Lens: ${before.title} → ${after.title}: ${summary.fixed} fixed, ${summary.added} new, ${summary.grown} grown`);
      return { entries: [], comparison: summary } as LeakCommandResult;
    } catch (e) {
      fail(e);
      return { entries: [], error: errorText(e) } as LeakCommandResult;
    }
  };

  const openFrame = async (file: string, line: number, column: number | null) => {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const l = Math.max(0, Math.min(doc.lineCount - 1, (line ?? 1) - 1));
    const pos = new vscode.Position(l, column ? Math.max(0, column - 1) : doc.lineAt(l).firstNonWhitespaceCharacterIndex);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.runValgrind.id, runValgrind),
    vscode.commands.registerCommand(COMMANDS.runHeaptrack.id, runHeaptrack),
    vscode.commands.registerCommand(COMMANDS.attachHeaptrack.id, attachHeaptrack),
    vscode.commands.registerCommand(COMMANDS.runTracemalloc.id, runTracemalloc),
    vscode.commands.registerCommand(COMMANDS.captureNodeHeap.id, captureNodeHeap),
    vscode.commands.registerCommand(COMMANDS.javaHistogram.id, javaHistogram),
    vscode.commands.registerCommand(COMMANDS.findLeaksInProcess.id, findLeaksInProcess),
    vscode.commands.registerCommand(COMMANDS.openLeakReport.id, openLeakReport),
    vscode.commands.registerCommand(COMMANDS.compareLeakReports.id, compareReports),
    vscode.commands.registerCommand(COMMANDS.clearLeakReports.id, () => store.clear()),
    vscode.commands.registerCommand(OPEN_FRAME_COMMAND, openFrame),
    vscode.commands.registerCommand(REVEAL_SITE_COMMAND, async (entryId: string, index: number) => {
      const n = tree.siteNode(entryId, index);
      if (n) await view.reveal(n, { select: true, focus: true, expand: true });
    }),
    // For tests and other extensions: the reports, and the tree as the user sees it (labels, two levels).
    vscode.commands.registerCommand(INSPECT_COMMAND, () => ({
      entries: summarize(store.reports),
      running: status.active,
      tree: tree.getChildren().map((n: LeakNode) => ({
        id: n.id, label: String(n.label), description: n.description,
        children: n.children().map((c) => ({ id: c.id, label: String(c.label), description: c.description, command: c.command?.command, arguments: c.command?.arguments })),
      })),
    })),
  );
}
