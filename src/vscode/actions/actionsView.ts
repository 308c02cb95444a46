import * as vscode from 'vscode';
import type { AuditEntry } from '../../core/act/runner';
import type { AuditLog } from '../../core/act/auditLog';
import { clock } from '../clock';

/** "OOM Lens: Actions Log": what was changed on the diagnosed host, newest first, with Undo. */
export class ActionsTree implements vscode.TreeDataProvider<AuditEntry> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly log: AuditLog,
    private readonly hostName: () => string | null,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(e?: AuditEntry): AuditEntry[] {
    const host = this.hostName();
    if (e || !host) return [];
    return this.log.entries(host).entries.reverse();
  }

  getTreeItem(e: AuditEntry): vscode.TreeItem {
    const item = new vscode.TreeItem(e.title, vscode.TreeItemCollapsibleState.None);
    item.id = `action.${e.id}`;
    item.description = `${e.ok ? '' : 'FAILED · '}${clock(e.time)} · ${e.host}${e.undoOf ? ' · undo' : ''}`;
    item.tooltip = new vscode.MarkdownString(
      [
        `**${e.title}** on ${e.host} as ${e.user} — ${e.ok ? 'done' : `failed: ${e.error ?? ''}`}`,
        '',
        '```sh',
        ...e.commands,
        '```',
        e.before ? `Before: \`${e.before.split('\n')[0]}\`` : '',
        e.after ? `After: \`${e.after.split('\n')[0]}\`` : '',
        e.undo ? `Undo: \`${e.undo.join(' ; ')}\`` : 'No undo.',
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
    item.iconPath = new vscode.ThemeIcon(e.ok ? (e.undoOf ? 'discard' : 'check') : 'error');
    item.contextValue = e.undoSteps && e.ok && !e.undoOf ? 'action.undoable' : 'action';
    return item;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
