import * as vscode from 'vscode';
import type { Report } from '../core/model/report';

/**
 * The last diagnosis, kept in the extension's storage: after a window reload the restored panel
 * shows it even when the webview's own state did not survive (the browser may not flush it).
 */
function file(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.globalStorageUri, 'last-report.json');
}

export async function saveLastReport(context: vscode.ExtensionContext, report: Report): Promise<void> {
  try {
    await vscode.workspace.fs.createDirectory(context.globalStorageUri);
    await vscode.workspace.fs.writeFile(file(context), Buffer.from(JSON.stringify(report)));
  } catch {
    /* best effort: the webview state is the first copy */
  }
}

export async function loadLastReport(context: vscode.ExtensionContext): Promise<Report | null> {
  try {
    const r = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(file(context))).toString('utf8')) as Report;
    return r && r.version === 1 && r.memory && Array.isArray(r.processes) ? r : null;
  } catch {
    return null;
  }
}
