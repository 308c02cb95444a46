import * as vscode from 'vscode';
import { basename } from 'node:path';
import type { Report } from '../core/model/report';
import { formatKb, formatPercent } from '../core/format';
import { memoryPicture } from '../core/report/memoryPicture';
import { VIEWS } from './ids';
import { clock } from './clock';
import { plural } from '../core/format';
import { Node } from './treeNode';
import { eventsSection } from './eventNodes';
import { Services } from './services';
import { setting } from './settings';

/** The pid of a process row of this view (its id is "proc.PID"), for commands run from its context menu. */
export function pidOfProcessNode(x: unknown): number | null {
  const id = (x as { id?: unknown })?.id;
  const m = typeof id === 'string' ? /^proc\.(\d+)$/.exec(id) : null;
  return m ? Number(m[1]) : null;
}

export function reportNodes(r: Report, top: number): Node[] {
  const mp = memoryPicture(r.memory);
  const memory = new Node(
    'Memory',
    [
      new Node('Total', [], { description: formatKb(mp.totalKb), id: 'mem.total' }),
      new Node('Used', [], { description: `${formatKb(mp.usedKb)} (${formatPercent(mp.usedKb, mp.totalKb)})`, id: 'mem.used' }),
      new Node('Available', [], { description: `${formatKb(mp.availableKb)} (${formatPercent(mp.availableKb, mp.totalKb)})`, id: 'mem.available' }),
      new Node('Buff/cache', [], { description: formatKb(mp.buffCacheKb), id: 'mem.cache' }),
      new Node('Swap', [], { description: mp.swapTotalKb ? `${formatKb(mp.swapUsedKb)} of ${formatKb(mp.swapTotalKb)}` : 'none', id: 'mem.swap' }),
    ],
    { icon: 'dashboard', id: 'mem', description: `${formatPercent(mp.availableKb, mp.totalKb)} available` },
  );
  const growthOf = new Map(r.growth.map((g) => [g.pid, g]));
  const tooNew = new Set(r.live?.tooNew ?? []);
  const trend = (pid: number) => {
    const g = growthOf.get(pid);
    if (g) return g.verdict === 'steady' ? '' : ` · ${g.verdict} ${g.slopeKbPerMin >= 0 ? '+' : '−'}${formatKb(Math.abs(Math.round(g.slopeKbPerMin)))}/min`;
    return tooNew.has(pid) ? ' · too new' : '';
  };
  const procs = r.processes
    .filter((p) => p.rssKb != null)
    .slice(0, top)
    .map(
      (p) =>
        new Node(`${p.comm} (${p.pid})`, [], {
          description: `RSS ${formatKb(p.rssKb)}${trend(p.pid)} · oom_score ${p.oomScore ?? '-'} · adj ${p.oomScoreAdj ?? '-'}`,
          tooltip: `${p.cmdline ?? p.comm}\nuser ${p.user ?? '-'} · PSS ${formatKb(p.pssKb)} · USS ${formatKb(p.ussKb)} · swap ${formatKb(p.swapKb)}\ncgroup ${p.cgroup ?? '-'}`,
          icon: 'symbol-event',
          id: `proc.${p.pid}`,
          contextValue: 'process',
        }),
    );
  const sevIcon = { critical: 'error', warning: 'warning', info: 'info' } as const;
  const findings = new Node(
    `Findings (${r.findings.length})`,
    r.findings.map(
      (f) =>
        new Node(f.title, [], {
          description: f.severity,
          tooltip: `${f.title}\n\n${f.detail}`,
          icon: sevIcon[f.severity],
          id: `finding.${f.key ?? f.id}`,
        }),
    ),
    { icon: 'checklist', id: 'findings' },
  );
  const nodes = [findings, memory, eventsSection(r.events, 'host'), new Node('Top processes by RSS', procs, { icon: 'list-ordered', id: 'procs' })];
  if (r.exited?.length) {
    nodes.push(
      new Node(
        `Exited while sampled (${r.exited.length})`,
        r.exited.slice(0, top).map(
          (p) =>
            new Node(`${p.comm} (${p.pid})`, [], {
              description: `gone ${clock(p.goneAt)} · last RSS ${formatKb(p.rssKb)} · max ${formatKb(p.maxRssKb)}`,
              icon: 'circle-slash',
              id: `gone.${p.pid}.${p.start ?? ''}`,
            }),
        ),
        { icon: 'history', id: 'exited' },
      ),
    );
  }
  const limited = r.cgroups.filter((c) => c.limitKb != null);
  if (limited.length) {
    nodes.push(
      new Node(
        'Memory cgroups',
        limited.map(
          (c) =>
            new Node(c.path, [], {
              description: `${formatKb(c.usageKb)} of ${formatKb(c.limitKb)}${c.oomKills ? ` · ${c.oomKills} OOM kills` : ''}`,
              icon: 'package',
              id: `cg.${c.path}`,
            }),
        ),
        { icon: 'server-process', id: 'cgroups' },
      ),
    );
  }
  if (r.warnings.length) {
    nodes.push(
      new Node(
        'Warnings',
        r.warnings.map((w, i) => new Node(w, [], { icon: 'warning', id: `warn.${i}`, tooltip: w })),
        { icon: 'warning', id: 'warnings' },
      ),
    );
  }
  return nodes;
}

