// Pure argv builders for the leak tools. Every word reaches the shell through shQuote; PIDs are
// checked to be positive integers. Nothing here runs anything.
import { shQuote } from '../shell';
import { OomLensError } from '../errors';
import type { ProgramSpec, ToolSettings } from './types';
import { TRACEMALLOC_BOOTSTRAP } from './scripts';

/** A request the runners refuse before anything runs (a bad setting, a bad PID). */
export class ToolArgError extends OomLensError {}

const LEAK_KINDS = new Set(['definite', 'indirect', 'possible', 'reachable']);

/** Normalizes valgrind --show-leak-kinds: "all", "none" or a comma list of definite/indirect/possible/reachable. */
export function showLeakKinds(value: string): string {
  const v = value.trim().toLowerCase().replace(/\s+/g, '');
  if (v === 'all' || v === 'none') return v;
  const kinds = v.split(',').filter((k) => k !== '');
  if (kinds.length === 0) throw new ToolArgError(`oomLens.leaks.valgrind.showLeakKinds is empty: use "all" or a list of definite,indirect,possible,reachable`);
  for (const k of kinds) {
    if (!LEAK_KINDS.has(k))
      throw new ToolArgError(`unknown leak kind '${k}' in oomLens.leaks.valgrind.showLeakKinds: use definite, indirect, possible, reachable, all or none`);
  }
  return [...new Set(kinds)].join(',');
}

/** Extra tool flags must be flags: a word not starting with '-' would be taken as the program. */
export function checkExtraArgs(args: readonly string[], setting: string): string[] {
  for (const a of args) {
    if (typeof a !== 'string' || !a.startsWith('-')) throw new ToolArgError(`${setting}: '${String(a)}' is not a flag (each entry must start with '-')`);
    if (/^--(?:xml|xml-file|xml-fd|xml-socket|log-file|log-fd|tool)(?:=|$)/.test(a)) throw new ToolArgError(`${setting}: '${a}' is set by OOM Lens itself`);
  }
  return [...args];
}

export function checkPid(pid: unknown): number {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1 || pid > 2 ** 22) throw new ToolArgError(`not a process id: ${String(pid)}`);
  return pid;
}

function checkProgram(p: ProgramSpec): void {
  if (!p || typeof p.program !== 'string' || p.program.trim() === '') throw new ToolArgError('no program to run');
  for (const a of p.args ?? []) if (typeof a !== 'string') throw new ToolArgError(`program argument is not a string: ${String(a)}`);
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new ToolArgError(`${name} must be a positive number, not ${n}`);
  return n;
}

/** argv -> one sh command line, each word quoted. */
export function quoteArgv(argv: readonly string[]): string {
  return argv.map(shQuote).join(' ');
}

/**
 * The full command line for the host: `cd CWD && exec env K=V… ARGV…` (cd/env only when given).
 * `exec` so the tool is the shell's own process (signals reach it directly).
 */
export function commandLine(argv: readonly string[], opts: { cwd?: string; env?: Record<string, string> } = {}): string {
  const parts: string[] = [];
  if (opts.cwd) parts.push(`cd ${shQuote(opts.cwd)} &&`);
  parts.push('exec');
  const env = Object.entries(opts.env ?? {});
  if (env.length > 0) {
    parts.push('env');
    for (const [k, v] of env) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new ToolArgError(`not an environment variable name: '${k}'`);
      parts.push(shQuote(`${k}=${v}`));
    }
  }
  parts.push(quoteArgv(argv));
  return parts.join(' ');
}

/** valgrind memcheck with a full leak check into an XML file. */
export function valgrindArgv(p: ProgramSpec, xmlFile: string, s: Pick<ToolSettings, 'valgrindShowLeakKinds' | 'valgrindExtraArgs'>): string[] {
  checkProgram(p);
  return [
    'valgrind',
    '--tool=memcheck',
    '--leak-check=full',
    `--show-leak-kinds=${showLeakKinds(s.valgrindShowLeakKinds)}`,
    '--child-silent-after-fork=yes',
    '--xml=yes',
    `--xml-file=${xmlFile}`,
    ...checkExtraArgs(s.valgrindExtraArgs, 'oomLens.leaks.valgrind.extraArgs'),
    p.program,
    ...(p.args ?? []),
  ];
}

/** The flags that build a program for `run lsan`: LeakSanitizer alone (or use -fsanitize=address). */
export const LSAN_BUILD_FLAGS = '-fsanitize=leak -g -fno-omit-frame-pointer';

/**
 * The environment that sends the sanitizer's leak report to LOG_BASE.PID instead of stderr (both
 * variables: an ASan build reads ASAN_OPTIONS, a standalone LSan build LSAN_OPTIONS). The user's own
 * options come first; ours win where they repeat (the sanitizers take the last value).
 */
export function lsanEnv(logBase: string, env: Record<string, string> = {}): Record<string, string> {
  if (/[:\s]/.test(logBase)) throw new ToolArgError(`the LeakSanitizer log path may not hold ':' or spaces: ${logBase}`);
  const join = (mine: string, theirs: string | undefined) => (theirs ? `${theirs}:${mine}` : mine);
  return {
    ...env,
    ASAN_OPTIONS: join(`detect_leaks=1:log_path=${logBase}`, env.ASAN_OPTIONS),
    LSAN_OPTIONS: join(`log_path=${logBase}`, env.LSAN_OPTIONS),
  };
}

