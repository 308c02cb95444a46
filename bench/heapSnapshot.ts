// bench/heapSnapshot: a REAL V8 .heapsnapshot of a big heap (a node process holding N objects of
// a leaking class, written by v8.writeHeapSnapshot) opened with `oom-lens leaks FILE --json`.
// Baseline, in the same run: `cat FILE` through node (the same bytes read as UTF-8 text, nothing
// parsed). Prints wall time and peak RSS of both and the ratios: the reader is streamed, so its
// peak must not grow with the file (it did: JSON.parse of a 450 MB snapshot died in V8).
// Run: npm run build && npx tsx bench/heapSnapshot.ts   (BENCH_SNAPSHOT_OBJECTS=3000000, RUNS=3)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure } from './lib/measure';

const ROOT = join(__dirname, '..');
const OBJECTS = Number(process.env.BENCH_SNAPSHOT_OBJECTS || 3_000_000);
const RUNS = Number(process.env.RUNS || 3);
const CLI = join(ROOT, 'dist', 'cli.js');
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-bench-snap-'));
  try {
    const file = join(dir, 'big.heapsnapshot');
    const make = `
    class LeakyRecord { constructor(i) { this.id = i; this.name = 'r' + i; } }
    const kept = [];
    for (let i = 0; i < ${OBJECTS}; i++) kept.push(new LeakyRecord(i));
    require('v8').writeHeapSnapshot(${JSON.stringify(file)});
    console.log(kept.length);`;
    const t0 = Date.now();
    const w = spawnSync(process.execPath, ['--max-old-space-size=8192', '-e', make], { encoding: 'utf8' });
    if (w.status !== 0) throw new Error(`writing the snapshot failed: ${w.stderr}`);
    const size = statSync(file).size;
    console.log(
      `bench/heapSnapshot: a real V8 snapshot of ${OBJECTS} LeakyRecord objects: ${mib(size)} (written in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );

    const cat = `const s = require('fs').createReadStream(${JSON.stringify(file)}, { encoding: 'utf8' }); let n = 0; s.on('data', (c) => { n += c.length; }); s.on('end', () => console.log(n));`;
    const base = { ms: [] as number[], kb: [] as number[] };
    const ours = { ms: [] as number[], kb: [] as number[] };
    let report: { sites?: { label?: string; count?: number; bytes?: number }[]; warnings?: string[] } = {};
    for (let i = 0; i < RUNS; i++) {
      const b = await measure(process.execPath, ['-e', cat]);
      base.ms.push(b.ms);
      base.kb.push(b.peakKb);
      const o = await measure(process.execPath, [CLI, 'leaks', file, '--json']);
      if (o.code !== 0) throw new Error(`oom-lens leaks exited ${o.code}`);
      ours.ms.push(o.ms);
      ours.kb.push(o.peakKb);
    }
    const j = spawnSync(process.execPath, [CLI, 'leaks', file, '--json'], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
    report = JSON.parse(j.stdout) as typeof report;
    const leaky = report.sites?.find((s) => s.label === 'LeakyRecord');
    if (!leaky || leaky.count !== OBJECTS) throw new Error(`LeakyRecord count ${leaky?.count}, expected ${OBJECTS}: ${JSON.stringify(report.warnings)}`);
    const bm = median(base.ms);
    const om = median(ours.ms);
    console.log(`  found: LeakyRecord × ${leaky.count}, ${mib(leaky.bytes ?? 0)} shallow; warnings: ${JSON.stringify(report.warnings ?? [])}`);
    console.log(`  baseline (read the file as text, parse nothing): ${(bm / 1000).toFixed(2)} s, peak RSS ${mib(median(base.kb) * 1024)}`);
    console.log(`  oom-lens leaks FILE --json:                      ${(om / 1000).toFixed(2)} s, peak RSS ${mib(median(ours.kb) * 1024)}`);
    console.log(
      `  ratio: time ${(om / bm).toFixed(2)}×, peak RSS ${(median(ours.kb) / median(base.kb)).toFixed(2)}× the baseline; ${(size / 2 ** 20 / (om / 1000)).toFixed(0)} MiB/s; peak RSS / file size ${((median(ours.kb) * 1024) / size).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
