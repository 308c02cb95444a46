// bench/ssh: a full snapshot (all processes, with smaps_rollup) over SSH through SshHost, against
// two baselines measured in the same run on the same private sshd:
//   - exec per file: `cat` each file the snapshot reads, one exec each on ONE already-open
//     connection (kinder than a naive `for f in …; do ssh host cat $f; done`, which would also
//     reconnect every time). Run for the first N processes' files and extrapolated to all files.
//   - SFTP: ssh2 sftp open/read/close of every file, 64 files in flight.
// Each scenario runs on plain loopback and through our own delaying TCP proxy (50 ms each way =
// 100 ms RTT; `tc netem` does not exist in this kernel). Bytes are counted at the proxy (the
// loopback scenario goes through the same proxy with no delay, to count them).
// Targets: one exec per snapshot; < 1.5 s including connect at 100 ms RTT; < 0.5 s on loopback
// (connected).  Needs root and openssh-server.  Run: npx tsx bench/ssh.ts
// Env: BENCH_SSH_SAMPLE_PROCS (default 20 on loopback, 5 at 100 ms RTT), BENCH_SSH_USER=root|user.
// Note: every exec pays the remote login shell's start-up files (root's ~/.bashrc here: pyenv,
// cargo, ~200-400 ms); the bench prints that cost so the exec-per-file numbers can be read.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, SFTPWrapper } from 'ssh2';
import { collectSnapshot } from '../src/core/collect/snapshot';
import type { RawSnapshot } from '../src/core/parse/snapshotFrames';
import { SshHost, resolveTarget, loadSshConfig } from '../src/core/host/ssh';
import { shQuote } from '../src/core/shell';
import { sshdMissingReason } from '../test/integration/sshd/harness';
import { sshFixture, SshFixture } from '../test/integration/sshd/fixture';
import { TcpProxy } from '../test/integration/sshd/tcpProxy';

const now = () => Number(process.hrtime.bigint()) / 1e6;
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const kb = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

/** Every file the snapshot script reads, as absolute paths, from what it actually returned. */
function filesOf(raw: RawSnapshot): { global: string[]; perProc: Map<number, string[]>; cgroup: string[] } {
  const sysctls = ['overcommit_memory', 'overcommit_ratio', 'swappiness', 'panic_on_oom', 'oom_kill_allocating_task', 'min_free_kbytes'];
  const global = ['meminfo', 'uptime', 'swaps', 'pressure/memory', ...sysctls.map((s) => `sys/vm/${s}`), 'vmstat', 'self/mounts']
    .map((f) => `/proc/${f}`)
    .concat('/etc/passwd');
  const perProc = new Map<number, string[]>();
  for (const pid of raw.procs.keys())
    perProc.set(
      pid,
      ['status', 'oom_score', 'oom_score_adj', 'cgroup', 'cmdline', 'smaps_rollup'].map((f) => `/proc/${pid}/${f}`),
    );
  return { global, perProc, cgroup: [...raw.cgroupFiles.keys()] };
}

function rawClient(port: number, user: string, key: string, hostKeyB64: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('ready', () => {
      c.setNoDelay(true);
      resolve(c);
    })
      .on('error', reject)
      .connect({
        host: '127.0.0.1',
        port,
        username: user,
        privateKey: readFileSync(key),
        readyTimeout: 30_000,
        // Our own private sshd: accept exactly its key.
        hostVerifier: (k: Buffer) => k.toString('base64') === hostKeyB64,
      });
  });
}

function sftpOf(c: Client): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => c.sftp((e, s) => (e ? reject(e) : resolve(s))));
}

/** open + read to EOF + close; errors (EACCES, ESRCH, ENOENT) count as read. */
function sftpRead(s: SFTPWrapper, path: string): Promise<number> {
  return new Promise((resolve) => {
    s.open(path, 'r', (e, h) => {
      if (e) return resolve(0);
      let total = 0;
      const buf = Buffer.alloc(65536);
      const next = () =>
        s.read(h, buf, 0, buf.length, total, (re, n) => {
          if (re || !n) return s.close(h, () => resolve(total));
          total += n;
          next();
        });
      next();
    });
  });
}

