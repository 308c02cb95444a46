// bench/readers: every leak reader on inputs that double in size (deep chains, wide trees, many
// sites), each size read in a child process of its own: parse time and peak RSS per size, and the
// ratio to the previous size (linear ≈ 2x). The issue's bound: a 20,000-frame .heapprofile chain in
// under 2 s and 300 MB.
// Run: npx tsx bench/readers.ts   (BENCH_READERS_STEPS=5: sizes per shape; BENCH_READERS_ONLY=name)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as gen from './lib/genLeaks';

const ROOT = join(__dirname, '..');
const STEPS = Number(process.env.BENCH_READERS_STEPS || 5);

interface Shape {
  name: string;
  /** the smallest size; each step doubles it */
  base: number;
  unit: string;
  make: (n: number) => string;
}

// massif's tree is indented by depth: its deep input grows as depth², so its sizes are smaller.
const SHAPES: Shape[] = [
  { name: 'heapprofile deep chain', base: 2500, unit: 'frames', make: (n) => gen.deepHeapProfile(n) },
  { name: 'heapprofile wide tree', base: 25000, unit: 'children', make: (n) => gen.wideHeapProfile(n) },
  { name: 'massif deep chain', base: 500, unit: 'frames', make: (n) => gen.deepMassif(n) },
  { name: 'massif wide tree', base: 25000, unit: 'leaves', make: (n) => gen.wideMassif(n) },
  { name: 'memcheck text sites', base: 5000, unit: 'records', make: (n) => gen.manyMemcheckSites(n) },
  { name: 'memcheck text deep stacks', base: 250, unit: 'frames x 100', make: (n) => gen.manyMemcheckSites(100, n) },
  { name: 'lsan sites', base: 5000, unit: 'stacks', make: (n) => gen.manyLsanSites(n) },
  { name: 'tracemalloc tracebacks', base: 5000, unit: 'sites', make: (n) => gen.manyTracemallocTracebacks(n) },
  { name: 'go pprof -top rows', base: 25000, unit: 'rows', make: (n) => gen.manyPprofRows(n) },
  { name: 'memory_profiler rows', base: 25000, unit: 'lines', make: (n) => gen.manyMemoryProfilerRows(n) },
  { name: 'heapsnapshot nodes', base: 100000, unit: 'nodes', make: (n) => gen.heapSnapshot(n) },
];

function child(shape: string, n: number): void {
  const { parseLeakReport } = require('../src/core/parse/leaks') as typeof import('../src/core/parse/leaks');
  const s = SHAPES.find((x) => x.name === shape)!;
  const text = s.make(n);
  const before = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  const t0 = performance.now();
  const r = parseLeakReport(text);
  const ms = performance.now() - t0;
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
  const frames = r.sites.reduce((a, x) => a + x.frames.length, 0);
  process.stdout.write(JSON.stringify({ ms, hwmKb: hwm, beforeKb: before, inputBytes: text.length, sites: r.sites.length, frames, tool: r.tool }));
}

function main(): void {
  const only = process.env.BENCH_READERS_ONLY;
  console.log('size doubles each row; time = parse only; peak RSS = the child process (input included); x = ratio to the row above\n');
  console.log(
    `${'shape'.padEnd(28)}${'size'.padStart(10)}  ${'input'.padStart(9)}  ${'sites'.padStart(7)}  ${'time'.padStart(9)}  ${'x'.padStart(5)}  ${'peak RSS'.padStart(9)}  ${'x'.padStart(5)}`,
  );
  for (const s of SHAPES) {
    if (only && !s.name.includes(only)) continue;
    let prev: { ms: number; hwmKb: number } | null = null;
    for (let i = 0; i < STEPS; i++) {
      const n = s.base * 2 ** i;
      const r = spawnSync(process.execPath, ['--max-old-space-size=4096', '-r', 'tsx/cjs', __filename, '--child', s.name, String(n)], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 300_000,
      });
      if (r.status !== 0) {
        console.log(`${s.name.padEnd(28)}${String(n).padStart(10)}  failed: ${(r.stderr || r.error?.message || '').trim().split('\n').slice(-1)[0]}`);
        break;
      }
      const m = JSON.parse(r.stdout) as { ms: number; hwmKb: number; inputBytes: number; sites: number };
      const x = (a: number, b: number | undefined) => (b ? (a / b).toFixed(2) : '');
      console.log(
        `${(i === 0 ? s.name : '').padEnd(28)}${String(n).padStart(10)}  ${`${(m.inputBytes / 1048576).toFixed(1)} MB`.padStart(9)}  ${String(m.sites).padStart(7)}  ` +
          `${`${m.ms.toFixed(0)} ms`.padStart(9)}  ${x(m.ms, prev?.ms).padStart(5)}  ${`${(m.hwmKb / 1024).toFixed(0)} MB`.padStart(9)}  ${x(m.hwmKb, prev?.hwmKb).padStart(5)}`,
      );
      prev = m;
    }
  }
}

if (process.argv[2] === '--child') child(process.argv[3], Number(process.argv[4]));
else main();
