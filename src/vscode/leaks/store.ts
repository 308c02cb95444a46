// The leak reports of this window (runs and opened files), each site resolved to a local file and
// line. Diagnostics, hovers, CodeLens and the tree all read from here.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LeakFrame, LeakReport, LeakSite } from '../../core/model/leakReport';
import { isSystemFrame, firstUserFrame, type LeakComparison } from '../../core/parse/leaks';
import { mapPath } from '../../core/tools/pathMap';
import { setting } from '../settings';

/** A frame with the local file it maps to (null: not on this machine / not mapped). */
export interface ResolvedFrame {
  frame: LeakFrame;
  localPath: string | null;
}

export interface ResolvedSite {
  site: LeakSite;
  index: number;
  frames: ResolvedFrame[];
  /** The frame the extension points at: the first one in the user's code that maps to a local file. */
  user: ResolvedFrame | null;
}

export interface LeakEntry {
  id: string;
  kind: 'report';
  title: string;
  report: LeakReport;
  /** Where it came from: the host's name and how it was reached. */
  host: string;
  via: 'local' | 'ssh' | 'file';
  /** The report file (local copy). */
  path: string | null;
  /** The command that ran, when OOM Lens ran it. */
  commandLine: string | null;
  createdAt: Date;
  sites: ResolvedSite[];
  /** Frames in files under this prefix are OOM Lens's own (the Node snapshot preload). */
  skipPrefix: string | null;
}

export interface ComparisonEntry {
  id: string;
  kind: 'comparison';
  title: string;
  before: LeakEntry;
  after: LeakEntry;
  comparison: LeakComparison;
  createdAt: Date;
}

export type StoreEntry = LeakEntry | ComparisonEntry;

/** Sites beyond this many per report are kept in the report but not resolved / shown. */
export const MAX_SITES_SHOWN = 200;

export class FileResolver {
  private readonly cache = new Map<string, string | null>();

  resolve(file: string | null): string | null {
    if (!file) return null;
    const hit = this.cache.get(file);
    if (hit !== undefined) return hit;
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => ({ name: f.name, path: f.uri.fsPath }));
    const local = mapPath(file, setting('oomLens.pathMappings') ?? {}, { workspaceFolders: folders, home: process.env.HOME }, (p) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    });
    this.cache.set(file, local);
    return local;
  }

  clear(): void {
    this.cache.clear();
  }
}

export function resolveSite(site: LeakSite, index: number, resolver: FileResolver, skipPrefix: string | null): ResolvedSite {
  const frames = site.frames.map((frame) => ({ frame, localPath: frame.file && !isSystemFrame(frame) ? resolver.resolve(frame.file) : null }));
  let user = frames.find((f) => f.localPath !== null && f.frame.line !== null && !(skipPrefix && f.frame.file?.startsWith(skipPrefix))) ?? null;
  if (!user) {
    // Nothing maps to a local file: still name the user's frame (tree, hover), without a location.
    const uf = firstUserFrame(site);
    user = uf ? (frames.find((f) => f.frame === uf) ?? null) : null;
  }
  return { site, index, frames, user };
}

export class LeakStore implements vscode.Disposable {
  private readonly items: StoreEntry[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly resolver = new FileResolver();
  private seq = 0;

  get entries(): readonly StoreEntry[] {
    return this.items;
  }
  get reports(): LeakEntry[] {
    return this.items.filter((e): e is LeakEntry => e.kind === 'report');
  }

  add(e: Omit<LeakEntry, 'id' | 'kind' | 'sites' | 'createdAt' | 'skipPrefix'> & { skipPrefix?: string | null }): LeakEntry {
    const skipPrefix = e.skipPrefix ?? null;
    const entry: LeakEntry = {
      ...e,
      skipPrefix,
      id: `leak${++this.seq}`,
      kind: 'report',
      createdAt: new Date(),
      sites: e.report.sites.slice(0, MAX_SITES_SHOWN).map((s, i) => resolveSite(s, i, this.resolver, skipPrefix)),
    };
    this.items.push(entry);
    this.changed.fire();
    return entry;
  }

  addComparison(before: LeakEntry, after: LeakEntry, comparison: LeakComparison): ComparisonEntry {
    const entry: ComparisonEntry = {
      id: `cmp${++this.seq}`,
      kind: 'comparison',
      title: `${before.title} → ${after.title}`,
      before,
      after,
      comparison,
      createdAt: new Date(),
    };
    this.items.push(entry);
    this.changed.fire();
    return entry;
  }

  get(id: string): StoreEntry | undefined {
    return this.items.find((e) => e.id === id);
  }

  /** Re-resolves every site (after a pathMappings change or a workspace folder change). */
  reresolve(): void {
    this.resolver.clear();
    for (const e of this.reports) e.sites = e.report.sites.slice(0, MAX_SITES_SHOWN).map((s, i) => resolveSite(s, i, this.resolver, e.skipPrefix));
    this.changed.fire();
  }

  clear(): void {
    this.items.length = 0;
    this.changed.fire();
  }

  /** Every resolved site whose user frame is in this local file. */
  sitesIn(fsPath: string): Array<{ entry: LeakEntry; rs: ResolvedSite }> {
    const out: Array<{ entry: LeakEntry; rs: ResolvedSite }> = [];
    for (const entry of this.reports) for (const rs of entry.sites) if (rs.user?.localPath === fsPath) out.push({ entry, rs });
    return out;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