/**
 * A sh test that succeeds when the program (a path, or a name found on PATH) carries a sanitizer
 * runtime: linked to liblsan/libasan, or with the runtime built in (clang's static runtimes). Run it in a
 * subshell (it exits).
 */
export function sanitizerCheckCommand(program: string): string {
  const p = shQuote(program);
  // exit 2: no such program; 1: found, without a sanitizer
  return `f=$(command -v ${p} 2>/dev/null || echo ${p}); [ -f "$f" ] || exit 2; grep -qaE '__lsan_init|__asan_init' "$f"`;
}

/** heaptrack starting a program; the data file is OUT_BASE.zst (or .gz, by heaptrack's build). */
export function heaptrackArgv(p: ProgramSpec, outBase: string): string[] {
  checkProgram(p);
  return ['heaptrack', '-o', outBase, p.program, ...(p.args ?? [])];
}

/** heaptrack attaching to a running process (-o must come before -p). */
export function heaptrackAttachArgv(pid: number, outBase: string): string[] {
  return ['heaptrack', '-o', outBase, '-p', String(checkPid(pid))];
}

/** heaptrack_print: leaks and peak consumers, as text the parser reads. */
export function heaptrackPrintArgv(dataFile: string): string[] {
  return ['heaptrack_print', '-f', dataFile, '--print-leaks=1', '--print-peaks=1', '--print-allocators=0', '--print-temporary=0'];
}

/** Stops heaptrack's recording in an attached process (what heaptrack's own cleanup runs). */
export function heaptrackStopArgv(pid: number): string[] {
  return [
    'gdb',
    '--batch-silent',
    '-n',
    '-iex=set auto-solib-add off',
    '-p',
    String(checkPid(pid)),
    '--eval-command=sharedlibrary libheaptrack_inject',
    '--eval-command=call (void) heaptrack_stop()',
    '--eval-command=detach',
  ];
}

/** Python with the tracemalloc bootstrap (see scripts.ts). */
export function tracemallocArgv(
  p: ProgramSpec,
  outFile: string,
  s: Pick<ToolSettings, 'tracemallocFrames' | 'intervalSeconds'>,
  python = 'python3',
  top = 50,
): string[] {
  checkProgram(p);
  const frames = Math.round(positive(s.tracemallocFrames, 'oomLens.leaks.tracemalloc.frames'));
  if (frames > 1000) throw new ToolArgError('oomLens.leaks.tracemalloc.frames must be at most 1000');
  return [
    python,
    '-c',
    TRACEMALLOC_BOOTSTRAP,
    outFile,
    String(positive(s.intervalSeconds, 'oomLens.leaks.intervalSeconds')),
    String(frames),
    String(top),
    p.program,
    ...(p.args ?? []),
  ];
}

/** node with a sampling heap profile written at exit, and (optionally) the snapshot preload. */
export function nodeHeapArgv(p: ProgramSpec, dir: string, s: Pick<ToolSettings, 'nodeSamplingIntervalBytes'>, preload: string | null, node = 'node'): string[] {
  checkProgram(p);
  const interval = Math.round(positive(s.nodeSamplingIntervalBytes, 'oomLens.leaks.node.samplingIntervalBytes'));
  return [
    node,
    '--heap-prof',
    `--heap-prof-dir=${dir}`,
    '--heap-prof-name=heap.heapprofile',
    `--heap-prof-interval=${interval}`,
    ...(preload ? ['--require', preload] : []),
    p.program,
    ...(p.args ?? []),
  ];
}

/** A class histogram of a running JVM: jcmd when present, else jmap (both force a full GC: live objects). */
export function javaHistogramCommand(pid: number): string {
  const p = String(checkPid(pid));
  return `if command -v jcmd >/dev/null 2>&1; then jcmd ${p} GC.class_histogram; else jmap -histo:live ${p}; fi`;
}

/** `command -v` lines for a POSIX sh: prints "missing:NAME" for each absent one. */
export function missingToolsCommand(names: readonly string[]): string {
  return names.map((n) => `command -v ${shQuote(n)} >/dev/null 2>&1 || echo ${shQuote(`missing:${n}`)}`).join('; ');
}

/**
 * Splits what a user typed as arguments like sh would (no expansion): whitespace separates words,
 * '…' is literal, "…" allows \" and \\, a backslash outside quotes escapes the next character.
 */
export function splitCommandLine(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) throw new ToolArgError(`unclosed ' in: ${s}`);
      cur += s.slice(i + 1, j);
      inWord = true;
      i = j + 1;
      continue;
    }
    if (c === '"') {
      i++;
      inWord = true;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) {
          cur += s[i + 1];
          i += 2;
          continue;
        }
        cur += s[i++];
      }
      if (i >= s.length) throw new ToolArgError(`unclosed " in: ${s}`);
      i++;
      continue;
    }
    if (c === '\\' && i + 1 < s.length) {
      cur += s[i + 1];
      inWord = true;
      i += 2;
      continue;
    }
    if (/\s/.test(c)) {
      if (inWord) {
        out.push(cur);
        cur = '';
        inWord = false;
      }
      i++;
      continue;
    }
    cur += c;
    inWord = true;
    i++;
  }
  if (inWord) out.push(cur);
  return out;
}
