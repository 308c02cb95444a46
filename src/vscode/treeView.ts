import * as vscode from 'vscode';
import type { Report } from '../core/model/report';
import { humanKb, percent } from '../core/report/format';
import { memoryPicture } from '../core/report/memoryPicture';
import { VIEWS } from './ids';
import { Services } from './services';
import { setting } from './settings';

/** One row of the OOM Lens tree: host -> memory / top processes / cgroups / warnings. */
export class Node extends vscode.TreeItem {
  constructor(label: string, readonly children: Node[] = [], opts: { description?: string; tooltip?: string; icon?: string; id?: string; contextValue?: string } = {}) {
    super(label, children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    this.description = opts.description;
    this.tooltip = opts.tooltip;
    if (opts.icon) this.iconPath = new vscode.ThemeIcon(opts.icon);
    this.id = opts.id;
    this.contextValue = opts.contextValue;
  }
}

export function reportNodes(r: Report, top: number): Node[] {
  const mp = memoryPicture(r.memory);
  const memory = new Node('Memory', [
    new Node('Total', [], { description: humanKb(mp.totalKb), id: 'mem.total' }),
    new Node('Used', [], { description: `${humanKb(mp.usedKb)} (${percent(mp.usedKb, mp.totalKb)})`, id: 'mem.used' }),
    new Node('Available', [], { description: `${humanKb(mp.availableKb)} (${percent(mp.availableKb, mp.totalKb)})`, id: 'mem.available' }),
    new Node('Buff/cache', [], { description: humanKb(mp.buffCacheKb), id: 'mem.cache' }),
    new Node('Swap', [], { description: mp.swapTotalKb ? `${humanKb(mp.swapUsedKb)} of ${humanKb(mp.swapTotalKb)}` : 'none', id: 'mem.swap' }),
  ], { icon: 'dashboard', id: 'mem', description: `${percent(mp.availableKb, mp.totalKb)} available` });
  const procs = r.processes.filter((p) => p.rssKb != null).slice(0, top).map((p) => new Node(`${p.comm} (${p.pid})`, [], {
    description: `RSS ${humanKb(p.rssKb)} · oom_score ${p.oomScore ?? '-'} · adj ${p.oomScoreAdj ?? '-'}`,
    tooltip: `${p.cmdline ?? p.comm}\nuser ${p.user ?? '-'} · PSS ${humanKb(p.pssKb)} · USS ${humanKb(p.ussKb)} · swap ${humanKb(p.swapKb)}\ncgroup ${p.cgroup ?? '-'}`,
    icon: 'symbol-event', id: `proc.${p.pid}`, contextValue: 'process',
  }));
  const nodes = [memory, new Node('Top processes by RSS', procs, { icon: 'list-ordered', id: 'procs' })];
  const limited = r.cgroups.filter((c) => c.limitKb != null);
  if (limited.length) {
    nodes.push(new Node('Memory cgroups', limited.map((c) => new Node(c.path, [], {
      description: `${humanKb(c.usageKb)} of ${humanKb(c.limitKb)}${c.oomKills ? ` · ${c.oomKills} OOM kills` : ''}`, icon: 'package', id: `cg.${c.path}`,
    })), { icon: 'server-process', id: 'cgroups' }));
  }
  if (r.warnings.length) {
    nodes.push(new Node('Warnings', r.warnings.map((w, i) => new Node(w, [], { icon: 'warning', id: `warn.${i}`, tooltip: w })), { icon: 'warning', id: 'warnings' }));
  }
  return nodes;
}

export class HostsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  constructor(private readonly services: Services) {}
  refresh(): void { this.changed.fire(); }
  getTreeItem(n: Node): Node { return n; }
  getChildren(n?: Node): Node[] {
    if (n) return n.children;
    const d = this.services.diagnosis;
    if (!d) return []; // the view's welcome content offers "Diagnose OOM on Host…"
    const host = new Node(d.report.host.name, reportNodes(d.report, setting('oomLens.topProcesses')), {
      description: `${d.report.host.via} · ${new Date(d.report.takenAt).toLocaleTimeString()}`, icon: 'vm', id: 'host', contextValue: 'host',
    });
    return [host];
  }
  dispose(): void { this.changed.dispose(); }
}

export function registerTreeView(context: vscode.ExtensionContext, services: Services): HostsTree {
  const tree = new HostsTree(services);
  const view = vscode.window.createTreeView(VIEWS.hosts, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view, services.onDidChangeDiagnosis(() => tree.refresh()));
  return tree;
}
