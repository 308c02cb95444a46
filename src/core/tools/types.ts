// Leak-tool runs: what to run (a request), how it went (a result). Runners build an argv, run it on
// a Host (this machine or one over SSH), fetch the report file back and parse it.
import type { LeakReport } from '../model/leakReport';
import type { Logger } from '../logger';

/** The tools OOM Lens can run. */
export type ToolId = 'valgrind' | 'heaptrack' | 'tracemalloc' | 'node-heap' | 'java-histogram' | 'lsan';

export const TOOL_IDS: readonly ToolId[] = ['valgrind', 'heaptrack', 'tracemalloc', 'node-heap', 'java-histogram', 'lsan'];

/** A program to start under a tool: the executable (or script) and its arguments. */
export interface ProgramSpec {
  program: string;
  args?: string[];
  /** Working directory on the host; the host's default (home / current dir) when absent. */
  cwd?: string;
  /** Extra environment variables for the program. */
  env?: Record<string, string>;
}

/** Options that come from settings (the CLI passes its own). */
export interface ToolSettings {
  /** valgrind --show-leak-kinds, e.g. "definite,indirect,possible" or "all". */
  valgrindShowLeakKinds: string;
  /** Extra valgrind flags, e.g. ["--num-callers=40"]. */
  valgrindExtraArgs: string[];
  /** Frames tracemalloc keeps per allocation (enough to reach the user's code). */
  tracemallocFrames: number;
  /** Seconds between snapshots (tracemalloc, Java histograms) / how long an attach records. */
  intervalSeconds: number;
  /** Node sampling heap profiler: average bytes between samples. */
  nodeSamplingIntervalBytes: number;
}

export const DEFAULT_TOOL_SETTINGS: ToolSettings = {
  valgrindShowLeakKinds: 'definite,indirect,possible',
  valgrindExtraArgs: [],
  tracemallocFrames: 25,
  intervalSeconds: 10,
  nodeSamplingIntervalBytes: 32768,
};

/** What to run: start a program under a tool, or attach a tool to a running process. */
export type ToolRequest =
  | { tool: 'valgrind'; start: ProgramSpec }
  /** A program already built with -fsanitize=address or -fsanitize=leak: its leak check at exit. */
  | { tool: 'lsan'; start: ProgramSpec }
  | { tool: 'heaptrack'; start: ProgramSpec }
  | { tool: 'heaptrack'; pid: number; durationSeconds?: number }
  | { tool: 'tracemalloc'; start: ProgramSpec; python?: string }
  | { tool: 'node-heap'; start: ProgramSpec; node?: string; snapshots?: boolean }
  | { tool: 'node-heap'; pid: number; durationSeconds?: number; node?: string }
  | { tool: 'java-histogram'; pid: number; intervalSeconds?: number };

export interface RunOptions {
  signal?: AbortSignal;
  /** The tool's and the program's output as it comes (for a terminal). */
  onOutput?: (text: string) => void;
  /** Short progress steps ("checking valgrind", "running", "reading the report"). */
  onStep?: (message: string) => void;
  log?: Logger;
  settings?: Partial<ToolSettings>;
  /** Where the report files go on the host; a fresh `mktemp -d` when absent. */
  workDir?: string;
  /** Local folder for copies of remote report files (remote hosts only); the OS temp dir when absent. */
  localDir?: string;
  /** For attach runs: resolves to stop recording early (a "Stop" button). */
  stop?: Promise<void>;
}

/** One report a run produced. */
export interface ProducedReport {
  /** What it shows, e.g. "leaks", "allocation sites", "growth by constructor". */
  label: string;
  report: LeakReport;
  /** The file on the host. */
  hostPath: string;
  /** A copy (or the same file) on this machine; null when it was not fetched. */
  localPath: string | null;
}

export interface RunResult {
  tool: ToolId;
  /** The exact command line that ran on the host (for the log and the terminal). */
  commandLine: string;
  /** The program's exit code (valgrind/heaptrack pass it through), null when killed or attached. */
  exitCode: number | null;
  /** The main report, and others the same run produced (Node: heap profile + snapshot growth). */
  reports: ProducedReport[];
  workDir: string;
  host: string;
  durationMs: number;
  warnings: string[];
}
