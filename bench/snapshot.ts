// bench/snapshot: with ~500 processes running, `oom-lens snapshot --json` end to end against
// `smem -t -p` and against the bare floor `cat /proc/[0-9]*/smaps_rollup`, in the same run; the
// collection itself timed inside the process (what the extension pays) against that floor; the
// sampler's CPU at a 1 s interval; the memory of a simulated 24 h session at 1 s.
// Run: npm run build && npx tsx bench/snapshot.ts   (smem: apt-get install --no-install-recommends smem)
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../src/core/host/localHost';
import { collectSnapshot } from '../src/core/collect/snapshot';
import { runSampler } from '../src/core/collect/sampler';
import { SeriesStore } from '../src/core/collect/seriesStore';
import { newFrame, procSample, type Frame } from '../src/core/parse/sampleFrames';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const BIN = join(ROOT, 'bin', 'oom-lens');
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

function wall(cmd: string, args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${String(r.stderr).slice(0, 200)}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** CPU seconds of this process and its waited-for children (utime+stime+cutime+cstime). */
function cpuSeconds(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return ticks / 100;
}

/** Live processes (a zombie has no memory to read: it would make the floor look cheap). */
function liveProcesses(): number {
  return readdirSync('/proc').filter((d) => {
    if (!/^\d+$/.test(d)) return false;
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${d}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }).length;
}

async function main() {
  const have = liveProcesses();
  const extra: ChildProcess[] = [];
  for (let i = have; i < 500; i++) extra.push(spawn('sleep', ['600'], { stdio: 'ignore' }));
  await new Promise((r) => setTimeout(r, 500));
  try {
    const n = liveProcesses();
    console.log(`processes: ${n}`);
    const runs = 7;
    const floor: number[] = [],
      cli: number[] = [],
      bin: number[] = [],
      smem: number[] = [],
      inproc: number[] = [];
    const hasSmem = spawnSync('sh', ['-c', 'command -v smem']).status === 0;
    const host = new LocalHost();
    await collectSnapshot(host); // warm
    for (let i = 0; i < runs; i++) {
      floor.push(wall('sh', ['-c', 'cat /proc/[0-9]*/smaps_rollup > /dev/null 2>&1; true']));
      cli.push(wall(process.execPath, [CLI, 'snapshot', '--json']));
      bin.push(wall(BIN, ['snapshot', '--json']));
      if (hasSmem) smem.push(wall('smem', ['-t', '-p']));
      inproc.push((await collectSnapshot(host)).collectMs);
    }
    console.log(`floor  cat /proc/[0-9]*/smaps_rollup: ${median(floor).toFixed(0)} ms`);
    console.log(`oom-lens snapshot --json, the installed command (bin/oom-lens), end to end: ${median(bin).toFixed(0)} ms`);
    console.log(
      `node dist/cli.js snapshot --json, end to end${process.env.NODE_EXTRA_CA_CERTS ? ' (Node also loads NODE_EXTRA_CA_CERTS at start-up)' : ''}: ${median(cli).toFixed(0)} ms`,
    );
    if (hasSmem) {
      console.log(
        `smem -t -p: ${median(smem).toFixed(0)} ms  → oom-lens is ${(median(smem) / median(bin)).toFixed(2)}x faster (target >= 3x); node dist/cli.js ${(median(smem) / median(cli)).toFixed(2)}x`,
      );
    } else console.log('smem -t -p: NOT INSTALLED (apt-get install --no-install-recommends smem): no smem ratio');
    console.log(`collection inside the process: ${median(inproc).toFixed(0)} ms → ${(median(inproc) / median(floor)).toFixed(2)}x the floor (target <= 1.5x)`);

    // Sampler CPU at 1 s for 20 s.
    const store = new SeriesStore();
    const c0 = cpuSeconds();
    const t0 = Date.now();
    await runSampler(host, store, { intervalMs: 1000, durationMs: 20_000 });
    const cpu = cpuSeconds() - c0;
    const secs = (Date.now() - t0) / 1000;
    console.log(`sampler at 1 s with ${n} processes: ${store.length} frames, CPU ${((cpu / secs) * 100).toFixed(1)}% of one core (target < 5%)`);

    // Memory of a simulated 24 h session at 1 s, ~500 processes (a few come and go).
    const sim = new SeriesStore();
    const frame = (i: number): Frame => {
      const procs = new Map<number, Frame['procs'] extends Map<number, infer P> ? P : never>();
      for (let p = 0; p < 480; p++)
        procs.set(
          p + 1,
          procSample(p + 1, `p${p}`, {
            rssKb: 1000 + p + (i % 13),
            rssAnonKb: 900 + p,
            rssFileKb: 100,
            rssShmemKb: 0,
            swapKb: 0,
            pssKb: i % 10 === 0 ? 800 : null,
            start: 100 + p,
          }),
        );
      const cron = 100_000 + Math.floor(i / 30);
      procs.set(cron, procSample(cron, 'cron-job', { rssKb: 5000, rssAnonKb: 4000, rssFileKb: 1000, rssShmemKb: 0, swapKb: 0, start: cron }));
      return { ...newFrame(i, i), mem: { MemTotal: 24_000_000, MemAvailable: 20_000_000 - i, SwapTotal: 0, SwapFree: 0 }, psiSomeAvg10: 0, procs };
    };
    const marks: string[] = [];
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let i = 0; i < 86_400; i++) {
      sim.add(frame(i), i * 1000);
      if ((i + 1) % 21_600 === 0) {
        gc?.();
        marks.push(`${(i + 1) / 3600} h: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MB heap, ${sim.length} points × ${sim.procs.size} series`);
      }
    }
    console.log(`simulated 24 h at 1 s (${gc ? 'after gc' : 'run with node --expose-gc for exact numbers'}):\n  ${marks.join('\n  ')}`);
  } finally {
    for (const c of extra) c.kill('SIGKILL');
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
