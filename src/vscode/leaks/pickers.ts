// What to run and what to attach to: a program from launch.json or a file, its arguments; a process
// from the diagnosis (leak suspects first) or from `ps` on the host.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Host } from '../../core/host/host';
import type { ProgramSpec } from '../../core/tools/types';
import { splitCommandLine } from '../../core/tools/argv';
import { detectRuntime, type Runtime } from '../../core/tools/runtime';
import type { Services } from '../services';
import { formatKb } from '../../core/format';

/** ${workspaceFolder}, ${file}, ${env:X}… in a launch configuration value. */
export function substituteVars(value: string, folder: vscode.WorkspaceFolder | undefined): string {
  const file = vscode.window.activeTextEditor?.document.uri.fsPath ?? '';
  const vars: Record<string, string> = {
    workspaceFolder: folder?.uri.fsPath ?? '',
    workspaceRoot: folder?.uri.fsPath ?? '',
    workspaceFolderBasename: folder?.name ?? '',
    file,
    fileDirname: file ? path.dirname(file) : '',
    fileBasename: file ? path.basename(file) : '',
    fileBasenameNoExtension: file ? path.basename(file, path.extname(file)) : '',
    userHome: process.env.HOME ?? '',
    cwd: folder?.uri.fsPath ?? '',
  };
  return value.replace(/\$\{(env:)?([^}]+)\}/g, (m, env: string | undefined, name: string) => (env ? (process.env[name] ?? '') : (vars[name] ?? m)));
}

interface LaunchConfig {
  name?: string;
  type?: string;
  request?: string;
  program?: string;
  args?: string[] | string;
  cwd?: string;
  env?: Record<string, string>;
}

/** Launch configurations with a program: the user's own way of starting their program. */
export function launchPrograms(
  filter: (program: string, type: string) => boolean,
): Array<{ label: string; spec: ProgramSpec; folder?: vscode.WorkspaceFolder }> {
  const out: Array<{ label: string; spec: ProgramSpec; folder?: vscode.WorkspaceFolder }> = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const configs = vscode.workspace.getConfiguration('launch', folder.uri).get<LaunchConfig[]>('configurations') ?? [];
    for (const c of configs) {
      if (c.request && c.request !== 'launch') continue;
      if (typeof c.program !== 'string') continue;
      const program = substituteVars(c.program, folder);
      if (!filter(program, c.type ?? '')) continue;
      const args = Array.isArray(c.args)
        ? c.args.map((a) => substituteVars(String(a), folder))
        : typeof c.args === 'string'
          ? splitCommandLine(substituteVars(c.args, folder))
          : [];
      out.push({
        label: c.name ?? program,
        folder,
        spec: { program, args, cwd: c.cwd ? substituteVars(c.cwd, folder) : folder.uri.fsPath, env: c.env },
      });
    }
  }
  return out;
}