export class HostsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  constructor(private readonly services: Services) {}
  refresh(): void {
    this.changed.fire();
  }
  getTreeItem(n: Node): Node {
    return n;
  }
  getChildren(n?: Node): Node[] {
    if (n) return n.children;
    const d = this.services.diagnosis;
    const logs = this.services.openedLogs.map(
      (l, i) =>
        new Node(
          basename(l.path),
          [
            eventsSection(l.result.events, `log${i}`, 'OOM events'),
            ...(l.result.warnings.length
              ? [
                  new Node(
                    `Warnings (${l.result.warnings.length})`,
                    l.result.warnings.slice(0, 100).map((w, j) => new Node(w, [], { icon: 'warning', id: `log${i}.warn.${j}`, tooltip: w })),
                    { icon: 'warning', id: `log${i}.warnings` },
                  ),
                ]
              : []),
          ],
          { icon: 'file', id: `log${i}`, description: l.path, tooltip: l.path, contextValue: 'openedLog' },
        ),
    );
    if (!d) return logs; // empty: the view's welcome content offers "Diagnose OOM on Host…"
    const host = new Node(d.report.host.name, reportNodes(d.report, setting('oomLens.topProcesses')), {
      description: `${d.report.host.via} · ${d.report.live ? `${d.report.live.state === 'sampling' ? 'sampling' : 'sampling stopped'}, ${plural(d.report.live.samples, 'sample')}` : clock(d.report.takenAt)}`,
      icon: 'vm',
      id: 'host',
      contextValue: 'host',
    });
    return [host, ...logs];
  }
  dispose(): void {
    this.changed.dispose();
  }
}

export function registerTreeView(context: vscode.ExtensionContext, services: Services): HostsTree {
  const tree = new HostsTree(services);
  const view = vscode.window.createTreeView(VIEWS.hosts, { treeDataProvider: tree, showCollapseAll: true });
  // Live updates come every sample; the tree follows them at most every 2 s (ids keep what is expanded).
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  const liveRefresh = () => {
    const wait = 2000 - (Date.now() - last);
    if (wait <= 0) {
      last = Date.now();
      tree.refresh();
      return;
    }
    timer ??= setTimeout(() => {
      timer = undefined;
      last = Date.now();
      tree.refresh();
    }, wait);
  };
  context.subscriptions.push(
    tree,
    view,
    services.onDidChangeDiagnosis(() => tree.refresh()),
    services.onDidOpenLog(() => tree.refresh()),
    services.onDidUpdateLive(liveRefresh),
    { dispose: () => clearTimeout(timer) },
  );
  return tree;
}
