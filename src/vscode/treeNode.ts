import * as vscode from 'vscode';

/** One row of the OOM Lens tree: host -> memory / top processes / cgroups / warnings. */
export class Node extends vscode.TreeItem {
  constructor(
    label: string,
    readonly children: Node[] = [],
    opts: { description?: string; tooltip?: string | vscode.MarkdownString; icon?: string; id?: string; contextValue?: string } = {},
  ) {
    super(label, children.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    this.description = opts.description;
    this.tooltip = opts.tooltip;
    if (opts.icon) this.iconPath = new vscode.ThemeIcon(opts.icon);
    this.id = opts.id;
    this.contextValue = opts.contextValue;
  }
}
