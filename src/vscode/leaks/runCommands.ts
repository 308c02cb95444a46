// The commands that run a leak tool: on a program from the workspace (valgrind, heaptrack,
// tracemalloc, Node heap profiles) or on a running process (heaptrack attach, Node inspector,
// Java class histograms), and "Find Leaks in Process…", which picks the tool for its runtime.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProgramSpec } from '../../core/tools/types';
import { toolsForRuntime } from '../../core/tools/runtime';
import { splitCommandLine } from '../../core/tools/argv';
import { asArgs, hostOf, pidOf, startOf, type AttachArgs, type HistogramArgs, type NodeHeapArgs, type TracemallocArgs } from './args';
import { listProcesses, pickProcess, pickProgram, type PickedProcess } from './pickers';
import type { LeakCommandResult, LeakSession } from './session';

type Command = (arg?: unknown) => Promise<LeakCommandResult | undefined>;

export function runCommands(
  s: LeakSession,
): Record<
  'runValgrind' | 'runHeaptrack' | 'runLsan' | 'attachHeaptrack' | 'runTracemalloc' | 'captureNodeHeap' | 'javaHistogram' | 'findLeaksInProcess',
  Command
> {
  const title = (tool: string, s: ProgramSpec) => `${tool}: ${path.basename(s.program)}${s.args?.length ? ' ' + s.args.join(' ') : ''}`;
  const nativeFilter = (p: string, type: string) =>
    /^(cppdbg|cppvsdbg|lldb|gdb|rust|codelldb)$/.test(type) ||
    (!/\.(py|js|mjs|cjs|ts|java|jar)$/.test(p) && type !== 'python' && type !== 'node' && type !== 'java');
  const dialogNative = { Executables: ['*'] };

  const runValgrind = async (arg?: unknown) => {
    const start = startOf(arg) ?? (await pickProgram({ title: 'Run with Valgrind Memcheck', filter: nativeFilter, dialogFilters: dialogNative }));
    if (!start) return undefined;
    return s.run(hostOf(arg), { tool: 'valgrind', start }, title('valgrind', start));
  };
  const runHeaptrack = async (arg?: unknown) => {
    const start = startOf(arg) ?? (await pickProgram({ title: 'Run with heaptrack', filter: nativeFilter, dialogFilters: dialogNative }));
    if (!start) return undefined;
    return s.run(hostOf(arg), { tool: 'heaptrack', start }, title('heaptrack', start));
  };
  // A binary built with -fsanitize=address|leak; one that is not gets the build flags in the error (core/tools).
  const runLsan = async (arg?: unknown) => {
    const start =
      startOf(arg) ??
      (await pickProgram({
        title: 'Run with LeakSanitizer (a binary built with -fsanitize=address or leak)',
        filter: nativeFilter,
        dialogFilters: dialogNative,
      }));
    if (!start) return undefined;
    return s.run(hostOf(arg), { tool: 'lsan', start }, title('LeakSanitizer', start));
  };
  const attachHeaptrack = async (arg?: unknown) => {
    const host = hostOf(arg, s.services);
    const a = asArgs<AttachArgs>(arg);
    const pid = pidOf(arg) ?? (await pickProcess(s.services, host, 'Attach heaptrack to Process'))?.pid;
    if (!pid) return undefined;
    return s.run(host, { tool: 'heaptrack', pid, durationSeconds: a?.durationSeconds }, `heaptrack: process ${pid}`);
  };
  const runTracemalloc = async (arg?: unknown) => {
    const start =
      startOf(arg) ??
      (await pickProgram({
        title: 'Run Python Script with tracemalloc',
        filter: (p, type) => type === 'python' || type === 'debugpy' || p.endsWith('.py'),
        activeFile: (d) => d.languageId === 'python' || d.fileName.endsWith('.py'),
        dialogFilters: { Python: ['py'] },
      }));
    if (!start) return undefined;
    const python = asArgs<TracemallocArgs>(arg)?.python;
    return s.run(hostOf(arg), { tool: 'tracemalloc', start, python }, title('tracemalloc', start));
  };
  const captureNodeHeap = async (arg?: unknown) => {
    const host = hostOf(arg, s.services);
    const a = asArgs<NodeHeapArgs>(arg);
    if (typeof a?.pid === 'number') return s.run(host, { tool: 'node-heap', pid: a.pid, durationSeconds: a.durationSeconds }, `node heap: process ${a.pid}`);
    let start = startOf(arg);
    if (!start) {
      const how = await vscode.window.showQuickPick(
        [
          { label: '$(play) Start a script', description: 'node --heap-prof, heap snapshots at start and exit', start: true },
          { label: '$(plug) Attach to a running Node process', description: 'SIGUSR1 + inspector: a sampling heap profile for a while', start: false },
        ],
        { title: 'Capture Node Heap Profile' },
      );
      if (!how) return undefined;
      if (!how.start) {
        const p = await pickProcess(s.services, host, 'Capture Node Heap Profile: attach', ['node']);
        return p ? s.run(host, { tool: 'node-heap', pid: p.pid }, `node heap: ${p.comm} (${p.pid})`) : undefined;
      }
      start =
        (await pickProgram({
          title: 'Capture Node Heap Profile',
          filter: (p, type) => type === 'node' || type === 'pwa-node' || /\.(js|mjs|cjs)$/.test(p),
          activeFile: (d) => /\.(js|mjs|cjs)$/.test(d.fileName),
          dialogFilters: { JavaScript: ['js', 'mjs', 'cjs'] },
        })) ?? null;
    }
    if (!start) return undefined;
    // A script from the workspace starts here (attach goes to the diagnosed host).
    return s.run(hostOf(arg), { tool: 'node-heap', start, snapshots: a?.snapshots }, title('node heap', start));
  };
  const javaHistogram = async (arg?: unknown) => {
    const host = hostOf(arg, s.services);
    const a = asArgs<HistogramArgs>(arg);
    const pid = pidOf(arg) ?? (await pickProcess(s.services, host, 'Java Class Histogram', ['java']))?.pid;
    if (!pid) return undefined;
    return s.run(host, { tool: 'java-histogram', pid, intervalSeconds: a?.intervalSeconds }, `java histogram: process ${pid}`);
  };

  const findLeaksInProcess = async (arg?: unknown) => {
    const host = hostOf(arg, s.services);
    let proc: PickedProcess | undefined;
    const pid = pidOf(arg);
    if (pid) {
      proc = (await listProcesses(s.services, host)).find((p) => p.pid === pid) ?? { pid, comm: String(pid), cmdline: null, runtime: 'native' };
    } else {
      proc = await pickProcess(s.services, host, 'Find Leaks in Process');
    }
    if (!proc) return undefined;
    const choices = toolsForRuntime(proc.runtime);
    const picked = await vscode.window.showQuickPick(
      choices.map((c) => ({ label: c.label, description: c.tool, detail: c.detail, c })),
      { title: `Find leaks in ${proc.comm} (${proc.pid}) — ${proc.runtime}` },
    );
    if (!picked) return undefined;
    const c = picked.c;
    if (c.mode === 'attach') {
      if (c.tool === 'heaptrack') return attachHeaptrack({ pid: proc.pid, host });
      if (c.tool === 'node-heap') return captureNodeHeap({ pid: proc.pid, host });
      return javaHistogram({ pid: proc.pid, host });
    }
    // restart: the same command line under the tool, confirmed by the user (it starts a second instance)
    let words: string[];
    try {
      words = splitCommandLine(proc.cmdline ?? '');
    } catch {
      words = (proc.cmdline ?? '').split(/\s+/);
    }
    if (c.tool === 'tracemalloc' && words.length > 1 && /python/.test(path.basename(words[0])))
      words = words.slice(1).filter((w, i) => i > 0 || !w.startsWith('-'));
    if (c.tool === 'node-heap' && words.length > 1 && /node/.test(path.basename(words[0]))) words = words.slice(1);
    const text = await vscode.window.showInputBox({
      title: c.label,
      prompt: 'This starts a NEW instance of the program under the tool. Command line:',
      value: words.map((w) => (/[\s'"\\]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' '),
    });
    if (!text) return undefined;
    const argv = splitCommandLine(text);
    const spec = { program: argv[0], args: argv.slice(1), host };
    if (c.tool === 'valgrind') return runValgrind(spec);
    if (c.tool === 'tracemalloc') return runTracemalloc(spec);
    return captureNodeHeap(spec);
  };

  return { runValgrind, runHeaptrack, runLsan, attachHeaptrack, runTracemalloc, captureNodeHeap, javaHistogram, findLeaksInProcess };
}
