// Leak-tool outputs of any size and shape, for the readers' bench and the bounded-stack tests:
// deep chains (recursion, every frame allocating), wide trees (many children per node) and many
// sites (long flat reports). Each is built as a string: a nested object 20,000 deep would overflow
// JSON.stringify.

/** A Node .heapprofile whose call tree is one chain `depth` deep; every frame allocates. */
export function deepHeapProfile(depth: number, opts: { systemTop?: number } = {}): string {
  const parts: string[] = [];
  parts.push('{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[');
  for (let i = 1; i <= depth; i++) {
    // the innermost `systemTop` frames are Node internals: the user frame lies beyond the cut
    const internal = opts.systemTop !== undefined && i > depth - opts.systemTop;
    const url = internal ? 'node:internal/streams/readable' : 'file:///app/rec.js';
    parts.push(
      `{"callFrame":{"functionName":"f${i}","scriptId":"1","url":"${url}","lineNumber":${i},"columnNumber":3},"selfSize":${1000 + i},"id":${i + 1},"children":[`,
    );
  }
  parts.push(']}'.repeat(depth));
  parts.push(']},"samples":[]}');
  return parts.join('');
}

/** A .heapprofile whose root has `width` children, each with one allocating child. */
export function wideHeapProfile(width: number): string {
  const kids: string[] = [];
  for (let i = 0; i < width; i++) {
    kids.push(
      `{"callFrame":{"functionName":"handler${i}","scriptId":"1","url":"file:///app/h.js","lineNumber":${i},"columnNumber":1},"selfSize":0,"id":${2 * i + 2},"children":[` +
        `{"callFrame":{"functionName":"alloc${i}","scriptId":"1","url":"file:///app/a.js","lineNumber":${i},"columnNumber":1},"selfSize":${64 + (i % 997)},"id":${2 * i + 3},"children":[]}]}`,
    );
  }
  return `{"head":{"callFrame":{"functionName":"(root)","scriptId":"0","url":"","lineNumber":-1,"columnNumber":-1},"selfSize":0,"id":1,"children":[${kids.join(',')}]},"samples":[]}`;
}

/** A massif.out whose peak tree is one chain `depth` deep, every node holding 8 bytes of its own. */
export function deepMassif(depth: number, opts: { systemTop?: number } = {}): string {
  const out = ['desc: (none)', 'cmd: ./deep', 'time_unit: i', '#-----------', 'snapshot=0', '#-----------', 'time=1'];
  out.push(`mem_heap_B=${8 * depth}`, 'mem_heap_extra_B=0', 'mem_stacks_B=0', 'heap_tree=peak');
  out.push(`n1: ${8 * depth} (heap allocation functions) malloc/new/new[], --alloc-fns, etc.`);
  for (let d = 1; d <= depth; d++) {
    const internal = opts.systemTop !== undefined && d <= opts.systemTop;
    const where = internal ? `(in /usr/lib/x86_64-linux-gnu/libfoo.so.1)` : `(deep.c:${d})`;
    out.push(`${' '.repeat(d)}n${d < depth ? 1 : 0}: ${8 * (depth - d + 1)} 0x${(0x10000 + d).toString(16).toUpperCase()}: f${d} ${where}`);
  }
  return out.join('\n') + '\n';
}

/** A massif.out whose peak tree has `width` leaves under the allocation root. */
export function wideMassif(width: number): string {
  const out = ['desc: (none)', 'cmd: ./wide', 'time_unit: i', '#-----------', 'snapshot=0', '#-----------', 'time=1'];
  out.push(`mem_heap_B=${16 * width}`, 'mem_heap_extra_B=0', 'mem_stacks_B=0', 'heap_tree=peak');
  out.push(`n${width}: ${16 * width} (heap allocation functions) malloc/new/new[], --alloc-fns, etc.`);
  for (let i = 0; i < width; i++) out.push(` n0: 16 0x${(0x20000 + i).toString(16).toUpperCase()}: g${i} (wide.c:${i + 1})`);
  return out.join('\n') + '\n';
}

