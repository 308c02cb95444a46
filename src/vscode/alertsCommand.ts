// "OOM Lens: Generate Alert Rules…": the Prometheus rules with the findings' thresholds, generic or
// tuned to the diagnosed host, opened as an untitled YAML document to review, save and load.
import * as vscode from 'vscode';
import { genericThresholds, rulesYaml, thresholdsForHost } from '../core/alerts';
import { COMMANDS } from './ids';
import { Services } from './services';

/** Tests (and keybindings) pass a choice to skip the quick pick. */
export interface AlertRulesArgs {
  generic?: boolean;
  forHost?: boolean;
}

export async function generateAlertRules(services: Services, args?: AlertRulesArgs): Promise<vscode.TextDocument | undefined> {
  const report = services.diagnosis?.report ?? null;
  let tuned: boolean;
  if (args?.generic) tuned = false;
  else if (args?.forHost) tuned = true;
  else {
    const items: (vscode.QuickPickItem & { tuned: boolean })[] = [
      { label: 'Generic', detail: 'The thresholds of the OOM Lens findings, for node_exporter, cAdvisor and kube-state-metrics', tuned: false },
    ];
    if (report)
      items.push({
        label: `Tuned to ${report.host.name}`,
        detail: 'Rules for what the diagnosed host has (swap, PSI, memory-limited cgroups, Kubernetes pods), its sizes in the descriptions',
        tuned: true,
      });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'OOM Lens: Generate Alert Rules',
      placeHolder: report ? 'Generic, or tuned to the diagnosed host' : 'Generic (diagnose a host to tune the rules to it)',
    });
    if (!pick) return undefined;
    tuned = pick.tuned;
  }
  if (tuned && !report) {
    void vscode.window.showInformationMessage('OOM Lens: diagnose a host first; then the alert rules can be tuned to it.');
    return undefined;
  }
  const thresholds = tuned && report ? thresholdsForHost(report) : genericThresholds();
  const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: rulesYaml(thresholds) });
  await vscode.window.showTextDocument(doc);
  services.log.info(`alert rules generated (${thresholds.host ? `tuned to ${thresholds.host.name}` : 'generic'})`);
  return doc;
}

export function registerAlertsCommand(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(vscode.commands.registerCommand(COMMANDS.generateAlertRules.id, (args?: AlertRulesArgs) => generateAlertRules(services, args)));
}
