import * as vscode from 'vscode';
import { homedir } from 'node:os';
import { renderMarkdown } from '../core/report/markdown';
import { renderHtml } from '../core/report/html';
import { COMMANDS } from './ids';
import { Services } from './services';

/** "Export Report…": the current diagnosis as JSON (the contract), Markdown (a ticket) or self-contained HTML. */
export async function exportReport(context: vscode.ExtensionContext, services: Services, target?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const d = services.diagnosis;
  const report = services.fullReport();
  if (!d || !report) {
    void vscode.window.showInformationMessage('OOM Lens: diagnose a host first; then its report can be exported.');
    return undefined;
  }
  const stamp = d.report.takenAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const uri = target ?? await vscode.window.showSaveDialog({
    title: 'OOM Lens: Export Report',
    defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(homedir()), `oom-lens-${d.report.host.name}-${stamp}.html`),
    filters: { 'HTML (self-contained, with charts)': ['html'], Markdown: ['md'], 'JSON (report contract)': ['json'] },
  });
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
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.exportReport.id, (uri?: vscode.Uri) => exportReport(context, services, uri)));
}
