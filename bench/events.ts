// bench/events: `oom-lens events FILE --json > /dev/null` on a ~1 GB kern.log (real OOM samples in
// kernel noise) against `grep -c "Killed process" FILE`, in the same run. Prints throughput, the
// ratio to grep, and peak RSS. Targets: at most 3x grep's time; peak RSS under 150 MB.
// Size: BENCH_EVENTS_MB (default 1024). Run: npm run build && npx tsx bench/events.ts
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKernLog } from './lib/genKernLog';
import { measure } from './lib/measure';

const ROOT = join(__dirname, '..');
const mb = Number(process.env.BENCH_EVENTS_MB || 1024);
const dir = join(ROOT, 'bench', 'out');
const file = join(dir, `kern-${mb}MB-decoy${process.env.BENCH_EVENTS_DECOY_EVERY || 200}-splice${process.env.BENCH_EVENTS_SPLICE_MB || 8}.log`);

async function main() {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error('run `npm run build` first');
  mkdirSync(dir, { recursive: true });
  if (!existsSync(file) || statSync(file).size < mb * 1024 * 1024 * 0.99) {
    const t = Date.now();
    const g = await generateKernLog(file, mb * 1024 * 1024, join(ROOT, 'test', 'fixtures', 'corpus', 'kernel-oom'));
    console.log(
      `generated ${file}: ${(g.bytes / 1048576).toFixed(0)} MB with ${g.samples} real OOM samples and one memory-mentioning decoy line per ${process.env.BENCH_EVENTS_DECOY_EVERY || 200} noise lines, in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
  }
  const size = statSync(file).size;
  // Warm the page cache so both read from memory, then alternate runs.
  await measure('cat', [file]);
  const runs: { grep: number[]; ours: number[]; peak: number[] } = { grep: [], ours: [], peak: [] };
  for (let i = 0; i < 2; i++) {
    const g = await measure('grep', ['-c', 'Killed process', file]);
    runs.grep.push(g.ms);
    const o = await measure(process.execPath, [cli, 'events', file, '--json']);
    if (o.code !== 0) throw new Error(`oom-lens exited ${o.code}`);
    if (i === 0) {
      const { execFileSync } = await import('node:child_process');
      const events = JSON.parse(execFileSync(process.execPath, [cli, 'events', file, '--json'], { maxBuffer: 1 << 30, encoding: 'utf8' })).events.length;
      console.log(`OOM events found: ${events}`);
    }
    runs.ours.push(o.ms);
    runs.peak.push(o.peakKb);
  }
  const best = (a: number[]) => Math.min(...a);
  const mbps = (ms: number) => (size / 1048576 / (ms / 1000)).toFixed(0);
  console.log(`file: ${(size / 1048576).toFixed(0)} MB`);
  console.log(`grep -c "Killed process": ${best(runs.grep).toFixed(0)} ms (${mbps(best(runs.grep))} MB/s)`);
  console.log(`oom-lens events --json:    ${best(runs.ours).toFixed(0)} ms (${mbps(best(runs.ours))} MB/s)`);
  console.log(`ratio oom-lens / grep:     ${(best(runs.ours) / best(runs.grep)).toFixed(2)}x (target <= 3x)`);
  console.log(`peak RSS oom-lens:         ${(Math.max(...runs.peak) / 1024).toFixed(0)} MB (target < 150 MB)`);
  if (process.env.BENCH_KEEP !== '1') rmSync(file, { force: true });
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
