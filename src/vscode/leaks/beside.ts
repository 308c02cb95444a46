// Leak sites beside the code: a diagnostic at the first frame in the user's own code, a hover with
// the whole stack, a CodeLens with the size ("8 KiB definitely lost in 2 blocks").
import * as vscode from 'vscode';
import { INTERNAL_COMMANDS } from '../ids';
import type { LeakKind } from '../../core/model/leakReport';
import { siteSummary, frameText } from '../../core/tools/render';
import { setting } from '../settings';
import type { LeakEntry, LeakStore, ResolvedSite } from './store';
import { clock } from '../clock';

export const DIAGNOSTIC_SOURCE = 'OOM Lens';
export const REVEAL_SITE_COMMAND = INTERNAL_COMMANDS.revealLeakSite;

export function severityOf(kind: LeakKind): vscode.DiagnosticSeverity {
  switch (kind) {
    case 'definitely lost':
      return vscode.DiagnosticSeverity.Error;
    case 'possibly lost':
    case 'indirectly lost':
      return vscode.DiagnosticSeverity.Warning;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

/** The CodeLens icon follows the diagnostic's severity: a definite leak is an error. */
function codeLensIcon(kind: LeakKind): string {
  const sev = severityOf(kind);
  return sev === vscode.DiagnosticSeverity.Error ? 'error' : sev === vscode.DiagnosticSeverity.Warning ? 'warning' : 'info';
}

const TOOL_NAMES: Record<string, string> = {
  'valgrind-memcheck': 'valgrind memcheck',
  'valgrind-massif': 'valgrind massif',
  tracemalloc: 'tracemalloc',
  'node-heap-profile': 'Node heap profile',
  'node-heap-snapshot': 'Node heap snapshots',
  'java-histogram': 'Java class histogram',
  memray: 'memray',
  heaptrack: 'heaptrack',
  lsan: 'LeakSanitizer',
  'go-pprof': 'Go pprof',
  'memory-profiler': 'memory_profiler',
};
export function toolName(entry: LeakEntry): string {
  return TOOL_NAMES[entry.report.tool ?? ''] ?? entry.report.tool ?? 'leak report';
}

/** The newest report per (tool, command, title): older runs of the same program stay in the tree only. */
export function visibleEntries(store: LeakStore): LeakEntry[] {
  const seen = new Set<string>();
  const out: LeakEntry[] = [];
  for (const e of [...store.reports].reverse()) {
    const key = `${e.report.tool}|${e.report.command ?? e.path}|${e.title}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out.reverse();
}

function lineRange(line: number): vscode.Range {
  const l = Math.max(0, line - 1);
  return new vscode.Range(l, 0, l, 1000);
}

function fileLink(path: string, line: number | null): string {
  return vscode.Uri.file(path)
    .with({ fragment: line !== null ? `L${line}` : '' })
    .toString();
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

/** The hover / tooltip markdown: what leaked, then the whole stack with links to local files. */
export function siteMarkdown(entry: LeakEntry, rs: ResolvedSite): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.supportHtml = false;
  md.appendMarkdown(`**OOM Lens: ${escapeMd(siteSummary(rs.site, entry.report.tool))}**\n\n`);
  md.appendMarkdown(`${escapeMd(toolName(entry))} · ${escapeMd(entry.title)} · ${escapeMd(entry.host)} · ${clock(entry.createdAt.getTime())}\n\n`);
  const frames = rs.frames.slice(0, 40);
  for (const f of frames) {
    const mark = f === rs.user ? '→ ' : '';
    const text = escapeMd(frameText(f.frame));
    md.appendMarkdown(`- ${mark}${f.localPath ? `[${text}](${fileLink(f.localPath, f.frame.line)})` : text}\n`);
  }
  if (rs.frames.length > frames.length) md.appendMarkdown(`- … ${rs.frames.length - frames.length} more frames\n`);
  if (rs.frames.length === 0 && rs.site.label) md.appendMarkdown(`\`${escapeMd(rs.site.label)}\`\n`);
  return md;
}

export class LeakDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('oomLens.leaks');
  constructor(private readonly store: LeakStore) {}

  refresh(): void {
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const entry of visibleEntries(this.store)) {
      for (const rs of entry.sites) {
        const u = rs.user;
        if (!u?.localPath || u.frame.line === null) continue;
        const d = new vscode.Diagnostic(lineRange(u.frame.line), `${siteSummary(rs.site, entry.report.tool)} (${toolName(entry)})`, severityOf(rs.site.kind));
        d.source = DIAGNOSTIC_SOURCE;
        d.code = rs.site.kind;
        const related = rs.frames
          .filter((f) => f !== u && f.localPath && f.frame.line !== null)
          .slice(0, 10)
          .map(
            (f) =>
              new vscode.DiagnosticRelatedInformation(
                new vscode.Location(vscode.Uri.file(f.localPath!), lineRange(f.frame.line!)),
                `called from ${f.frame.function ?? '?'}`,
              ),
          );
        if (related.length) d.relatedInformation = related;
        const list = byFile.get(u.localPath) ?? [];
        list.push(d);
        byFile.set(u.localPath, list);
      }
    }
    this.collection.clear();
    for (const [file, diags] of byFile) this.collection.set(vscode.Uri.file(file), diags);
  }

  dispose(): void {
    this.collection.dispose();
  }
}

export class LeakHoverProvider implements vscode.HoverProvider {
  constructor(private readonly store: LeakStore) {}
  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    if (doc.uri.scheme !== 'file') return undefined;
    const here = visibleEntries(this.store).flatMap((entry) =>
      entry.sites.filter((rs) => rs.user?.localPath === doc.uri.fsPath && rs.user.frame.line === pos.line + 1).map((rs) => ({ entry, rs })),
    );
    if (here.length === 0) return undefined;
    return new vscode.Hover(
      here.slice(0, 5).map(({ entry, rs }) => siteMarkdown(entry, rs)),
      doc.lineAt(pos.line).range,
    );
  }
}

export class LeakCodeLensProvider implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  constructor(private readonly store: LeakStore) {}
  refresh(): void {
    this.changed.fire();
  }
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file' || !setting('oomLens.leaks.codeLens')) return [];
    const lenses: vscode.CodeLens[] = [];
    for (const entry of visibleEntries(this.store)) {
      for (const rs of entry.sites) {
        const u = rs.user;
        if (u?.localPath !== doc.uri.fsPath || u.frame.line === null || u.frame.line > doc.lineCount) continue;
        lenses.push(
          new vscode.CodeLens(doc.lineAt(u.frame.line - 1).range, {
            title: `$(${codeLensIcon(rs.site.kind)}) ${siteSummary(rs.site, entry.report.tool)} · ${toolName(entry)}`,
            tooltip: 'Show this leak site in the Leak Reports view',
            command: REVEAL_SITE_COMMAND,
            arguments: [entry.id, rs.index],
          }),
        );
      }
    }
    return lenses;
  }
  dispose(): void {
    this.changed.dispose();
  }
}
