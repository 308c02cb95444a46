// "OOM Lens: Watch Host…": a lightweight watch on chosen hosts (this machine, SSH hosts) while the
// window is open. Each is core/watch/hostWatch.ts (the kernel log followed by one long-running
// command, the sampler at a slow rate, restarts without end after a dropped connection); its events
// become notifications (a kill with "Open Diagnosis"), and one status bar item lists every watched
// host and its state.
import * as vscode from 'vscode';
import type { Host } from '../core/host/host';
import { LocalHost } from '../core/host/localHost';
import { HostWatch, type HostWatchState, type WatchLine } from '../core/watch/hostWatch';
import { errorText } from '../core/errors';
import { formatDuration, formatTime, plural } from '../core/format';
import { COMMANDS } from './ids';
import { pickHost, sshHost } from './hostPicker';
import { setting } from './settings';
import type { Services } from './services';

const OPEN_DIAGNOSIS = 'Open Diagnosis';

/** A notification the watch showed (kept for the extension-host tests and the log). */
export interface WatchNotification {
  at: string;
  host: string;
  severity: 'critical' | 'warning' | 'info';
  message: string;
  actions: string[];
  event: WatchLine;
}

interface Watched {
  /** How the diagnose command names the host: 'local', or the SSH spec. */
  spec: string;
  host: Host;
  watch: HostWatch;
  done: Promise<void>;
  failed: string | null;
}

export class WatchService implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('oomLens.watch', vscode.StatusBarAlignment.Left, 49);
  private readonly watched = new Map<string, Watched>();
  /** Every notification shown, oldest first (bounded). */
  readonly notifications: WatchNotification[] = [];
  private readonly changed = new vscode.EventEmitter<WatchNotification>();
  readonly onDidNotify = this.changed.event;

  constructor(private readonly services: Services) {
    this.item.name = 'OOM Lens: Watched Hosts';
    this.item.command = COMMANDS.stopWatching.id;
  }

  /** Specs of the hosts being watched. */
  get hosts(): string[] {
    return [...this.watched.keys()];
  }

  isWatching(spec: string): boolean {
    return this.watched.has(spec);
  }

  /** What the watch of a host knows now (connected, kernel log, samples), or undefined. */
  details(spec: string): HostWatchState | undefined {
    return this.watched.get(spec)?.watch.state;
  }

  /** The status bar item's text ("" when hidden). */
  get statusText(): string {
    return this.watched.size ? this.item.text : '';
  }

  start(spec: string, host: Host): void {
    if (this.watched.has(spec)) {
      void vscode.window.showInformationMessage(`OOM Lens is already watching ${host.name}.`);
      return;
    }
    const intervalMs = setting('oomLens.watch.intervalSeconds') * 1000;
    const watch = new HostWatch(host, {
      intervalMs,
      sudo: host.via === 'ssh' && setting('oomLens.ssh.useSudo'),
      retryStart: true,
      onEvent: (e) => this.onEvent(spec, e),
      onChange: () => this.render(),
    });
    const w: Watched = { spec, host, watch, done: Promise.resolve(), failed: null };
    this.services.log.info(`watching ${host.name} (${host.via}) every ${formatDuration(intervalMs)}`);
    w.done = watch.run().then(
      () => this.services.log.info(`stopped watching ${host.name}`),
      (e) => {
        w.failed = errorText(e);
        this.services.log.error(`watching ${host.name} failed: ${w.failed}`);
        void vscode.window.showErrorMessage(`OOM Lens: watching ${host.name} failed: ${w.failed}`);
        this.render();
      },
    );
    this.watched.set(spec, w);
    this.render();
  }

  async stop(spec: string): Promise<void> {
    const w = this.watched.get(spec);
    if (!w) return;
    this.watched.delete(spec);
    w.watch.stop();
    await w.done;
    this.render();
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.hosts.map((s) => this.stop(s)));
  }

  private onEvent(spec: string, e: WatchLine): void {
    const log = this.services.log;
    if (e.type === 'notice') {
      log.warn(e.message);
      return;
    }
    if (e.type === 'watching') {
      log.info(e.message);
      // Without the kernel log no kill can be told: say so once, not at every reconnect.
      if (e.severity !== 'info' && !this.notifications.some((n) => n.event.type === 'watching' && n.host === e.host)) this.notify(spec, e, []);
      return;
    }
    log[e.severity === 'info' ? 'info' : 'warn'](e.message);
    const diagnosable = e.type === 'oom-kill' || e.type === 'leak-suspect' || e.severity !== 'info';
    this.notify(spec, e, diagnosable ? [OPEN_DIAGNOSIS] : []);
  }

  private notify(spec: string, e: WatchLine, actions: string[]): void {
    const n: WatchNotification = { at: new Date().toISOString(), host: e.host, severity: e.severity, message: e.message, actions, event: e };
    this.notifications.push(n);
    if (this.notifications.length > 200) this.notifications.shift();
    const text = `OOM Lens: ${e.message}`;
    const shown =
      e.severity === 'critical'
        ? vscode.window.showErrorMessage(text, ...actions)
        : e.severity === 'warning'
          ? vscode.window.showWarningMessage(text, ...actions)
          : vscode.window.showInformationMessage(text, ...actions);
    void shown.then((a) => {
      if (a === OPEN_DIAGNOSIS) void vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: spec });
    });
    this.changed.fire(n);
    this.render();
  }

  /** One host's state in a word or two: "3 kills", "critical", "warning", "reconnecting", "ok". */
  stateOf(spec: string): string {
    const w = this.watched.get(spec);
    if (!w) return 'not watched';
    if (w.failed) return 'failed';
    const d = w.watch.detector;
    const st = w.watch.state;
    if (d.killCount > 0) return plural(d.killCount, 'kill');
    if (d.memoryState !== 'ok') return d.memoryState;
    if (d.cgroupsNearLimit.length) return 'warning';
    if (st.samples === 0) return st.connected ? 'starting' : 'connecting';
    return st.connected ? 'ok' : 'reconnecting';
  }

  private render(): void {
    if (this.watched.size === 0) {
      this.item.hide();
      return;
    }
    const parts = this.hosts.map((s) => `${this.watched.get(s)!.host.name}: ${this.stateOf(s)}`);
    const states = this.hosts.map((s) => this.stateOf(s));
    const bad = states.some((s) => /kill|critical|failed/.test(s));
    this.item.text = `$(eye) ${parts.join(' · ')}`;
    this.item.backgroundColor = bad
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : states.some((s) => s === 'warning' || s === 'reconnecting')
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
    const md = new vscode.MarkdownString(undefined, true);
    md.appendMarkdown('**OOM Lens is watching**\n\n');
    for (const s of this.hosts) {
      const w = this.watched.get(s)!;
      const st = w.watch.state;
      md.appendMarkdown(
        `- **${w.host.name}**: ${this.stateOf(s)}; every ${formatDuration(w.watch.intervalMs)}, last sample ${st.lastSampleAt ? formatTime(st.lastSampleAt) : 'none yet'}; kernel log: ${st.kernelLog ?? 'starting'}\n`,
      );
    }
    md.appendMarkdown('\nClick to stop watching.');
    this.item.tooltip = md;
    this.item.show();
  }

  dispose(): void {
    for (const w of this.watched.values()) w.watch.stop();
    this.watched.clear();
    this.item.dispose();
    this.changed.dispose();
  }
}

