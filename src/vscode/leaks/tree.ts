// The "Leak Reports" view: report -> sites -> frames (click a frame to open the file at its line);
// comparisons -> fixed / new / grown -> sites.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { INTERNAL_COMMANDS } from '../ids';
import type { LeakSite } from '../../core/model/leakReport';
import { siteSummary, frameText, leakedBytes } from '../../core/tools/render';
import { formatBytes, plural } from '../../core/format';
import { firstUserFrame } from '../../core/parse/leaks';
import type { ComparisonEntry, LeakEntry, LeakStore, ResolvedFrame, ResolvedSite, StoreEntry } from './store';
import { siteMarkdown, toolName, severityOf } from './beside';
import { clock } from '../clock';

export const OPEN_FRAME_COMMAND = INTERNAL_COMMANDS.openLeakFrame;

export class LeakNode extends vscode.TreeItem {
  constructor(
    label: string,
    readonly kind: 'report' | 'site' | 'frame' | 'group' | 'info',
    readonly parent: LeakNode | null,
    readonly makeChildren: () => LeakNode[] = () => [],
    collapsible = vscode.TreeItemCollapsibleState.None,
  ) {
    super(label, collapsible);
  }
  private cached: LeakNode[] | null = null;
  children(): LeakNode[] {
    return (this.cached ??= this.makeChildren());
  }
}

function siteIcon(site: LeakSite): vscode.ThemeIcon {
  const sev = severityOf(site.kind);
  if (sev === vscode.DiagnosticSeverity.Error) return new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground'));
  if (sev === vscode.DiagnosticSeverity.Warning) return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  return new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground'));
}

function openCommand(f: ResolvedFrame): vscode.Command | undefined {
  if (!f.localPath) return undefined;
  return { title: 'Open', command: OPEN_FRAME_COMMAND, arguments: [f.localPath, f.frame.line ?? 1, f.frame.column ?? null] };
}

function frameNode(f: ResolvedFrame, parent: LeakNode, id: string, isUser: boolean): LeakNode {
  const n = new LeakNode(f.frame.function ?? (f.frame.file ? path.basename(f.frame.file) : '???'), 'frame', parent);
  n.id = id;
  n.description = f.frame.file
    ? `${path.basename(f.frame.file)}${f.frame.line !== null ? `:${f.frame.line}` : ''}`
    : f.frame.object
      ? path.basename(f.frame.object)
      : '';
  n.tooltip = `${frameText(f.frame)}${f.localPath && f.localPath !== f.frame.file ? `\n→ ${f.localPath}` : ''}${f.frame.object ? `\nin ${f.frame.object}` : ''}`;
  n.iconPath = new vscode.ThemeIcon(isUser ? 'arrow-right' : f.localPath ? 'symbol-function' : 'circle-small');
  n.command = openCommand(f);
  n.contextValue = 'leakFrame';
  return n;
}

