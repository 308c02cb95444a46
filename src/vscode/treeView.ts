import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Report } from '../core/model/report';
import { humanKb, percent } from '../core/report/format';
import { memoryPicture } from '../core/report/memoryPicture';
import { VIEWS } from './ids';
import { Node } from './treeNode';
import { eventsSection } from './eventNodes';
import { Services } from './services';
import { setting } from './settings';

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
  const nodes = [memory, eventsSection(r.events, 'host'), new Node('Top processes by RSS', procs, { icon: 'list-ordered', id: 'procs' })];
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
    const logs = this.services.openedLogs.map((l, i) => new Node(basename(l.path), [
      eventsSection(l.result.events, `log${i}`, 'OOM events'),
      ...(l.result.warnings.length ? [new Node(`Warnings (${l.result.warnings.length})`, l.result.warnings.slice(0, 100).map((w, j) => new Node(w, [], { icon: 'warning', id: `log${i}.warn.${j}`, tooltip: w })), { icon: 'warning', id: `log${i}.warnings` })] : []),
    ], { icon: 'file', id: `log${i}`, description: l.path, tooltip: l.path, contextValue: 'openedLog' }));
    if (!d) return logs; // empty: the view's welcome content offers "Diagnose OOM on Host…"
    const host = new Node(d.report.host.name, reportNodes(d.report, setting('oomLens.topProcesses')), {
      description: `${d.report.host.via} · ${new Date(d.report.takenAt).toLocaleTimeString()}`, icon: 'vm', id: 'host', contextValue: 'host',
    });
    return [host, ...logs];
  }
  dispose(): void { this.changed.dispose(); }
}

export function registerTreeView(context: vscode.ExtensionContext, services: Services): HostsTree {
  const tree = new HostsTree(services);
  const view = vscode.window.createTreeView(VIEWS.hosts, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(tree, view, services.onDidChangeDiagnosis(() => tree.refresh()), services.onDidOpenLog(() => tree.refresh()));
  return tree;
}