/** The spec the diagnose command takes for a host the picker returned ('local' or the SSH spec). */
function specOf(services: Services, host: Host): string {
  if (host.via === 'local') return 'local';
  for (const [key, h] of services.hosts) if (h === host) return (JSON.parse(key) as string[])[0];
  return host.name;
}

export function registerWatch(context: vscode.ExtensionContext, services: Services): WatchService {
  const watch = new WatchService(services);
  context.subscriptions.push(
    watch,
    // An argument { host: 'local' | 'user@host' | alias } skips the picker (keybindings, tests).
    vscode.commands.registerCommand(COMMANDS.watchHost.id, async (arg?: { host?: string }) => {
      const host =
        arg?.host === 'local'
          ? new LocalHost()
          : arg?.host
            ? sshHost(services, arg.host)
            : await pickHost(context, services, { title: 'OOM Lens: Watch Host', placeHolder: 'Which host should OOM Lens watch while this window is open?' });
      if (!host) return;
      watch.start(arg?.host ?? specOf(services, host), host);
    }),
    vscode.commands.registerCommand(COMMANDS.stopWatching.id, async (arg?: { host?: string }) => {
      if (arg?.host) return watch.stop(arg.host);
      const hosts = watch.hosts;
      if (hosts.length <= 1) return watch.stopAll();
      const items: (vscode.QuickPickItem & { spec?: string })[] = [
        { label: '$(close-all) All hosts' },
        ...hosts.map((spec) => ({ label: spec, description: watch.stateOf(spec), spec })),
      ];
      const picked = await vscode.window.showQuickPick(items, { title: 'OOM Lens: Stop Watching', placeHolder: 'Which watch should stop?' });
      if (!picked) return;
      return picked.spec ? watch.stop(picked.spec) : watch.stopAll();
    }),
  );
  return watch;
}
