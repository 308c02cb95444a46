import * as vscode from 'vscode';
import { Services } from './vscode/services';
import { registerDiagnoseCommands } from './vscode/diagnoseCommand';
import { registerTreeView, HostsTree } from './vscode/treeView';
import { registerPanel } from './vscode/panel';
import { registerOpenLogCommand } from './vscode/openLogCommand';
import { registerExportCommand } from './vscode/exportCommand';
import { registerLeaks } from './vscode/leaks';
import { registerActions } from './vscode/actions';
import { registerWatch, type WatchService } from './vscode/watchHosts';
import { registerAlertsCommand } from './vscode/alertsCommand';
import { registerFleet, type FleetApi } from './vscode/fleet';
import { VERSION } from './core/version';
import { setMaxOutputBytes } from './core/host/host';
import { setting } from './vscode/settings';

/** Builds the shared services and registers each feature. Nothing slow runs here. */
/** What activate() returns: for the extension-host tests and other extensions. */
export interface OomLensApi {
  services: Services;
  tree: HostsTree;
  /** The watched hosts and the notifications they raised. */
  watch: WatchService;
  /** The Fleet view: its state and tree. */
  fleet: FleetApi;
}

export function activate(context: vscode.ExtensionContext): OomLensApi {
  const services = new Services();
  context.subscriptions.push(services);
  services.log.info(`OOM Lens ${VERSION} activated in VS Code ${vscode.version}${vscode.env.remoteName ? ` (remote: ${vscode.env.remoteName})` : ''}`);
  // The cap on one command's output, now and whenever the setting changes.
  const applyOutputCap = () => setMaxOutputBytes(setting('oomLens.maxOutputMiB') * 2 ** 20);
  applyOutputCap();
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('oomLens.maxOutputMiB') && applyOutputCap()));
  registerPanel(context, services);
  const tree = registerTreeView(context, services);
  registerDiagnoseCommands(context, services);
  registerOpenLogCommand(context, services);
  registerExportCommand(context, services);
  registerLeaks(context, services);
  registerActions(context, services);
  const watch = registerWatch(context, services);
  registerAlertsCommand(context, services);
  const fleet = registerFleet(context, services);
  // Returned for the extension-host tests.
  return { services, tree, watch, fleet };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
