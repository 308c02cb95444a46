// The leak report: the contract of /work/shared/contracts/leak-report.md (`oom-lens leaks --json`).
// Sizes in bytes. Absent facts are null, never 0. Fields may be added; never rename or drop these.

/** The tool whose output was read. The contract allows more values ("…"): memray, heaptrack, lsan, go-pprof and memory-profiler are ours. */
export type LeakTool =
  | 'valgrind-memcheck'
  | 'valgrind-massif'
  | 'tracemalloc'
  | 'node-heap-profile'
  | 'node-heap-snapshot'
  | 'java-histogram'
  | 'memray'
  | 'heaptrack'
  | 'lsan'
  | 'go-pprof'
  | 'memory-profiler';

/**
 * memcheck: "definitely lost" | "indirectly lost" | "possibly lost" | "still reachable";
 * tracemalloc / memray: "growth" | "allocated"; heap tools: "retained" | "growth".
 */
export type LeakKind = 'definitely lost' | 'indirectly lost' | 'possibly lost' | 'still reachable' | 'growth' | 'allocated' | 'retained';

export interface LeakFrame {
  /** Function name as the tool printed it (C++ names demangled, with templates/arguments); null when unknown ("???"). */
  function: string | null;
  /** Source file as the tool printed it (valgrind XML: dir + '/' + file); null when unknown. */
  file: string | null;
  /** 1-based source line; null when unknown. */
  line: number | null;
  /** The binary / shared object / module (valgrind "(in /lib/x.so)", `<obj>`); null when unknown. */
  object: string | null;
  /** Extra: instruction pointer as printed ("0x4C2FB55"), when the tool gives one. */
  address?: string | null;
  /** Extra: 1-based column (V8 profiles), when known. */
  column?: number | null;
  /** Extra: true when the tool reports this frame as inlined into the next one (valgrind: same address). */
  inlined?: boolean;
}

export interface LeakSite {
  kind: LeakKind;
  /** direct + indirect where the tool adds them, as the tool says. For growth sites: the size after. */
  bytes: number;
  directBytes: number | null;
  indirectBytes: number | null;
  /** blocks / allocations / objects */
  count: number | null;
  bytesDiff: number | null;
  countDiff: number | null;
  /** e.g. constructor or class name for heap tools */
  label: string | null;
  /** innermost first; at most 24 plus the first frame in the user's code (see framesOmitted) */
  frames: LeakFrame[];
  /** Extra: frames cut from a deeper stack (valgrind --num-callers style); absent when none were. */
  framesOmitted?: number;
  /** Extra: pid of the run that printed this site (memcheck text with several runs), else absent/null. */
  pid?: number | null;
  /** Extra: memcheck "loss record N of M". */
  record?: number | null;
  recordsTotal?: number | null;
  /** Extra: Java module of the class, e.g. "java.base@17.0.2". */
  module?: string | null;
  /** Extra: number of distinct call paths merged into this site (heap profiles). */
  stacks?: number | null;
}

export interface LeakSummary {
  definitelyLostBytes: number | null;
  definitelyLostBlocks: number | null;
  indirectlyLostBytes: number | null;
  indirectlyLostBlocks: number | null;
  possiblyLostBytes: number | null;
  possiblyLostBlocks: number | null;
  stillReachableBytes: number | null;
  stillReachableBlocks: number | null;
  suppressedBytes: number | null;
  suppressedBlocks: number | null;
  inUseAtExitBytes: number | null;
  inUseAtExitBlocks: number | null;
  totalAllocs: number | null;
  totalFrees: number | null;
  totalBytesAllocated: number | null;
  /** massif / heap profile peak, when known */
  peakBytes: number | null;
  /** Extra: memcheck "ERROR SUMMARY: N errors from M contexts". */
  errorCount?: number | null;
  errorContexts?: number | null;
  /** Extra: bytes / objects live in a heap snapshot, histogram, heap profile or tracemalloc total. */
  liveBytes?: number | null;
  liveCount?: number | null;
}

/** Extra: one valgrind run inside a memcheck text log (logs may hold several pids). */
export interface LeakRun {
  pid: number | null;
  command: string | null;
  toolVersion: string | null;
  summary: LeakSummary;
  sites: number;
}

export interface LeakReport {
  tool: LeakTool | null;
  toolVersion: string | null;
  pid: number | null;
  command: string | null;
  summary: LeakSummary;
  /** largest first; stable for ties (input order) */
  sites: LeakSite[];
  warnings: string[];
  /** Extra: per-run detail for memcheck text holding several runs. */
  runs?: LeakRun[];
  /** Extra: other groupings printed in the same input (e.g. tracemalloc top-by-filename blocks). */
  groups?: LeakGroup[];
  /** Extra: tool-specific numbers that have no place in the summary (tracemalloc metrics, massif snapshot facts). */
  details?: Record<string, unknown>;
}

/** Extra: a block of sites printed under one heading, e.g. one tracemalloc "top" block. */
export interface LeakGroup {
  title: string | null;
  /** 'lineno' | 'filename' | 'traceback' | 'address' | … */
  groupBy: string | null;
  /** The time printed with the heading (legacy tracemalloc top output), as printed. */
  timestamp?: string | null;
  sites: LeakSite[];
  /** The "N more:" / "N other:" remainder line, when printed. */
  rest: { entries: number | null; bytes: number | null; count: number | null } | null;
  /** "Traced Python memory:" / "Total allocated size:" line, when printed. */
  total: { bytes: number | null; count: number | null } | null;
}

export function emptyLeakSummary(): LeakSummary {
  return {
    definitelyLostBytes: null,
    definitelyLostBlocks: null,
    indirectlyLostBytes: null,
    indirectlyLostBlocks: null,
    possiblyLostBytes: null,
    possiblyLostBlocks: null,
    stillReachableBytes: null,
    stillReachableBlocks: null,
    suppressedBytes: null,
    suppressedBlocks: null,
    inUseAtExitBytes: null,
    inUseAtExitBlocks: null,
    totalAllocs: null,
    totalFrees: null,
    totalBytesAllocated: null,
    peakBytes: null,
  };
}

export function emptyLeakReport(tool: LeakTool | null = null): LeakReport {
  return { tool, toolVersion: null, pid: null, command: null, summary: emptyLeakSummary(), sites: [], warnings: [] };
}