function siteNode(entry: LeakEntry, rs: ResolvedSite, parent: LeakNode): LeakNode {
  const n: LeakNode = new LeakNode(
    siteSummary(rs.site, entry.report.tool),
    'site',
    parent,
    (): LeakNode[] => rs.frames.map((f, i) => frameNode(f, n, `${entry.id}.s${rs.index}.f${i}`, f === rs.user)),
    rs.frames.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  n.id = `${entry.id}.s${rs.index}`;
  const u = rs.user?.frame;
  n.description = u ? `${u.function ?? ''} ${u.file ? path.basename(u.file) : ''}${u.line !== null ? `:${u.line}` : ''}`.trim() : (rs.site.label ?? '');
  n.tooltip = siteMarkdown(entry, rs);
  n.iconPath = siteIcon(rs.site);
  if (rs.user) n.command = openCommand(rs.user);
  n.contextValue = 'leakSite';
  return n;
}

function plainSiteNode(site: LeakSite, entry: LeakEntry, parent: LeakNode, id: string, prefix = ''): LeakNode {
  const n = new LeakNode(`${prefix}${siteSummary(site, entry.report.tool)}`, 'site', parent);
  n.id = id;
  const u = firstUserFrame(site) ?? site.frames[0];
  n.description = u ? `${u.function ?? ''} ${u.file ? path.basename(u.file) : ''}${u.line !== null ? `:${u.line}` : ''}`.trim() : (site.label ?? '');
  n.iconPath = siteIcon(site);
  const local = u ? entry.sites.find((rs) => rs.user?.frame.file === u.file && rs.user?.frame.line === u.line)?.user : undefined;
  if (local) n.command = openCommand(local);
  return n;
}

function reportNode(entry: LeakEntry): LeakNode {
  const n: LeakNode = new LeakNode(
    entry.title,
    'report',
    null,
    () => {
      const kids = entry.sites.map((rs) => siteNode(entry, rs, n));
      if (entry.report.sites.length > entry.sites.length) {
        const more = new LeakNode(`… ${entry.report.sites.length - entry.sites.length} smaller sites not shown`, 'info', n);
        more.id = `${entry.id}.more`;
        kids.push(more);
      }
      for (const [i, w] of entry.report.warnings.slice(0, 5).entries()) {
        const wn = new LeakNode(w, 'info', n);
        wn.id = `${entry.id}.w${i}`;
        wn.iconPath = new vscode.ThemeIcon('warning');
        kids.push(wn);
      }
      if (kids.length === 0) {
        const none = new LeakNode('no leak sites', 'info', n);
        none.id = `${entry.id}.none`;
        kids.push(none);
      }
      return kids;
    },
    vscode.TreeItemCollapsibleState.Expanded,
  );
  n.id = entry.id;
  const total = leakedBytes(entry.report);
  n.description = `${toolName(entry)} · ${plural(entry.report.sites.length, 'site')} · ${formatBytes(total)} · ${entry.host} · ${clock(entry.createdAt.getTime())}`;
  n.tooltip = [entry.title, toolName(entry), entry.commandLine ? `$ ${entry.commandLine}` : (entry.report.command ?? ''), entry.path ?? '']
    .filter(Boolean)
    .join('\n');
  n.iconPath = new vscode.ThemeIcon('beaker');
  n.contextValue = 'leakReport';
  return n;
}

function comparisonNode(e: ComparisonEntry): LeakNode {
  const c = e.comparison;
  const n: LeakNode = new LeakNode(
    `Compare: ${e.title}`,
    'report',
    null,
    () => {
      const group = (label: string, key: string, icon: string, sites: LeakSite[], prefix = '', extra: string[] = []) => {
        const g: LeakNode = new LeakNode(
          `${label} (${sites.length})`,
          'group',
          n,
          () =>
            sites.slice(0, 200).map((s, i) => {
              const sn = plainSiteNode(s, e.after, g, `${e.id}.${key}${i}`, prefix);
              if (extra[i]) sn.description = `${extra[i]} · ${sn.description}`;
              return sn;
            }),
          sites.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
        );
        g.id = `${e.id}.${key}`;
        g.iconPath = new vscode.ThemeIcon(icon);
        return g;
      };
      return [
        group('Fixed', 'fixed', 'pass', c.fixed),
        group('New', 'new', 'diff-added', c.added),
        group(
          'Grown',
          'grown',
          'arrow-up',
          c.grown.map((g) => g.after),
          '',
          c.grown.map((g) => `was ${formatBytes(g.before.bytes)}`),
        ),
        group(
          'Shrunk',
          'shrunk',
          'arrow-down',
          c.shrunk.map((g) => g.after),
          '',
          c.shrunk.map((g) => `was ${formatBytes(g.before.bytes)}`),
        ),
      ];
    },
    vscode.TreeItemCollapsibleState.Expanded,
  );
  n.id = e.id;
  n.description = `fixed ${c.fixed.length} · new ${c.added.length} · grown ${c.grown.length}`;
  n.iconPath = new vscode.ThemeIcon('diff');
  n.contextValue = 'leakComparison';
  return n;
}

export class LeakTree implements vscode.TreeDataProvider<LeakNode> {
  private readonly changed = new vscode.EventEmitter<LeakNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: LeakNode[] = [];
  private readonly byEntry = new Map<string, LeakNode>();

  constructor(private readonly store: LeakStore) {
    this.rebuild();
  }

  rebuild(): void {
    this.byEntry.clear();
    this.roots = [...this.store.entries].reverse().map((e: StoreEntry) => {
      const n = e.kind === 'report' ? reportNode(e) : comparisonNode(e);
      this.byEntry.set(e.id, n);
      return n;
    });
    this.changed.fire(undefined);
  }

  getTreeItem(n: LeakNode): vscode.TreeItem {
    return n;
  }
  getChildren(n?: LeakNode): LeakNode[] {
    return n ? n.children() : this.roots;
  }
  getParent(n: LeakNode): LeakNode | null {
    return n.parent;
  }

  /** The node of a site (for reveal). */
  siteNode(entryId: string, index: number): LeakNode | undefined {
    return this.byEntry
      .get(entryId)
      ?.children()
      .find((c) => c.id === `${entryId}.s${index}`);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
