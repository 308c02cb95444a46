// bench/watch: the CPU cost of `oom-lens watch --events` at its default rate (a sample every 5 s,
// the kernel log followed), over a few minutes, as % of one core; target < 1 %. Measured from
// outside by /proc/PID/stat (utime + stime + the children it reaped) summed over the process tree:
//   - this machine: the CLI's node process, its sampler sh (and the grep it forks per frame) and the
//     kernel-log follower (journalctl / dmesg -w / tail -F);
//   - over SSH (the private sshd, when present): the CLI on the client side, and on the host side
//     everything under the sshd: the session process (encryption), the sampler, the follower.
// Baseline in the same window: an idle node process (a timer every second), so the ratio says
// something on a noisy shared machine.  Run: npm run build && npx tsx bench/watch.ts
// Env: BENCH_WATCH_SECONDS (default 180 per scenario), BENCH_WATCH_SSH=0 to skip the SSH scenario.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshdMissingReason } from '../test/integration/sshd/harness';
import { sshFixture } from '../test/integration/sshd/fixture';

const CLI = join(__dirname, '..', 'dist', 'cli.js');
const SECONDS = Number(process.env.BENCH_WATCH_SECONDS ?? 180);
/** Let the first snapshot and the start-up compile pass: the steady cost is what runs all day. */
const WARMUP_MS = 15_000;
const HZ = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stat {
  ppid: number;
  ticks: number;
}

function stats(): Map<number, Stat> {
  const out = new Map<number, Stat>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      // After the comm: state ppid … utime(14) stime(15) cutime(16) cstime(17), counted from field 3.
      out.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** CPU seconds of a process and every descendant alive now (the dead ones are in their parents' cutime). */
function treeSeconds(root: number, all = stats()): { seconds: number; procs: number } {
  const kids = new Map<number, number[]>();
  for (const [pid, s] of all) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), pid]);
  let ticks = 0;
  let procs = 0;
  const stack = [root];
  while (stack.length) {
    const p = stack.pop()!;
    const s = all.get(p);
    if (!s) continue;
    ticks += s.ticks;
    procs++;
    stack.push(...(kids.get(p) ?? []));
  }
  return { seconds: ticks / HZ, procs };
}

const pct = (cpuS: number, wallMs: number) => (100 * cpuS) / (wallMs / 1000);
const fmt = (p: number) => `${p.toFixed(3)} %`;

function idleNode(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
}

async function scenario(name: string, args: string[], hostRoot: (() => number) | null): Promise<void> {
  const watch = spawn(process.execPath, [CLI, 'watch', '--events', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const baseline = idleNode();
  let lines = 0;
  let stderr = '';
  watch.stdout!.on('data', (d: Buffer) => (lines += d.toString().split('\n').length - 1));
  watch.stderr!.on('data', (d) => (stderr += d));
  await sleep(WARMUP_MS);
  if (watch.exitCode !== null) throw new Error(`the watch exited: ${stderr}`);
  const t0 = Date.now();
  const all0 = stats();
  const w0 = treeSeconds(watch.pid!, all0);
  const b0 = treeSeconds(baseline.pid!, all0);
  const h0 = hostRoot ? treeSeconds(hostRoot(), all0) : null;
  await sleep(SECONDS * 1000);
  const wall = Date.now() - t0;
  const all1 = stats();
  const w1 = treeSeconds(watch.pid!, all1);
  const b1 = treeSeconds(baseline.pid!, all1);
  const h1 = hostRoot ? treeSeconds(hostRoot(), all1) : null;
  watch.kill('SIGINT');
  baseline.kill();
  await new Promise((r) => watch.on('exit', r));
  const w = pct(w1.seconds - w0.seconds, wall);
  const b = pct(b1.seconds - b0.seconds, wall);
  console.log(`\n${name}: ${Math.round(wall / 1000)} s after a ${WARMUP_MS / 1000} s warm-up, ${lines} event lines`);
  const what = hostRoot ? 'the CLI (client side)' : 'CLI + sampler + follower';
  console.log(`  watch (${what}, ${w1.procs} processes): ${fmt(w)} of one core  (${(w1.seconds - w0.seconds).toFixed(2)} CPU s)`);
  if (h0 && h1) {
    const h = pct(h1.seconds - h0.seconds, wall);
    console.log(`  host side under sshd (${h1.procs} processes): ${fmt(h)}; both sides together ${fmt(w + h)}`);
  }
  console.log(`  baseline, an idle node process:                ${fmt(b)}  (watch / baseline ${(b > 0 ? w / b : Infinity).toFixed(1)}×)`);
  console.log(`  target < 1 % of a core: ${w < 1 ? 'met' : 'NOT met'}`);
}

async function main(): Promise<void> {
  console.log(`bench/watch: oom-lens watch --events at its default rate (5 s), ${SECONDS} s per scenario, CLK_TCK ${HZ}`);
  await scenario('this machine', [], null);
  const missing = sshdMissingReason() ?? (process.getuid?.() !== 0 ? 'not root' : null);
  if (process.env.BENCH_WATCH_SSH === '0' || missing) {
    console.log(`\nover SSH: skipped (${missing ?? 'BENCH_WATCH_SSH=0'})`);
    return;
  }
  const fx = await sshFixture();
  try {
    // Root: it reads the kernel log. The client side (the CLI) is measured apart from the host side (the sshd tree).
    const cfg = join(fx.dir, 'bench_config');
    writeFileSync(
      cfg,
      `Host watched\n  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root\n  IdentityFile ${fx.rootKey.path}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null\n`,
    );
    await scenario('over SSH (the private sshd on 127.0.0.1)', ['--host', 'watched', '--ssh-config', cfg], () => fx.sshd.pid);
  } finally {
    await fx.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
