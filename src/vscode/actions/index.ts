// Acting on the diagnosis from VS Code: Kill… on a process (panel row, tree, headline), Fix… on a
// finding whose remedy is a typed action, Undo in the Actions Log. Every action shows its exact
// commands, the current value and what we know first, in a dialog whose button is named after it;
// runs on the diagnosed host (this machine or SSH) as root or through sudo -n; is read again and
// recorded (the extension's storage, and the host's syslog). oomLens.readOnly hides and refuses all.
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import { errorText } from '../../core/errors';
import { formatKbSigned, formatTime } from '../../core/format';
import { renderSteps, type Action } from '../../core/act/action';
import { killAction } from '../../core/act/actions';
import { applyAction, privilegeOf, readCurrent, undoEntry, type AuditEntry } from '../../core/act/runner';
import { checkAction, checkKill } from '../../core/act/checks';
import { stillAlive } from '../../core/act/kill';
import { AuditLog } from '../../core/act/auditLog';
import { COMMANDS, VIEWS } from '../ids';
import type { Services } from '../services';
import { setting } from '../settings';
import { ActionsTree } from './actionsView';
import { pidOfProcessNode } from '../treeView';

const readOnly = () => setting('oomLens.readOnly');

/** The action as a shell script to review or run by hand (Cockpit's "View automation script"). */
export function asScript(hostName: string, action: Action, mode: Parameters<typeof renderSteps>[1]): string {
  return ['#!/bin/sh', `# OOM Lens: ${action.title} (on ${hostName})`, 'set -e', ...renderSteps(action.steps, mode), ''].join('\n');
}

