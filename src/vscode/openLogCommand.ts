import * as vscode from 'vscode';
import { eventsFromFile } from '../core/collect/logFile';
import { errorText, OomLensError } from '../core/errors';
import { COMMANDS } from './ids';
import { Services } from './services';
import { OomLensPanel } from './panel';

/** "Open Kernel Log…": a log the user already has (e.g. attached to a ticket) -> its OOM events. */
export async function openKernelLog(context: vscode.ExtensionContext, services: Services, uri?: vscode.Uri): Promise<void> {
  const target =
    uri ??
    (
      await vscode.window.showOpenDialog({
        title: 'OOM Lens: Open Kernel Log',
        openLabel: 'Find OOM Events',
        canSelectMany: false,
        filters: { 'Logs and pastes': ['log', 'txt', 'gz', 'json', 'yaml', 'yml', 'out', '*'] },
      })
    )?.[0];
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage(`OOM Lens: only files on the machine the extension runs on can be read (${target.toString()})`);
    return;
  }
  try {
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OOM Lens: reading ${target.fsPath}` }, () =>
      eventsFromFile(target.fsPath),
    );
    services.log.info(`${target.fsPath}: ${result.events.length} OOM events, ${result.warnings.length} warnings`);
    services.addOpenedLog({ path: target.fsPath, result, openedAt: new Date().toISOString() });
    OomLensPanel.show(context, services).post({ type: 'log', path: target.fsPath, result });
    if (result.events.length === 0) {
      void vscode.window.showInformationMessage(
        `OOM Lens: no OOM events in ${target.fsPath}${result.warnings.length ? ` (${result.warnings.length} warnings)` : ''}.`,
      );
    }
  } catch (e) {
    const message = e instanceof OomLensError ? errorText(e) : `cannot read ${target.fsPath}: ${errorText(e)}`;
    services.log.error(message);
    void vscode.window.showErrorMessage(`OOM Lens: ${message}`);
  }
}

export function registerOpenLogCommand(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.openKernelLog.id, (uri?: vscode.Uri) => openKernelLog(context, services, uri)));
}
