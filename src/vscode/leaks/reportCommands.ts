// The commands that read reports the user has: open one (or two of the same tool: the growth
// between them), and compare two runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { compareLeakReports } from '../../core/parse/leaks';
import { parseLeakReportFile, parseLeakReportFiles } from '../../core/collect/leakFile';
import { OomLensError } from '../../core/errors';
import { plural } from '../../core/format';
import { asArgs, isUri, type CompareArgs } from './args';
import { summarize, type LeakCommandResult, type LeakSession } from './session';
import type { LeakEntry } from './store';
import { toolName } from './beside';
import { clock } from '../clock';

export function reportCommands(s: LeakSession): {
  openLeakReport: (arg?: unknown, all?: unknown) => Promise<LeakCommandResult | undefined>;
  compareLeakReports: (arg?: unknown) => Promise<LeakCommandResult | undefined>;
} {
  const openLeakReport = async (arg?: unknown, all?: unknown) => {
    let files: string[];
    if (Array.isArray(all) && all.every(isUri) && all.length > 1) files = (all as vscode.Uri[]).map((u) => u.fsPath);
    else if (isUri(arg)) files = [arg.fsPath];
    else if (typeof arg === 'string') files = [arg];
    else if (typeof (arg as { path?: string })?.path === 'string')
      files = [(arg as { path: string }).path, ...((arg as { path2?: string }).path2 ? [(arg as { path2: string }).path2] : [])];
    else {
      const uris = await vscode.window.showOpenDialog({
        title: 'OOM Lens: Open Leak Report (pick two of the same tool to see the growth between them)',
        canSelectMany: true,
        openLabel: 'Open Leak Report',
        filters: { 'Leak reports': ['xml', 'txt', 'log', 'out', 'heapprofile', 'heapsnapshot', 'json', 'gz', '*'] },
      });
      if (!uris?.length) return undefined;
      files = uris.map((u) => u.fsPath);
    }
    if (files.length > 2) {
      void vscode.window.showErrorMessage('OOM Lens: open one leak report, or two of the same tool to see the growth');
      return undefined;
    }
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `OOM Lens: reading ${files.map((f) => path.basename(f)).join(' and ')}` },
        () => (files.length === 2 ? parseLeakReportFiles(files[0], files[1]) : parseLeakReportFile(files[0])),
      );
      if (report.tool === null) throw new OomLensError(`${path.basename(files[0])}: ${report.warnings[0] ?? 'not a recognized leak report'}`);
      const entry = s.store.add({
        title: files.length === 2 ? `${path.basename(files[0])} → ${path.basename(files[1])}` : path.basename(files[0]),
        report,
        host: 'file',
        via: 'file',
        path: files[files.length - 1],
        commandLine: null,
      });
      await s.announce([entry]);
      return { entries: summarize([entry]) } as LeakCommandResult;
    } catch (e) {
      return s.fail(e);
    }
  };

  const compareReports = async (arg?: unknown) => {
    const a = asArgs<CompareArgs>(arg);
    const entryFor = async (x: string): Promise<LeakEntry> => {
      const e = s.store.get(x);
      if (e?.kind === 'report') return e;
      const report = await parseLeakReportFile(x);
      if (report.tool === null) throw new OomLensError(`${x}: ${report.warnings[0] ?? 'not a recognized leak report'}`);
      return s.store.add({ title: path.basename(x), report, host: 'file', via: 'file', path: x, commandLine: null });
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
          ...[...s.store.reports]
            .reverse()
            .map((e) => ({ label: e.title, description: `${toolName(e)} · ${plural(e.report.sites.length, 'site')} · ${clock(e.createdAt.getTime())}`, e })),
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
      s.store.addComparison(before, after, c);
      const summary = { fixed: c.fixed.length, added: c.added.length, grown: c.grown.length, shrunk: c.shrunk.length };
      void vscode.window.showInformationMessage(
        `OOM Lens: ${before.title} → ${after.title}: ${summary.fixed} fixed, ${summary.added} new, ${summary.grown} grown`,
      );
      return { entries: [], comparison: summary } as LeakCommandResult;
    } catch (e) {
      return s.fail(e);
    }
  };

  return { openLeakReport, compareLeakReports: compareReports };
}
