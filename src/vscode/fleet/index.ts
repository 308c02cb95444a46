// The fleet in VS Code: the "Fleet" view, its commands, and the drill-down timeline in the panel.
// Registered from activate() with one line; returns what the extension-host tests read.
import * as vscode from 'vscode';
import { errorText } from '../../core/errors';
import { COMMANDS, VIEWS } from '../ids';
import { OomLensPanel } from '../panel';
import type { Services } from '../services';
import { promptCredentials } from './credentials';
import { FleetService, type FleetState } from './service';
import { FleetTree } from './tree';

export interface FleetApi {
  service: FleetService;
  tree: FleetTree;
  view: vscode.TreeView<unknown>;
}

/** A command's host argument: { instance } from a click or the panel, or the tree row itself. */
const instanceOf = (arg: unknown): string | undefined => {
  const i = (arg as { instance?: unknown } | undefined)?.instance;
  return typeof i === 'string' && i ? i : undefined;
};

export function registerFleet(context: vscode.ExtensionContext, services: Services): FleetApi {
  const service = new FleetService(context.secrets, services);
  const tree = new FleetTree(service);
  const view = vscode.window.createTreeView(VIEWS.fleet, { treeDataProvider: tree, showCollapseAll: true });

  const settingsButton = 'Open Settings';
  const credsButton = COMMANDS.fleetSetCredentials.title;
  // The same failure again (a setting edited key by key, Retry) is not a new notification.
  let notified = '';
  const onState = (s: FleetState) => {
    view.message = s.kind === 'ok' ? `${s.report.hosts.length} hosts, ranked worst first · ${s.url}` : undefined;
    if (s.kind === 'ok') OomLensPanel.ifOpen()?.post({ type: 'fleet', report: s.report });
    if (s.kind === 'ok' || s.kind === 'unset') notified = '';
    if (s.kind !== 'error' || s.message === notified) return;
    notified = s.message;
    // The view shows the same message as a row; the notification says where to fix it.
    void vscode.window.showErrorMessage(`OOM Lens Fleet: ${s.message}`, ...(s.auth ? [credsButton] : []), settingsButton).then((a) => {
      if (a === credsButton) void vscode.commands.executeCommand(COMMANDS.fleetSetCredentials.id);
      else if (a === settingsButton) void vscode.commands.executeCommand('workbench.action.openSettings', 'oomLens.fleet');
    });
  };

  /** Asks which host when a command came without one (the palette). */
  const pickInstance = async (arg: unknown): Promise<string | undefined> => {
    const given = instanceOf(arg);
    if (given) return given;
    const s = service.state.kind === 'ok' ? service.state : await service.refresh();
    if (s.kind !== 'ok') return undefined;
    const picked = await vscode.window.showQuickPick(
      s.report.hosts.map((h) => ({ label: h.instance, description: h.worst?.text ?? 'fine' })),
      { title: 'OOM Lens: which fleet host?', matchOnDescription: true },
    );
    return picked?.label;
  };

  const openHost = async (arg: unknown) => {
    const instance = await pickInstance(arg);
    if (!instance) return;
    const panel = OomLensPanel.show(context, services);
    if (service.state.kind === 'ok') panel.post({ type: 'fleet', report: service.state.report });
    panel.post({ type: 'busy', message: `Reading ${instance} from Prometheus…` });
    try {
      const series = await service.hostSeries(instance);
      services.log.info(`fleet: ${instance}: ${series.t.length} points, ${series.kills.length} kill markers`);
      panel.post({ type: 'hostSeries', series });
    } catch (e) {
      const message = `Cannot read ${instance}: ${errorText(e)}`;
      services.log.error(`fleet: ${message}`);
      panel.post({ type: 'error', message });
      void vscode.window.showErrorMessage(`OOM Lens Fleet: ${message}`);
    }
  };

  const diagnoseHost = async (arg: unknown) => {
    const instance = await pickInstance(arg);
    if (!instance) return;
    const host = service.state.kind === 'ok' ? service.state.report.hosts.find((h) => h.instance === instance) : undefined;
    if (!host?.sshHost) {
      const a = await vscode.window.showWarningMessage(
        `OOM Lens: no SSH host known for ${instance}: map it in oomLens.fleet.sshMapping (e.g. { "${instance}": "admin@host" }).`,
        settingsButton,
      );
      if (a) void vscode.commands.executeCommand('workbench.action.openSettings', 'oomLens.fleet.sshMapping');
      return;
    }
    // The same diagnosis as "Diagnose OOM on Host…" with that SSH host spec.
    await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: host.sshHost });
  };

  context.subscriptions.push(
    service,
    tree,
    view,
    service.onDidChange(onState),
    vscode.commands.registerCommand(COMMANDS.fleetRefresh.id, () => service.refresh()),
    vscode.commands.registerCommand(COMMANDS.fleetOpenHost.id, openHost),
    vscode.commands.registerCommand(COMMANDS.fleetDiagnoseHost.id, diagnoseHost),
    vscode.commands.registerCommand(COMMANDS.fleetSetCredentials.id, async () => {
      if (await promptCredentials(context.secrets)) await service.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('oomLens.fleet')) void service.refresh();
    }),
  );
  return { service, tree, view };
}
