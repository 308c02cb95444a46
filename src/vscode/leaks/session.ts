// What the leak commands share: the store of reports and the views that show them, adding a tool
// run's reports, telling the user what was found, and turning a failure into one message.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import { errorText, isCancelled } from '../../core/errors';
import { ToolMissingError } from '../../core/tools/runner';
import { siteSummary } from '../../core/tools/render';
import type { RunResult, ToolRequest } from '../../core/tools/types';
import { plural } from '../../core/format';
import type { Services } from '../services';
import type { LeakEntry, LeakStore } from './store';
import { toolName } from './beside';
import type { LeakTree } from './tree';
import { RunStatus, runToolAsTask } from './taskRun';

/** What a leak command added (serializable: for tests and other extensions). */
export interface LeakCommandResult {
  entries: Array<{
    id: string;
    title: string;
    tool: string | null;
    path: string | null;
    sites: number;
    warnings: string[];
    located: Array<{ file: string; line: number; kind: string; summary: string }>;
  }>;
  comparison?: { fixed: number; added: number; grown: number; shrunk: number };
  exitCode?: number | null;
  /** Set when the command failed (the user saw the same message). */
  error?: string;
}

export function summarize(entries: LeakEntry[]): LeakCommandResult['entries'] {
  return entries.map((e) => ({
    id: e.id,
    title: e.title,
    tool: e.report.tool,
    path: e.path,
    sites: e.report.sites.length,
    warnings: e.report.warnings,
    located: e.sites
      .filter((rs) => rs.user?.localPath && rs.user.frame.line !== null)
      .map((rs) => ({ file: rs.user!.localPath!, line: rs.user!.frame.line!, kind: rs.site.kind, summary: siteSummary(rs.site, e.report.tool) })),
  }));
}

export class LeakSession {
  constructor(
    readonly services: Services,
    readonly store: LeakStore,
    readonly tree: LeakTree,
    readonly view: vscode.TreeView<unknown>,
    readonly status: RunStatus,
  ) {}

  /** Opens a file of the workspace at a line (a frame of a leak site). */
  async openFrame(file: string, line: number, column: number | null): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const l = Math.max(0, Math.min(doc.lineCount - 1, (line ?? 1) - 1));
    const pos = new vscode.Position(l, column ? Math.max(0, column - 1) : doc.lineAt(l).firstNonWhitespaceCharacterIndex);
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
  }

  /** Tells what was found, reveals it in the tree, and offers the top site. */
  async announce(entries: LeakEntry[]): Promise<void> {
    const first = entries.flatMap((e) => e.sites.map((rs) => ({ e, rs }))).find(({ rs }) => rs.user?.localPath);
    const total = entries.reduce((a, e) => a + e.report.sites.length, 0);
    const node = this.tree.getChildren().find((n) => n.id === entries[0]?.id);
    if (node) void this.view.reveal(node, { expand: true, focus: false, select: false }).then(undefined, () => undefined);
    const msg = `OOM Lens: ${entries.map((e) => `${toolName(e)}: ${plural(e.report.sites.length, 'site')}`).join('; ')}${first ? ` — top: ${siteSummary(first.rs.site, first.e.report.tool)} at ${path.basename(first.rs.user!.localPath!)}:${first.rs.user!.frame.line}` : ''}`;
    for (const w of entries.flatMap((e) => e.report.warnings)) this.services.log.warn(w);
    void vscode.window.showInformationMessage(total === 0 ? `${msg}. No leaks found.` : msg, ...(first ? ['Open Top Site'] : [])).then((a) => {
      if (a && first) void this.openFrame(first.rs.user!.localPath!, first.rs.user!.frame.line ?? 1, null);
    });
  }

  /** A failure as one message (a missing tool with its install command); the result says it too. */
  fail(e: unknown): LeakCommandResult | undefined {
    if (isCancelled(e)) return undefined;
    if (e instanceof ToolMissingError) {
      this.services.log.error(`${e.message} — ${e.hint}`);
      const cmd = e.installCommands.join(' && ');
      void vscode.window.showErrorMessage(`OOM Lens: ${e.message}. Install it with: ${cmd}`, 'Copy Install Command').then((a) => {
        if (a) void vscode.env.clipboard.writeText(cmd);
      });
    } else {
      this.services.log.error(errorText(e));
      void vscode.window.showErrorMessage(`OOM Lens: ${errorText(e)}`, 'Show Log').then((a) => {
        if (a) this.services.log.show();
      });
    }
    return { entries: [], error: errorText(e) };
  }

  /** Runs a request as a task; adds its reports; returns what was added. */
  async run(host: Host, req: ToolRequest, title: string): Promise<LeakCommandResult | undefined> {
    try {
      const r = await runToolAsTask(this.services, this.status, host, req, title);
      if (!r) return undefined;
      for (const w of r.warnings) this.services.log.warn(`${title}: ${w}`);
      const entries = this.addRun(host, r, title);
      await this.announce(entries);
      return { entries: summarize(entries), exitCode: r.exitCode };
    } catch (e) {
      return this.fail(e);
    }
  }

  private addRun(host: Host, r: RunResult, title: string): LeakEntry[] {
    return r.reports.map((p, i) =>
      this.store.add({
        title: r.reports.length > 1 ? `${title} — ${p.label}` : title,
        report: p.report,
        host: host.name,
        via: host.via,
        path: p.localPath ?? p.hostPath,
        commandLine: r.commandLine,
        skipPrefix: i === 0 ? r.workDir + '/' : null,
      }),
    );
  }
}