export function registerActions(context: vscode.ExtensionContext, services: Services): void {
  const log = new AuditLog(vscode.Uri.joinPath(context.globalStorageUri, 'actions').fsPath);
  const tree = new ActionsTree(log, () => services.diagnosis?.host.name ?? null);
  const view = vscode.window.createTreeView(VIEWS.actions, { treeDataProvider: tree });
  const setContext = () => void vscode.commands.executeCommand('setContext', 'oomLens.readOnly', readOnly());
  setContext();

  const host = (): Host | null => services.diagnosis?.host ?? null;

  /** What the diagnosis says of this process: the predicted effect beside the kernel's facts. */
  const fromDiagnosis = (pid: number): string[] => {
    const r = services.diagnosis?.report;
    const g = r?.growth.find((x) => x.pid === pid);
    if (!g || (g.verdict !== 'leak-suspect' && g.verdict !== 'growing')) return [];
    const what = g.verdict === 'leak-suspect' ? 'it is the leak suspect' : 'it is growing';
    return [`${what}: ${formatKbSigned(g.slopeKbPerMin * 60)}/h${g.projectedOomAt ? `, out of memory by ${formatTime(g.projectedOomAt)}` : ''}`];
  };

  const refuse = (message: string) => {
    void vscode.window.showErrorMessage(`OOM Lens: ${message}. Nothing was changed.`);
    return undefined;
  };

  /** Shows the action, asks with a button named after it, runs it, records it. */
  const confirmAndRun = async (h: Host, action: Action, warnings: string[] = []): Promise<AuditEntry | undefined> => {
    if (readOnly()) return refuse('oomLens.readOnly is on: OOM Lens does not change hosts');
    const priv = await privilegeOf(h);
    const current = await readCurrent(h, action, priv);
    const detail = [
      `On ${h.name}, ${priv.mode === 'root' ? `as ${priv.user}` : `as ${priv.user}, root steps through sudo -n (never asks for a password)`}, this runs:`,
      ...renderSteps(action.steps, priv.mode).map((c) => `  ${c}`),
      ...(current ? ['', 'Now:', ...current.split('\n').map((l) => `  ${l}`)] : []),
      ...(warnings.length ? ['', ...warnings.map((w) => `• ${w}`)] : []),
      '',
      action.undo ? `It can be undone from the Actions Log.` : 'It cannot be undone.',
    ].join('\n');
    const copyScript = 'Copy as Script';
    const choice = await vscode.window.showWarningMessage(action.title, { modal: true, detail }, action.title, copyScript);
    if (choice === copyScript) {
      await vscode.env.clipboard.writeText(asScript(h.name, action, priv.mode));
      void vscode.window.showInformationMessage(`OOM Lens: the commands of "${action.title}" are on the clipboard; nothing ran.`);
      return undefined;
    }
    if (choice !== action.title) return undefined;
    const e = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `OOM Lens: ${action.title}…` }, () =>
      applyAction(h, action, { privilege: priv }),
    );
    log.append(e);
    tree.refresh();
    services.log.info(`action ${e.id} on ${e.host}: ${e.title}: ${e.ok ? 'done' : `FAILED ${e.error ?? ''}`}; ${e.commands.join(' ; ')}`);
    if (!e.ok) void vscode.window.showErrorMessage(`OOM Lens: ${e.title} failed: ${e.error ?? `exit ${e.exitCode}`}`);
    return e;
  };

  const kill = async (arg?: unknown): Promise<AuditEntry | undefined> => {
    if (readOnly()) return refuse('oomLens.readOnly is on: OOM Lens does not change hosts');
    const h = host();
    if (!h) return refuse('diagnose a host first');
    const a = arg as { pid?: unknown } | undefined;
    const pid = typeof arg === 'number' ? arg : typeof a?.pid === 'number' ? a.pid : pidOfProcessNode(arg);
    if (!pid) return refuse('no process given');
    try {
      const c = await checkKill(h, pid);
      if (c.refuse) return refuse(c.refuse);
      const comm = c.facts?.comm ?? null;
      const e = await confirmAndRun(h, killAction(pid, comm, 'TERM'), [...c.warnings, ...fromDiagnosis(pid)]);
      if (!e?.ok) return e;
      // TERM, a few seconds, then offer KILL when it is still there.
      for (let i = 0; i < 20 && (await stillAlive(h, [pid])).length; i++) await new Promise((r) => setTimeout(r, 250));
      if ((await stillAlive(h, [pid])).length) {
        const force = `Force-kill ${comm ?? 'process'} (${pid})`;
        const again = await vscode.window.showWarningMessage(
          `${comm ?? 'The process'} (${pid}) is still running 5 s after SIGTERM.`,
          { modal: true, detail: `kill -9 ${pid} ends it without letting it clean up.` },
          force,
        );
        if (again === force) return confirmAndRunDirect(h, killAction(pid, comm, 'KILL'));
      } else void vscode.window.showInformationMessage(`OOM Lens: ${comm ?? 'process'} (${pid}) has ended.`);
      return e;
    } catch (err) {
      return refuse(errorText(err));
    }
  };

  /** A second step the user already chose in a dialog (the force-kill): run without asking again. */
  const confirmAndRunDirect = async (h: Host, action: Action) => {
    const e = await applyAction(h, action);
    log.append(e);
    tree.refresh();
    return e;
  };

  const fix = async (arg?: { key?: string; remedy?: number; action?: number }): Promise<AuditEntry | undefined> => {
    if (readOnly()) return refuse('oomLens.readOnly is on: OOM Lens does not change hosts');
    const h = host();
    const d = services.diagnosis;
    if (!h || !d) return refuse('diagnose a host first');
    const f = d.report.findings.find((x) => (x.key ?? x.id) === arg?.key);
    const actions = f?.remedies[arg?.remedy ?? -1]?.actions;
    if (!actions?.length) return refuse('that finding has no action to run any more (the state changed): diagnose again');
    let last: AuditEntry | undefined;
    for (const a of actions) {
      try {
        // The remedy's action, checked against the host now (it may have changed since the diagnosis).
        const c = await checkAction(h, a);
        if (c.refuse) return refuse(c.refuse);
        last = await confirmAndRun(h, c.action, c.warnings);
      } catch (err) {
        return refuse(errorText(err));
      }
      if (!last?.ok) return last;
    }
    return last;
  };

  const undo = async (arg?: AuditEntry | { id?: string }): Promise<AuditEntry | undefined> => {
    if (readOnly()) return refuse('oomLens.readOnly is on: OOM Lens does not change hosts');
    const h = host();
    if (!h) return refuse('diagnose the host first: undo runs on the host it was done on');
    const entry = arg && 'title' in arg ? arg : log.find(h.name, String(arg?.id ?? ''));
    if (!entry) return refuse('no such action in the log');
    if (!entry.undoSteps) return refuse(`"${entry.title}" cannot be undone`);
    const priv = await privilegeOf(h);
    const title = `Undo: ${entry.title}`;
    const choice = await vscode.window.showWarningMessage(
      title,
      {
        modal: true,
        detail: `On ${h.name} this runs:\n${renderSteps(entry.undoSteps, priv.mode)
          .map((c) => `  ${c}`)
          .join('\n')}`,
      },
      title,
    );
    if (choice !== title) return undefined;
    try {
      const e = await undoEntry(h, entry, { privilege: priv });
      log.append(e);
      tree.refresh();
      return e;
    } catch (err) {
      return refuse(errorText(err));
    }
  };

  context.subscriptions.push(
    tree,
    view,
    vscode.commands.registerCommand(COMMANDS.killProcess.id, kill),
    vscode.commands.registerCommand(COMMANDS.fixFinding.id, fix),
    vscode.commands.registerCommand(COMMANDS.undoAction.id, undo),
    services.onDidChangeDiagnosis(() => tree.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('oomLens.readOnly')) setContext();
    }),
  );
}
