// The "Fleet" view: hosts ranked worst first (instance, its worst signal, a severity icon; its
// signals under it), then Pods, Findings (the hidden kill) and Sources (what was absent). A failed
// read is one clear row, not an empty view.
import * as vscode from 'vscode';
import type { FleetHost, FleetPod, FleetSignal } from '../../core/model/fleet';
import type { Severity } from '../../core/model/report';
import { formatDuration, plural } from '../../core/format';
import { COMMANDS } from '../ids';
import type { FleetService, FleetState } from './service';

const SEV_ICON: Record<Severity, vscode.ThemeIcon> = {
  critical: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
  warning: new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground')),
  info: new vscode.ThemeIcon('info'),
};
/** Hosts listed one by one; the fine ones after them are one collapsed group. */
const MAX_FINE = 200;

export class FleetItem extends vscode.TreeItem {
  constructor(
    label: string,
    readonly kids: FleetItem[] = [],
    o: {
      description?: string;
      tooltip?: string;
      icon?: vscode.ThemeIcon;
      id?: string;
      contextValue?: string;
      expanded?: boolean;
      command?: vscode.Command;
    } = {},
  ) {
    super(
      label,
      kids.length ? (o.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None,
    );
    Object.assign(this, { description: o.description, tooltip: o.tooltip, iconPath: o.icon, id: o.id, contextValue: o.contextValue, command: o.command });
  }
  /** The host's instance, for commands run from its row. */
  instance?: string;
}

function signalItem(s: FleetSignal, id: string): FleetItem {
  return new FleetItem(s.text, [], { description: s.severity, icon: SEV_ICON[s.severity], id, tooltip: `${s.id}: ${s.text}` });
}

export function hostItem(h: FleetHost): FleetItem {
  const item = new FleetItem(
    h.instance,
    h.signals.map((s, i) => signalItem(s, `fleet.host.${h.instance}.${i}`)),
    {
      description: h.error ? `unreadable: ${h.error}` : (h.worst?.text ?? 'fine'),
      icon: h.error ? new vscode.ThemeIcon('debug-disconnect') : h.worst ? SEV_ICON[h.worst.severity] : new vscode.ThemeIcon('pass'),
      id: `fleet.host.${h.instance}`,
      contextValue: h.sshHost ? 'fleet.host.ssh' : 'fleet.host',
      tooltip: [
        h.instance,
        h.nodename ? `node ${h.nodename}` : null,
        h.sshHost ? `Diagnose over SSH: ${h.sshHost}` : 'no SSH host known (oomLens.fleet.sshMapping)',
        ...h.signals.map((s) => `${s.severity}: ${s.text}`),
        'Click: its timeline in the panel',
      ]
        .filter(Boolean)
        .join('\n'),
      command: { command: COMMANDS.fleetOpenHost.id, title: COMMANDS.fleetOpenHost.title, arguments: [{ instance: h.instance }] },
    },
  );
  item.instance = h.instance;
  return item;
}

function podItem(p: FleetPod): FleetItem {
  const name = `${p.namespace}/${p.pod}/${p.container}`;
  return new FleetItem(
    name,
    p.signals.map((s, i) => signalItem(s, `fleet.pod.${name}.${i}`)),
    {
      description: p.worst?.text ?? 'fine',
      icon: p.worst ? SEV_ICON[p.worst.severity] : new vscode.ThemeIcon('pass'),
      id: `fleet.pod.${name}`,
      tooltip: [name, p.node ? `node ${p.node}` : null, p.instance ? `instance ${p.instance}` : null].filter(Boolean).join('\n'),
    },
  );
}

export function fleetItems(state: FleetState): FleetItem[] {
  switch (state.kind) {
    case 'unset':
      return [];
    case 'loading':
      return [new FleetItem(`Reading the fleet from ${state.url}…`, [], { icon: new vscode.ThemeIcon('loading~spin'), id: 'fleet.loading' })];
    case 'error': {
      const rows = [
        new FleetItem(state.message, [], {
          icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground')),
          id: 'fleet.error',
          contextValue: 'fleet.error',
          tooltip: state.message,
        }),
        new FleetItem('Retry', [], {
          icon: new vscode.ThemeIcon('refresh'),
          id: 'fleet.retry',
          command: { command: COMMANDS.fleetRefresh.id, title: 'Retry' },
        }),
      ];
      if (state.auth)
        rows.push(
          new FleetItem(COMMANDS.fleetSetCredentials.title, [], {
            icon: new vscode.ThemeIcon('key'),
            id: 'fleet.credentials',
            command: { command: COMMANDS.fleetSetCredentials.id, title: COMMANDS.fleetSetCredentials.title },
          }),
        );
      return rows;
    }
    case 'ok': {
      const r = state.report;
      const bad = r.hosts.filter((h) => h.worst || h.error);
      const fine = r.hosts.filter((h) => !h.worst && !h.error);
      const out: FleetItem[] = [];
      if (r.findings.length)
        out.push(
          new FleetItem(
            `Findings (${r.findings.length})`,
            r.findings.map(
              (f) => new FleetItem(f.title, [], { icon: SEV_ICON[f.severity], id: `fleet.finding.${f.key ?? f.id}`, tooltip: `${f.title}\n\n${f.detail}` }),
            ),
            { icon: new vscode.ThemeIcon('checklist'), id: 'fleet.findings', expanded: true },
          ),
        );
      out.push(...bad.map(hostItem));
      if (!r.hosts.length)
        out.push(new FleetItem('No hosts: Prometheus has no node_exporter series', [], { icon: new vscode.ThemeIcon('info'), id: 'fleet.nohosts' }));
      if (fine.length)
        out.push(
          new FleetItem(`${plural(fine.length, 'host')} without a signal`, fine.slice(0, MAX_FINE).map(hostItem), {
            icon: new vscode.ThemeIcon('pass'),
            id: 'fleet.fine',
            description: fine.length > MAX_FINE ? `first ${MAX_FINE} listed` : undefined,
          }),
        );
      out.push(
        new FleetItem(`Pods (${r.pods.length})`, r.pods.map(podItem), {
          icon: new vscode.ThemeIcon('package'),
          id: 'fleet.pods',
          description: r.pods.length ? (r.pods[0].worst?.text ?? '') : 'none with a memory signal',
        }),
        new FleetItem(
          'Sources',
          r.sources.map(
            (s) =>
              new FleetItem(s.name, [], {
                description: s.detail,
                icon: new vscode.ThemeIcon(s.ok ? 'pass' : 'circle-slash'),
                id: `fleet.source.${s.name}`,
                tooltip: `${s.name}: ${s.detail}`,
              }),
          ),
          {
            icon: new vscode.ThemeIcon('database'),
            id: 'fleet.sources',
            description: `${formatDuration(r.windowMs)} to ${r.takenAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}${
              r.sources.some((s) => !s.ok)
                ? ` · absent: ${r.sources
                    .filter((s) => !s.ok)
                    .map((s) => s.name)
                    .join(', ')}`
                : ''
            }`,
          },
        ),
      );
      return out;
    }
  }
}

export class FleetTree implements vscode.TreeDataProvider<FleetItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<FleetItem | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly sub: vscode.Disposable;
  private asked = false;

  constructor(private readonly fleet: FleetService) {
    this.sub = fleet.onDidChange(() => this.emitter.fire(undefined));
  }

  getTreeItem(e: FleetItem): vscode.TreeItem {
    return e;
  }

  getChildren(e?: FleetItem): FleetItem[] {
    if (e) return e.kids;
    // The first look at the view reads the fleet (nothing is asked of Prometheus before that).
    if (!this.asked && this.fleet.state.kind === 'unset') {
      this.asked = true;
      void this.fleet.refresh();
    }
    return fleetItems(this.fleet.state);
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
