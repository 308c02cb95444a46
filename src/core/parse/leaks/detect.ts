// Which tool wrote a leak report, from the first KBs of its content.
import type { LeakTool } from '../../model/leakReport';

/** Finer than LeakTool: how to read it. */
export type LeakFormat =
  | 'memcheck-xml'
  | 'memcheck-text'
  | 'massif'
  | 'tracemalloc'
  | 'memray'
  | 'heap-profile'
  | 'heap-snapshot'
  | 'java-histogram'
  | 'heaptrack'
  | 'lsan'
  | 'go-pprof-top'
  | 'memory-profiler';

export const FORMAT_TOOL: Record<LeakFormat, LeakTool> = {
  'memcheck-xml': 'valgrind-memcheck',
  'memcheck-text': 'valgrind-memcheck',
  massif: 'valgrind-massif',
  tracemalloc: 'tracemalloc',
  memray: 'memray',
  'heap-profile': 'node-heap-profile',
  'heap-snapshot': 'node-heap-snapshot',
  'java-histogram': 'java-histogram',
  heaptrack: 'heaptrack',
  lsan: 'lsan',
  'go-pprof-top': 'go-pprof',
  'memory-profiler': 'memory-profiler',
};

export function detectFormat(headIn: string): LeakFormat | null {
  if (typeof headIn !== 'string' || headIn.length === 0) return null;
  const head = headIn.charCodeAt(0) === 0xfeff ? headIn.slice(1) : headIn;
  const t = head.trimStart();

  if (/<valgrindoutput\b/.test(head) || (/<\?xml/.test(head) && /<protocol(?:version|tool)>/.test(head))) return 'memcheck-xml';
  // a lone <error> pasted from a valgrind XML file (no document around it)
  if (/<error>\s*<unique>0x[0-9a-fA-F]+<\/unique>/.test(head) && /<kind>[A-Z]\w+<\/kind>/.test(head)) return 'memcheck-xml';

  if (t.startsWith('{') || t.startsWith('[')) {
    if (/"snapshot"\s*:\s*\{\s*"meta"/.test(t) || /"node_fields"\s*:/.test(t)) return 'heap-snapshot';
    if (/"head"\s*:\s*\{/.test(t) && /"callFrame"\s*:/.test(t)) return 'heap-profile';
    if (/"total_num_allocations"\s*:/.test(t)) return 'memray';
  }

  if (/^desc: /m.test(head) && /^(?:snapshot=\d|time_unit: |cmd: )/m.test(head)) return 'massif';
  if (/^(?:Massif arguments:|ms_print arguments:)/m.test(head)) return 'massif';

  if (
    /^(?:MOST CALLS TO ALLOCATION FUNCTIONS|PEAK MEMORY CONSUMERS|MEMORY LEAKS|MOST TEMPORARY ALLOCATIONS)\s*$/m.test(head) ||
    /^reading file ".*" - please wait, this might take some time\.\.\./m.test(head) ||
    (/^total memory leaked: /m.test(head) && /^peak heap memory consumption: /m.test(head))
  )
    return 'heaptrack';

  // before memcheck: LSan logs carry the same ==PID== prefix
  if (
    /ERROR: LeakSanitizer: detected memory leaks|\b(?:Direct|Indirect) leak of [\d,]+ byte\(s\) in [\d,]+ object\(s\) allocated from:|SUMMARY: (?:Address|Leak)Sanitizer: [\d,]+ byte\(s\) leaked in/.test(
      head,
    )
  )
    return 'lsan';

  const prefixed = /(?:==|\*\*)\d+(?:==|\*\*)(?: |$)/m.test(head);
  if (
    prefixed &&
    /Memcheck, a memory error detector|Using Valgrind-|HEAP SUMMARY:|LEAK SUMMARY:|in loss record|ERROR SUMMARY:|(?:at|by) 0x[0-9A-Fa-f]+: /.test(head)
  )
    return 'memcheck-text';
  if (
    /bytes in [\d,]+ blocks? are (?:definitely|indirectly|possibly) lost|still reachable in loss record|^\s*LEAK SUMMARY:\s*$|^\s*HEAP SUMMARY:\s*$/m.test(head)
  )
    return 'memcheck-text';

  // `go tool pprof -top` and memory_profiler: their table headers are like no other tool's
  if (/\bflat\s+flat%\s+sum%\s+cum\s+cum%/.test(head)) return 'go-pprof-top';
  if (/Line #\s+Mem usage\s+Increment\s+(?:Occurr?ences\s+)?Line Contents/.test(head)) return 'memory-profiler';

  if (/^\s*num\s+#instances\s+#bytes\s+class name/m.test(head)) return 'java-histogram';
  if ((head.match(/^\s*\d+:\s+\d+\s+\d+\s+[\w[$<]\S*(?:\s+\([^()]*\))?\s*$/gm) ?? []).length >= 3) return 'java-histogram';

  if (/<Statistic(?:Diff)? traceback=<Traceback/.test(head)) return 'tracemalloc';
  if (/:\d+: size=[+-]?\d+(?:\.\d+)? (?:B|KiB|MiB|GiB|TiB)/.test(head)) return 'tracemalloc';
  if (/^\s*Traced Python memory: size=/m.test(head)) return 'tracemalloc';
  if (/^\s*#\d+: .+: (?:size=)?\d+(?:\.\d+)? (?:B|KiB|MiB|GiB|TiB)\b/m.test(head)) return 'tracemalloc';
  if (/^\s*\d+ memory blocks?: \d+(?:\.\d+)? KiB\s*$/m.test(head) && /^\s*File ".*", line \d+/m.test(head)) return 'tracemalloc';

  if ((/Total allocations:/.test(head) && /Total memory allocated:/.test(head)) || /largest allocating locations \(by size\)/.test(head)) return 'memray';

  return null;
}

/** The tool that wrote `head` (the first few KB of a leak report), or null when unrecognized. */
export function detectLeakFormat(head: string): LeakTool | null {
  const f = detectFormat(head);
  return f ? FORMAT_TOOL[f] : null;
}