/** valgrind memcheck text with `sites` loss records of `frames` frames each. */
export function manyMemcheckSites(sites: number, frames = 12): string {
  const out = ['==42== Memcheck, a memory error detector', '==42== Command: ./many', '==42== ', '==42== HEAP SUMMARY:'];
  for (let i = 0; i < sites; i++) {
    out.push(`==42== 16 bytes in 1 blocks are definitely lost in loss record ${i + 1} of ${sites}`);
    out.push('==42==    at 0x483877F: malloc (vg_replace_malloc.c:307)');
    for (let f = 1; f < frames; f++) out.push(`==42==    by 0x${(0x109000 + f).toString(16).toUpperCase()}: fn${i}_${f} (many.c:${f})`);
    out.push('==42== ');
  }
  return out.join('\n') + '\n';
}

/** A LeakSanitizer report with `sites` leak stacks of `frames` frames each. */
export function manyLsanSites(sites: number, frames = 8): string {
  const out = ['=================================================================', '==42==ERROR: LeakSanitizer: detected memory leaks', ''];
  for (let i = 0; i < sites; i++) {
    out.push(`Direct leak of ${16 + i} byte(s) in 1 object(s) allocated from:`);
    out.push('    #0 0x7f0000001000 in __interceptor_malloc ../../../../src/libsanitizer/lsan/lsan_interceptors.cpp:75');
    for (let f = 1; f < frames; f++) out.push(`    #${f} 0x55${(0x1000 + f).toString(16)} in fn${i}_${f} /src/many.c:${f}:3`);
    out.push('');
  }
  out.push(`SUMMARY: LeakSanitizer: ${sites * 16} byte(s) leaked in ${sites} allocation(s).`);
  return out.join('\n') + '\n';
}

/** tracemalloc traceback statistics: `sites` entries with `frames` File lines each. */
export function manyTracemallocTracebacks(sites: number, frames = 10): string {
  const out: string[] = [];
  for (let i = 0; i < sites; i++) {
    out.push(`${i + 1} memory blocks: ${(sites - i) * 1.5} KiB`);
    for (let f = 0; f < frames; f++) out.push(`  File "/app/mod${i}.py", line ${f + 1}`, `    x = make_${f}()`);
  }
  return out.join('\n') + '\n';
}

/** `go tool pprof -top -lines` text with `rows` rows, flat decreasing. */
export function manyPprofRows(rows: number): string {
  const out = [
    'File: server',
    'Type: inuse_space',
    `Showing nodes accounting for ${rows}MB, 100% of ${rows}MB total`,
    '      flat  flat%   sum%        cum   cum%',
  ];
  for (let i = 0; i < rows; i++)
    out.push(`  ${((rows - i) / 100).toFixed(2)}MB  0.01%  50.00%  ${((rows - i) / 100).toFixed(2)}MB  0.01%  main.fn${i} /src/pkg${i % 50}/f.go:${i + 1}`);
  return out.join('\n') + '\n';
}

/** memory_profiler line-by-line output: one function of `rows` lines, every other one growing. */
export function manyMemoryProfilerRows(rows: number): string {
  const out = ['Filename: /src/app.py', '', 'Line #    Mem usage    Increment  Occurrences   Line Contents', '='.repeat(61)];
  for (let i = 0; i < rows; i++)
    out.push(`${String(i + 1).padStart(6)}  ${(20 + i / 10).toFixed(3)} MiB  ${(i % 2 ? 0.1 : 0).toFixed(3)} MiB           1       x${i} = [0] * ${i}`);
  return out.join('\n') + '\n';
}

/** A .heapsnapshot with `nodes` objects over `constructors` constructor names. */
export function heapSnapshot(nodes: number, constructors = 1000): string {
  const strings: string[] = [];
  for (let i = 0; i < constructors; i++) strings.push(`"Ctor${i}"`);
  const ns: string[] = [];
  for (let i = 0; i < nodes; i++) ns.push(`3,${i % constructors},${i * 2 + 1},${32 + (i % 64)},0,0,0`);
  return (
    '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],' +
    '"node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint"],"string","number","number","number","number","number"],' +
    `"edge_fields":["type","name_or_index","to_node"],"edge_types":[[],"string_or_number","node"]},"node_count":${nodes},"edge_count":0},` +
    `"nodes":[${ns.join(',')}],"edges":[],"strings":[${strings.join(',')}]}`
  );
}
