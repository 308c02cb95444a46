import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import type { FromWebview, PanelState, ToWebview } from '../protocol/messages';
import { isFromWebview } from '../protocol/validate';
import { PANEL_VIEW_TYPE, COMMANDS } from './ids';
import { Services } from './services';
import { collectSmaps } from '../core/collect/smaps';
import { loadLastReport } from './lastReport';
import { setting } from './settings';
import type { Report } from '../core/model/report';

/** The OOM Lens panel (host side). One at a time; its own disposables; restored after a reload. */
export class OomLensPanel implements vscode.Disposable {
  private static current: OomLensPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pending: ToWebview[] = [];

  static show(context: vscode.ExtensionContext, services: Services): OomLensPanel {
    if (OomLensPanel.current) {
      OomLensPanel.current.panel.reveal(undefined, true);
      return OomLensPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      'OOM Lens',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      webviewOptions(context),
    );
    OomLensPanel.current = new OomLensPanel(panel, context, services);
    return OomLensPanel.current;
  }

  /** The panel if it is open (a fleet refresh updates its table, never opens it). */
  static ifOpen(): OomLensPanel | undefined {
    return OomLensPanel.current;
  }

  static disposeCurrent(): void {
    OomLensPanel.current?.dispose();
  }

  static revive(panel: vscode.WebviewPanel, context: vscode.ExtensionContext, services: Services, restored: Report | null): OomLensPanel {
    OomLensPanel.current?.dispose();
    panel.webview.options = webviewOptions(context);
    OomLensPanel.current = new OomLensPanel(panel, context, services);
    // The webview may have kept its own state; if not, the last diagnosis from storage.
    if (restored && !services.diagnosis) OomLensPanel.current.post({ type: 'report', report: restored, receivedAt: new Date().toISOString() });
    return OomLensPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    private readonly services: Services,
  ) {
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'oom-lens.svg');
    panel.webview.html = html(panel.webview, context.extensionUri);
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      services.onDidChangeDiagnosis((d) => {
        if (d) this.post({ type: 'report', report: d.report, receivedAt: new Date().toISOString() });
      }),
      services.onDidUpdateLive((r) => this.postLive(r)),
    );
  }

  /** The live state, with the series the timeline draws (not all of them: 500 series every second is too much). */
  private postLive(r: Report): void {
    const s = this.services.sampling;
    this.post({ type: 'live', report: { ...r, samples: s && s.host === this.services.diagnosis?.host ? s.live.timelineSamples() : r.samples } });
  }

  /** Sends a message once the webview said it is ready (messages before that would be lost). */
  post(message: ToWebview): void {
    if (!this.ready) {
      this.pending.push(message);
      return;
    }
    void this.panel.webview.postMessage(message);
  }

  private receive(m: unknown): void {
    if (!isFromWebview(m)) {
      this.services.log.warn(`panel: dropped a malformed message: ${JSON.stringify(m)?.slice(0, 200)}`);
      return;
    }
    const msg: FromWebview = m;
    switch (msg.type) {
      case 'ready': {
        this.ready = true;
        const d = this.services.diagnosis;
        // A fresh diagnosis wins over whatever state the webview restored.
        if (d && !this.pending.some((p) => p.type === 'report'))
          this.pending.unshift({ type: 'report', report: d.report, receivedAt: new Date().toISOString() });
        // …and then its live state, if sampling runs or ran.
        if (d && this.services.sampling?.host === d.host)
          this.pending.push({ type: 'live', report: { ...this.services.sampling.report, samples: this.services.sampling.live.timelineSamples() } });
        for (const p of this.pending.splice(0)) void this.panel.webview.postMessage(p);
        break;
      }
      case 'diagnose':
        void vscode.commands.executeCommand(COMMANDS.refresh.id);
        break;
      case 'smaps':
        void this.readSmaps(msg.pid);
        break;
      case 'findLeaks':
        void vscode.commands.executeCommand(COMMANDS.findLeaksInProcess.id, { pid: msg.pid });
        break;
      case 'sampling':
        void vscode.commands.executeCommand(msg.action === 'start' ? COMMANDS.startSampling.id : COMMANDS.stopSampling.id);
        break;
      case 'kill':
        void vscode.commands.executeCommand(COMMANDS.killProcess.id, { pid: msg.pid });
        break;
      case 'fix':
        void vscode.commands.executeCommand(COMMANDS.fixFinding.id, { key: msg.key, remedy: msg.remedy });
        break;
      case 'openHost':
        void vscode.commands.executeCommand(COMMANDS.fleetOpenHost.id, { instance: msg.instance });
        break;
      case 'diagnoseHost':
        void vscode.commands.executeCommand(COMMANDS.fleetDiagnoseHost.id, { instance: msg.instance });
        break;
      case 'export':
        void vscode.commands.executeCommand(COMMANDS.exportReport.id, undefined, msg.format);
        break;
      case 'copy':
        void vscode.env.clipboard.writeText(msg.text).then(() => vscode.window.setStatusBarMessage('OOM Lens: copied', 2000));
        break;
      case 'log':
        this.services.log[msg.level](`webview: ${msg.message}`);
        break;
    }
  }

  /** The smaps drill-down of one process of the diagnosed host. */
  private async readSmaps(pid: number): Promise<void> {
    const d = this.services.diagnosis;
    if (!d) return;
    try {
      const r = await collectSmaps(d.host, pid);
      this.services.log.info(`smaps of ${pid} on ${d.host.name}: ${r.mappings} mappings in ${r.ms} ms`);
      this.post({ type: 'smaps', smaps: { pid, rows: r.rows, mappings: r.mappings, truncated: r.truncated } });
    } catch (e) {
      this.post({ type: 'smaps', smaps: { pid, rows: [], mappings: 0, truncated: false, error: (e as Error).message } });
    }
  }

  dispose(): void {
    if (OomLensPanel.current === this) OomLensPanel.current = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}

function webviewOptions(context: vscode.ExtensionContext): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    // Only what the panel needs: its bundle and its CSS/icons.
    localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(context.extensionUri, 'media')],
  };
}

function html(webview: vscode.Webview, root: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(root, 'dist', 'webview', 'panel.js'));
  const css = webview.asWebviewUri(vscode.Uri.joinPath(root, 'media', 'panel.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${css}" rel="stylesheet">
<title>OOM Lens</title>
</head>
<body data-locale="${vscode.env.language.replace(/[^A-Za-z0-9-]/g, '')}" data-readonly="${setting('oomLens.readOnly') ? '1' : ''}">
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function registerPanel(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: PanelState | undefined) {
        const restored = state?.report ? null : await loadLastReport(context);
        services.log.info(
          `panel restored ${state?.report ? `from its own state (${state.report.host.name})` : restored ? `from storage (${restored.host.name}, ${restored.takenAt})` : 'empty'}`,
        );
        OomLensPanel.revive(panel, context, services, restored);
      },
    }),
    vscode.commands.registerCommand(COMMANDS.showPanel.id, () => OomLensPanel.show(context, services)),
    { dispose: () => OomLensPanel.disposeCurrent() },
  );
}