/** Asks for a program: launch configurations that fit, the active file, or a file from a dialog; then its arguments. */
export async function pickProgram(opts: {
  title: string;
  filter: (program: string, type: string) => boolean;
  activeFile?: (doc: vscode.TextDocument) => boolean;
  dialogFilters?: Record<string, string[]>;
}): Promise<ProgramSpec | undefined> {
  type Item = vscode.QuickPickItem & { spec?: ProgramSpec; browse?: boolean };
  const items: Item[] = launchPrograms(opts.filter).map((l) => ({
    label: `$(debug-alt) ${l.label}`,
    description: [l.spec.program, ...(l.spec.args ?? [])].join(' '),
    detail: 'from launch.json',
    spec: l.spec,
  }));
  const doc = vscode.window.activeTextEditor?.document;
  if (doc && doc.uri.scheme === 'file' && opts.activeFile?.(doc)) {
    items.unshift({
      label: `$(file) ${path.basename(doc.uri.fsPath)}`,
      description: doc.uri.fsPath,
      detail: 'the active file',
      spec: { program: doc.uri.fsPath, args: [], cwd: path.dirname(doc.uri.fsPath) },
    });
  }
  items.push({ label: '$(folder-opened) Choose a file…', browse: true });
  const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: opts.title, placeHolder: 'What to run' });
  if (!picked) return undefined;
  let spec = picked.spec;
  if (picked.browse) {
    const uri = (
      await vscode.window.showOpenDialog({
        title: opts.title,
        canSelectMany: false,
        openLabel: 'Run',
        filters: opts.dialogFilters,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      })
    )?.[0];
    if (!uri) return undefined;
    spec = { program: uri.fsPath, args: [], cwd: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? path.dirname(uri.fsPath) };
  }
  if (!spec) return undefined;
  const argText = await vscode.window.showInputBox({
    title: `${opts.title}: arguments`,
    prompt: `Arguments for ${path.basename(spec.program)} (as you would type them in a shell; no expansion)`,
    value: (spec.args ?? []).map((a) => (/[\s'"\\]/.test(a) ? `'${a.replace(/'/g, `'\\''`)}'` : a)).join(' '),
    validateInput: (v) => {
      try {
        splitCommandLine(v);
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (argText === undefined) return undefined;
  return { ...spec, args: splitCommandLine(argText) };
}

export interface PickedProcess {
  pid: number;
  comm: string;
  cmdline: string | null;
  runtime: Runtime;
}

/** Processes from the diagnosis (leak suspects first), or from `ps` on the host when there is none. */
export async function listProcesses(services: Services, host: Host): Promise<Array<PickedProcess & { rssKb: number | null; suspect: boolean }>> {
  const d = services.diagnosis;
  if (d && d.host.name === host.name) {
    const suspects = new Set(d.report.growth.filter((g) => g.verdict === 'leak-suspect').map((g) => g.pid));
    const growing = new Set(d.report.growth.filter((g) => g.verdict === 'growing').map((g) => g.pid));
    return d.report.processes
      .map((p) => ({
        pid: p.pid,
        comm: p.comm,
        cmdline: p.cmdline,
        rssKb: p.rssKb,
        runtime: detectRuntime(p),
        suspect: suspects.has(p.pid),
        growing: growing.has(p.pid),
      }))
      .filter((p) => p.rssKb !== null && p.rssKb > 0)
      .sort((a, b) => Number(b.suspect) - Number(a.suspect) || Number(b.growing) - Number(a.growing) || (b.rssKb ?? 0) - (a.rssKb ?? 0));
  }
  const r = await host.exec('ps -eo pid=,rss=,comm=,args=', { timeoutMs: 15_000 });
  return r.stdout
    .split('\n')
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), rssKb: Number(m[2]), comm: m[3], cmdline: m[4], runtime: detectRuntime({ comm: m[3], cmdline: m[4] }), suspect: false }))
    .filter((p) => p.rssKb > 0 && p.pid !== process.pid)
    .sort((a, b) => (b.rssKb ?? 0) - (a.rssKb ?? 0));
}

export async function pickProcess(services: Services, host: Host, title: string, runtimes?: Runtime[]): Promise<PickedProcess | undefined> {
  const all = await listProcesses(services, host);
  const list = runtimes ? all.filter((p) => runtimes.includes(p.runtime)) : all;
  type Item = vscode.QuickPickItem & { p?: PickedProcess; manual?: boolean };
  const items: Item[] = list.slice(0, 300).map((p) => ({
    label: `${p.suspect ? '$(warning) ' : ''}${p.comm} (${p.pid})`,
    description: `${p.runtime}${p.rssKb !== null ? ` · RSS ${formatKb(p.rssKb)}` : ''}${p.suspect ? ' · leak suspect' : ''}`,
    detail: p.cmdline ?? undefined,
    p,
  }));
  items.push({ label: '$(edit) Enter a process id…', manual: true });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: services.diagnosis ? 'Leak suspects from the diagnosis first' : 'Processes by RSS (run "Diagnose OOM on Host…" to see leak suspects first)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return undefined;
  if (picked.p) return picked.p;
  const v = await vscode.window.showInputBox({
    title,
    prompt: 'Process id',
    validateInput: (s) => (/^\d+$/.test(s.trim()) ? null : 'a process id is a whole number'),
  });
  if (!v) return undefined;
  const pid = Number(v.trim());
  const known = all.find((p) => p.pid === pid);
  return known ?? { pid, comm: String(pid), cmdline: null, runtime: 'native' };
}
