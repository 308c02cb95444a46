// Which runtime a process runs (from its executable / command line), and which leak tools fit it.
import type { ToolId } from './types';

export type Runtime = 'native' | 'python' | 'node' | 'java';

function base(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** The first word of a command line (NUL- or space-separated, as /proc/PID/cmdline or ps print it). */
function firstWord(cmdline: string): string {
  const t = cmdline.replace(/\0/g, ' ').trim();
  const m = /^(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(t);
  return m ? (m[1] ?? m[2] ?? m[3]) : '';
}

const PYTHON = /^(?:python(?:\d+(?:\.\d+)*)?[dmu]*|pypy\d*(?:\.\d+)?|uwsgi|gunicorn|celery|uvicorn|ipython\d*)$/i;
const NODE = /^(?:node|nodejs|node\d+|bun|electron|npm|npx|pnpm|yarn|ts-node|tsx)$/i;
const JAVA = /^(?:java|javaw|jsvc|java\d+)$/i;

/**
 * The runtime of a process from what the kernel shows: the executable path (/proc/PID/exe target),
 * comm and the command line. Interpreters are recognized by their names (python3.11, node, java…);
 * anything else is native code.
 */
export function detectRuntime(p: { exe?: string | null; comm?: string | null; cmdline?: string | null }): Runtime {
  const names = [p.exe ? base(p.exe) : '', p.cmdline ? base(firstWord(p.cmdline)) : '', p.comm ?? ''].filter((n) => n !== '');
  for (const n of names) {
    if (JAVA.test(n)) return 'java';
    if (NODE.test(n)) return 'node';
    if (PYTHON.test(n)) return 'python';
  }
  // A script started through env or a shebang wrapper: "/usr/bin/env python3 app.py"
  if (p.cmdline) {
    const words = p.cmdline.replace(/\0/g, ' ').trim().split(/\s+/).slice(0, 3).map(base);
    if (words[0] === 'env') {
      const w = words.slice(1).find((x) => !x.startsWith('-') && !x.includes('=')) ?? '';
      if (JAVA.test(w)) return 'java';
      if (NODE.test(w)) return 'node';
      if (PYTHON.test(w)) return 'python';
    }
  }
  return 'native';
}

/** A leak tool offered for a running process: attach to it, or start its command again under the tool. */
export interface ToolChoice {
  tool: ToolId;
  mode: 'attach' | 'restart';
  label: string;
  detail: string;
}

/** The tools that fit a runtime, best first. */
export function toolsForRuntime(runtime: Runtime): ToolChoice[] {
  switch (runtime) {
    case 'native':
      return [
        { tool: 'heaptrack', mode: 'attach', label: 'Attach heaptrack', detail: 'records allocations from now on, without a restart (native code; uses gdb)' },
        {
          tool: 'valgrind',
          mode: 'restart',
          label: 'Run the same command under Valgrind Memcheck',
          detail: 'starts a new instance (about 20-50x slower); exact leaks at exit',
        },
      ];
    case 'python':
      return [
        {
          tool: 'tracemalloc',
          mode: 'restart',
          label: 'Run the same command with tracemalloc',
          detail: 'starts a new instance; Python allocations by traceback, growth between snapshots',
        },
        {
          tool: 'heaptrack',
          mode: 'attach',
          label: 'Attach heaptrack',
          detail: 'native allocations of the interpreter and extension modules, without a restart',
        },
      ];
    case 'node':
      return [
        {
          tool: 'node-heap',
          mode: 'attach',
          label: 'Record a heap profile (inspector)',
          detail: 'opens the inspector with SIGUSR1 and records a sampling heap profile',
        },
        {
          tool: 'node-heap',
          mode: 'restart',
          label: 'Run the same command with a heap profile',
          detail: 'starts a new instance with --heap-prof and heap snapshots at start and exit',
        },
      ];
    case 'java':
      return [
        {
          tool: 'java-histogram',
          mode: 'attach',
          label: 'Java class histogram (twice)',
          detail: 'jcmd GC.class_histogram now and after an interval: growth per class',
        },
      ];
  }
}

/** Executables a tool needs on the host. */
export function toolExecutables(tool: ToolId, mode: 'attach' | 'start'): string[] {
  switch (tool) {
    case 'valgrind':
      return ['valgrind'];
    case 'heaptrack':
      return mode === 'attach' ? ['heaptrack', 'heaptrack_print', 'gdb'] : ['heaptrack', 'heaptrack_print'];
    case 'tracemalloc':
      return ['python3'];
    case 'node-heap':
      return ['node'];
    case 'java-histogram':
      return ['jcmd'];
    case 'lsan':
      return []; // the sanitizer runtime is in the program itself
  }
}

/** How to install a missing executable, by the host's package manager. */
export function installHint(executable: string, packageManager: string | null): string {
  const pkg: Record<string, Record<string, string>> = {
    apt: {
      valgrind: 'valgrind',
      heaptrack: 'heaptrack',
      heaptrack_print: 'heaptrack',
      gdb: 'gdb',
      python3: 'python3',
      node: 'nodejs',
      jcmd: 'default-jdk-headless',
      jmap: 'default-jdk-headless',
    },
    dnf: {
      valgrind: 'valgrind',
      heaptrack: 'heaptrack',
      heaptrack_print: 'heaptrack',
      gdb: 'gdb',
      python3: 'python3',
      node: 'nodejs',
      jcmd: 'java-17-openjdk-devel',
      jmap: 'java-17-openjdk-devel',
    },
    apk: {
      valgrind: 'valgrind',
      heaptrack: 'heaptrack',
      heaptrack_print: 'heaptrack',
      gdb: 'gdb',
      python3: 'python3',
      node: 'nodejs',
      jcmd: 'openjdk17',
      jmap: 'openjdk17',
    },
    pacman: {
      valgrind: 'valgrind',
      heaptrack: 'heaptrack',
      heaptrack_print: 'heaptrack',
      gdb: 'gdb',
      python3: 'python',
      node: 'nodejs',
      jcmd: 'jdk17-openjdk',
      jmap: 'jdk17-openjdk',
    },
    zypper: {
      valgrind: 'valgrind',
      heaptrack: 'heaptrack',
      heaptrack_print: 'heaptrack',
      gdb: 'gdb',
      python3: 'python3',
      node: 'nodejs',
      jcmd: 'java-17-openjdk-devel',
      jmap: 'java-17-openjdk-devel',
    },
  };
  const install: Record<string, string> = {
    apt: 'sudo apt-get install -y',
    dnf: 'sudo dnf install -y',
    apk: 'sudo apk add',
    pacman: 'sudo pacman -S',
    zypper: 'sudo zypper install -y',
  };
  const pm = packageManager && pkg[packageManager] ? packageManager : 'apt';
  const name = pkg[pm][executable] ?? executable;
  const jdkNote = executable === 'jcmd' || executable === 'jmap' ? ' (a JDK: jcmd comes with it, not with a JRE)' : '';
  return `${install[pm]} ${name}${jdkNote}`;
}
