import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { renderMarkdown } from '../core/report/markdown';
import { renderHtml } from '../core/report/html';
import { COMMANDS } from './ids';
import { Services } from './services';

/** "Export Report…": the current diagnosis as JSON (the contract), Markdown (a ticket) or self-contained HTML. */
const FORMATS = [
  { format: 'md', label: 'Markdown', detail: 'for a ticket or a chat: the verdict, findings, kills and top processes', ext: 'md' },
  { format: 'html', label: 'HTML', detail: 'one self-contained file with the same charts, opens offline anywhere', ext: 'html' },
  { format: 'json', label: 'JSON', detail: 'the report contract (docs/contracts/report.md), every sampled series', ext: 'json' },
] as const;
export type ExportFormat = (typeof FORMATS)[number]['format'];

export async function exportReport(
  context: vscode.ExtensionContext,
  services: Services,
  target?: vscode.Uri,
  format?: ExportFormat,
): Promise<vscode.Uri | undefined> {
  const d = services.diagnosis;
  const report = services.fullReport();
  if (!d || !report) {
    void vscode.window.showInformationMessage('OOM Lens: diagnose a host first; then its report can be exported.');
    return undefined;
  }
  const stamp = d.report.takenAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  let uri = target;
  if (!uri) {
    // The format first (the save dialog's type filter is easy to miss), then where.
    const chosen = format
      ? FORMATS.find((f) => f.format === format)
      : await vscode.window.showQuickPick(
          FORMATS.map((f) => ({ ...f })),
          { title: 'OOM Lens: Export Report as…' },
        );
    if (!chosen) return undefined;
    uri = await vscode.window.showSaveDialog({
      title: `OOM Lens: Export Report (${chosen.label})`,
      defaultUri: vscode.Uri.joinPath(
        vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()),
        `oom-lens-${d.report.host.name}-${stamp}.${chosen.ext}`,
      ),
      filters: { [chosen.label]: [chosen.ext] },
    });
  }
  if (!uri) return undefined;
  const ext = uri.path.split('.').pop()?.toLowerCase();
  let text: string;
  // The live state while sampling (every series), not the first snapshot.
  if (ext === 'md') text = renderMarkdown(report, { top: 20 });
  else if (ext === 'json') text = JSON.stringify(report, null, 2) + '\n';
  else {
    const read = async (...p: string[]) => Buffer.from(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, ...p))).toString('utf8');
    text = renderHtml(report, { script: await read('dist', 'webview', 'panel.js'), css: await read('media', 'panel.css') });
  }
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  services.log.info(`report of ${d.report.host.name} exported to ${uri.fsPath}`);
  void vscode.window.showInformationMessage(`OOM Lens: report saved to ${uri.fsPath}`, 'Open').then((a) => {
    if (a) void (ext === 'html' ? vscode.env.openExternal(uri) : vscode.window.showTextDocument(uri));
  });
  return uri;
}

export function registerExportCommand(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(COMMANDS.exportReport.id, (uri?: vscode.Uri, format?: ExportFormat) =>
      exportReport(context, services, uri instanceof vscode.Uri ? uri : undefined, FORMATS.some((f) => f.format === format) ? format : undefined),
    ),
  );
}