async function pool<T>(items: T[], width: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

async function scenario(fx: SshFixture, label: string, delayMs: number, user: 'root' | 'user', sampleProcs: number) {
  const proxy = await TcpProxy.start(fx.sshd.port, delayMs);
  const khPath = join(fx.dir, `kh-bench-${proxy.port}`);
  writeFileSync(khPath, `${fx.sshd.knownHostsLine().replace(`:${fx.sshd.port}`, `:${proxy.port}`)}\n`);
  const cfgPath = join(fx.dir, `bench-${proxy.port}`);
  const userName = user === 'root' ? 'root' : fx.user.name;
  const key = user === 'root' ? fx.rootKey.path : fx.userKey.path;
  writeFileSync(
    cfgPath,
    `Host b\n  HostName 127.0.0.1\n  Port ${proxy.port}\n  User ${userName}\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${khPath}\n  GlobalKnownHostsFile /dev/null\n`,
  );
  const target = resolveTarget('b', loadSshConfig(cfgPath));

  // --- OOM Lens: connect + one exec -------------------------------------------------------
  const results: Record<string, { wall: number; execs: number; bytes: number; note: string }> = {};
  const runOurs = async () => {
    const host = new SshHost(target, { agentSocket: null });
    let execs = 0;
    const orig = host.exec.bind(host);
    host.exec = (c, o) => {
      execs++;
      return orig(c, o);
    };
    const b0 = proxy.bytesToClient;
    const t0 = now();
    await host.connect();
    const tConn = now() - t0;
    const snap = await collectSnapshot(host);
    const wall = now() - t0;
    const execsPerSnapshot = execs;
    const bytes = proxy.bytesToClient - b0;
    const t1 = now();
    await orig('true');
    const tTrue = now() - t1;
    // Connected: a second snapshot on the open connection.
    const t2 = now();
    await collectSnapshot(host);
    const connected = now() - t2;
    await host.close();
    return { snap, wall, tConn, bytes, execs: execsPerSnapshot, tTrue, connected };
  };
  await runOurs(); // warm-up (page cache, sshd)
  const ours = await runOurs();
  const raw = ours.snap.raw;
  const files = filesOf(raw);
  const procCount = files.perProc.size;
  const allFiles = files.global.length + procCount * 6 + files.cgroup.length;
  results.ours = {
    wall: ours.wall,
    execs: ours.execs,
    bytes: ours.bytes,
    note: `connect ${fmt(ours.tConn)} + snapshot ${fmt(ours.wall - ours.tConn)}; connected: ${fmt(ours.connected)}`,
  };

  // --- baseline: one exec per file --------------------------------------------------------
  {
    const host = new SshHost(target, { agentSocket: null });
    const b0 = proxy.bytesToClient;
    const t0 = now();
    await host.connect();
    const tConn = now() - t0;
    const sample = [...files.global, ...[...files.perProc.values()].slice(0, sampleProcs).flat()];
    const t1 = now();
    for (const f of sample) await host.exec(`cat ${shQuote(f)}`);
    const per = (now() - t1) / sample.length;
    const bytesPer = (proxy.bytesToClient - b0) / sample.length;
    await host.close();
    results.execPerFile = {
      wall: tConn + per * allFiles,
      execs: allFiles,
      bytes: bytesPer * allFiles,
      note: `measured ${sample.length} files (globals + first ${Math.min(sampleProcs, procCount)} processes) at ${fmt(per)}/file, extrapolated to ${allFiles} files`,
    };
  }

  // --- baseline: SFTP, 64 in flight -------------------------------------------------------
  {
    const hostKeyB64 = fx.sshd.hostKey('ed25519').pub.split(' ')[1];
    const b0 = proxy.bytesToClient;
    const t0 = now();
    const c = await rawClient(proxy.port, userName, key, hostKeyB64);
    const s = await sftpOf(c);
    const tConn = now() - t0;
    const list = [...files.global, ...[...files.perProc.values()].flat(), ...files.cgroup];
    await pool(list, 64, (f) => sftpRead(s, f));
    const wall = now() - t0;
    c.end();
    results.sftp = { wall, execs: 0, bytes: proxy.bytesToClient - b0, note: `${list.length} files, connect+sftp ${fmt(tConn)}` };
  }
  await proxy.close();

  console.log(`\n== ${label} (login ${userName}; ${procCount} processes, ${allFiles} files)`);
  console.log(`   remote shell start-up per exec (\`true\`): ${fmt(ours.tTrue)}`);
  const row = (name: string, r: { wall: number; execs: number; bytes: number; note: string }) =>
    console.log(`   ${name.padEnd(22)} ${fmt(r.wall).padStart(8)}  execs ${String(r.execs).padStart(5)}  received ${kb(r.bytes).padStart(9)}   ${r.note}`);
  row('OOM Lens (1 exec)', results.ours);
  row('exec per file', results.execPerFile);
  row('SFTP 64 in flight', results.sftp);
  console.log(
    `   ratios: exec-per-file / OOM Lens = ${(results.execPerFile.wall / results.ours.wall).toFixed(1)}x, SFTP / OOM Lens = ${(results.sftp.wall / results.ours.wall).toFixed(1)}x`,
  );
  return { ours, results };
}

async function main() {
  const why = sshdMissingReason();
  if (why) {
    console.warn(`bench/ssh skipped: ${why}`);
    process.exit(1);
  }
  const user = (process.env.BENCH_SSH_USER === 'user' ? 'user' : 'root') as 'root' | 'user';
  const fx = await sshFixture();
  try {
    const lo = await scenario(fx, 'loopback (no added delay)', 0, user, Number(process.env.BENCH_SSH_SAMPLE_PROCS ?? 20));
    const wan = await scenario(fx, '100 ms RTT (50 ms each way through a delaying proxy)', 50, user, Number(process.env.BENCH_SSH_SAMPLE_PROCS ?? 5));
    console.log('\n== targets');
    const check = (ok: boolean, what: string) => console.log(`   ${ok ? 'PASS' : 'MISS'}  ${what}`);
    check(lo.ours.execs === 1 && wan.ours.execs === 1, `one exec per snapshot (${lo.ours.execs}, ${wan.ours.execs})`);
    check(wan.ours.wall < 1500, `100 ms RTT, including connect: ${fmt(wan.ours.wall)} < 1.5 s`);
    check(lo.ours.connected < 500, `loopback, connected: ${fmt(lo.ours.connected)} < 0.5 s`);
  } finally {
    await fx.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
