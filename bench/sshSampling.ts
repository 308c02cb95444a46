// bench/sshSampling: 24 h of sampling over SSH, simulated. An ssh2 server of the bench's own answers
// the sampler's command with 86,400 frames (1 s each) of 100 processes at full speed, through the
// real SshHost, runSampler and SeriesStore. Prints heap and RSS at 1 h, 6 h, 12 h and 24 h of frames
// (they must stay flat: every frame used to be kept, ~92 KB each at 510 processes) beside a baseline
// in the same process: the same frames parsed from memory, with no SSH.
// Run: npx tsx bench/sshSampling.ts   (BENCH_FRAMES to change 86400)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils } from 'ssh2';
import { hostFromSpec } from '../src/core/host/ssh';
import { knownHostsLine } from '../src/core/host/ssh/knownHosts';
import { runSampler } from '../src/core/collect/sampler';
import { SeriesStore } from '../src/core/collect/seriesStore';
import { FrameParser } from '../src/core/parse/sampleFrames';
import { FRAME } from '../src/core/parse/frame';

const FRAMES = Number(process.env.BENCH_FRAMES || 86_400);
const PROCS = 100;
const MARKS = [3600, 6 * 3600, 12 * 3600, 24 * 3600].filter((m) => m <= FRAMES);

function frameText(k: number): string {
  let s = `${FRAME} frame ${k} ${1000 + k}\nmeminfo:MemAvailable: ${8_000_000 - (k % 1000)} kB\n`;
  for (let p = 1; p <= PROCS; p++)
    s += `${p}/status:Name:\tproc${p}\n${p}/status:VmRSS:\t${10_000 + p + (k % 7)} kB\n${p}/stat:${p} (proc${p}) S 1 ${p} 0 0 0 0 0 0 0 0 0 0 0 0 20 0 1 0 ${p * 100} 0 0\n`;
  return s + `${FRAME} done\n`;
}

const mb = (n: number) => (n / 2 ** 20).toFixed(1);
function snapshot() {
  global.gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function main() {
  const kp = utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(kp.private) as unknown as { getPublicSSH(): Buffer };
  const server = new Server({ hostKeys: [kp.private] }, (client) => {
    client.on('error', () => {});
    client.on('authentication', (ctx) => (ctx.method === 'password' ? ctx.accept() : ctx.reject(['password'])));
    client.on('ready', () =>
      client.on('session', (accept) =>
        accept().on('exec', (acceptExec) => {
          const ch = acceptExec();
          let k = 0;
          const pump = () => {
            while (k < FRAMES) if (!ch.write(frameText(k++))) return;
            ch.write(`${FRAME} end\n`);
            ch.exit(0);
            ch.end();
          };
          ch.on('drain', pump);
          pump();
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-bench-ssh-'));
  writeFileSync(join(dir, 'kh'), knownHostsLine('127.0.0.1', port, parsed.getPublicSSH()) + '\n');
  writeFileSync(join(dir, 'cfg'), `Host b\n  HostName 127.0.0.1\n  Port ${port}\n  User u\n  UserKnownHostsFile ${join(dir, 'kh')}\n`);

  // Baseline: the same frames, parsed from memory into a store, no SSH.
  const base0 = snapshot();
  const bstore = new SeriesStore();
  const bp = new FrameParser((f) => bstore.add(f, f.index * 1000));
  const baseAt: Record<number, number> = {};
  for (let k = 0; k < FRAMES; k++) {
    bp.push(frameText(k));
    if (MARKS.includes(k + 1)) baseAt[k + 1] = snapshot().heap - base0.heap;
  }

  const host = hostFromSpec('b', { sshConfigPath: join(dir, 'cfg'), agentSocket: null, callbacks: { askPassword: () => 'pw' } });
  const store = new SeriesStore();
  const start = snapshot();
  const at: Record<number, { heap: number; rss: number }> = {};
  const t0 = Date.now();
  let n = 0;
  const res = await runSampler(host, store, {
    intervalMs: 1000,
    durationMs: FRAMES * 1000,
    onFrame: () => {
      n++;
      if (MARKS.includes(n)) at[n] = snapshot();
    },
  });
  const secs = (Date.now() - t0) / 1000;
  await host.close();
  server.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(
    `${res.frames} frames of ${PROCS} processes over SSH in ${secs.toFixed(0)} s (${(res.frames / secs).toFixed(0)} frames/s); store holds ${store.length} points`,
  );
  for (const m of MARKS) {
    const a = at[m];
    if (!a) continue;
    console.log(
      `  after ${String(m / 3600).padStart(2)} h of frames: heap +${mb(a.heap - start.heap)} MiB, RSS ${mb(a.rss)} MiB; baseline (no SSH) heap +${mb(baseAt[m])} MiB; ratio ${((a.heap - start.heap) / Math.max(1, baseAt[m])).toFixed(2)}x`,
    );
  }
  const first = at[MARKS[0]];
  const last = at[MARKS[MARKS.length - 1]];
  if (first && last)
    console.log(`heap from ${MARKS[0] / 3600} h to ${MARKS[MARKS.length - 1] / 3600} h: ${mb(last.heap - first.heap)} MiB (flat means ≈ 0, target < 20 MiB)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
