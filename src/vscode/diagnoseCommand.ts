import * as vscode from 'vscode';
import { diagnose } from '../core/diagnose';
import { errorText, isCancelled, OomLensError } from '../core/errors';
import type { Host } from '../core/host/host';
import { COMMANDS } from './ids';
import { pickHost, sshHost } from './hostPicker';
import { LocalHost } from '../core/host/localHost';
import { toAbortSignal } from './cancellation';
import { Services } from './services';
import { OomLensPanel } from './panel';
import { setting } from './settings';
import { saveLastReport } from './lastReport';
import { LiveSession, sessionFile } from './liveSession';
import type { DiagnosedReport } from '../core/live';

/** Runs the diagnosis with cancellable, step-by-step progress, then shows it. */
export async function runDiagnosis(context: vscode.ExtensionContext, services: Services, host: Host): Promise<void> {
  services.log.info(`diagnose ${host.name} (${host.via})`);
  const panel = OomLensPanel.show(context, services);
  panel.post({ type: 'busy', message: `Diagnosing ${host.name}…` });
  try {
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `OOM Lens: ${host.name}`, cancellable: true },
      async (progress, token) => {
        const abort = toAbortSignal(token);
        try {
          return await diagnose(host, {
            signal: abort.signal,
            rollup: setting('oomLens.collect.smapsRollup'),
            sudo: host.via === 'ssh' && setting('oomLens.ssh.useSudo'),
            timeoutMs: setting('oomLens.collect.timeoutSeconds') * 1000,
            onStep: (message) => {
              progress.report({ message });
              services.log.info(message);
            },
          });
        } finally {
          abort.dispose();
        }
      },
    );
    services.log.info(`diagnosed ${host.name}: ${report.processes.length} processes, ${report.warnings.length} warnings`);
    for (const w of report.warnings) services.log.warn(w);
    // A new diagnosis ends the live session of the previous one: its state would contradict this one.
    await services.sampling?.stop();
    services.sampling?.dispose();
    services.sampling = null;
    services.setDiagnosis({ host, report });
    void saveLastReport(context, report);
    if (setting('oomLens.sampling.autoStart')) await startSampling(context, services);
  } catch (e) {
    if (isCancelled(e)) {
      services.log.info('diagnosis cancelled');
      panel.post({ type: 'error', message: 'Diagnosis cancelled.' });
      return;
    }
    const message = e instanceof OomLensError ? errorText(e) : `Diagnosis failed: ${errorText(e)}`;
    services.log.error(message);
    panel.post({ type: 'error', message });
    void vscode.window.showErrorMessage(`OOM Lens: ${message}`, 'Show Log').then((a) => {
      if (a) services.log.show();
    });
  }
}

/** Starts (or restarts) live sampling of the diagnosed host; the previous session ends first. */
export async function startSampling(context: vscode.ExtensionContext, services: Services): Promise<void> {
  const d = services.diagnosis;
  if (!d) return;
  await services.sampling?.stop();
  services.sampling?.dispose();
  const file = sessionFile(context, d.host.name);
  const store = await LiveSession.loadStore(file, services.log);
  const session = new LiveSession(
    d.host,
    d.report as DiagnosedReport,
    store,
    file,
    setting('oomLens.sampling.intervalSeconds') * 1000,
    services.log,
    d.host.via === 'ssh' && setting('oomLens.ssh.useSudo'),
  );
  session.onDidUpdate((u) => services.updateLive(u.report));
  services.sampling = session;
  session.start();
}

export async function stopSampling(services: Services): Promise<void> {
  const s = services.sampling;
  if (!s) return;
  await s.stop();
  services.log.info(`sampling of ${s.host.name} stopped by the user`);
}

export function registerDiagnoseCommands(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    // An argument { host: 'local' | 'user@host' | alias } skips the picker (keybindings, tests, other extensions).
    vscode.commands.registerCommand(COMMANDS.diagnose.id, async (arg?: { host?: string }) => {
      const host = arg?.host === 'local' ? new LocalHost() : arg?.host ? sshHost(services, arg.host) : await pickHost(context, services);
      if (host) await runDiagnosis(context, services, host);
    }),
    vscode.commands.registerCommand(COMMANDS.refresh.id, async () => {
      const host = services.diagnosis?.host;
      if (host) await runDiagnosis(context, services, host);
      else await vscode.commands.executeCommand(COMMANDS.diagnose.id);
    }),
    vscode.commands.registerCommand(COMMANDS.showLog.id, () => services.log.show()),
    vscode.commands.registerCommand(COMMANDS.startSampling.id, async () => {
      if (!services.diagnosis) await vscode.commands.executeCommand(COMMANDS.diagnose.id);
      await startSampling(context, services);
    }),
    vscode.commands.registerCommand(COMMANDS.stopSampling.id, () => stopSampling(services)),
    // Sampling must not outlive the extension; its series are saved on the way out.
    {
      dispose: () => {
        void services.sampling?.stop();
      },
    },
  );
}
