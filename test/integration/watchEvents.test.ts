// `oom-lens watch --events` through the built CLI: a REAL OOM kill in a memory cgroup the test
// creates arrives as one JSON line within 5 s of the kill, with the victim's pid; --fail-on kill
// exits 3 right after it; the same over the private sshd, and again after the SSH connection was
// cut (the watch reconnects). Root only (the cgroup, the kernel log, the sshd).
import { strict as assert } from 'node:assert';
import { spawn, ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, requireBuiltCli, isRoot, skipLoudly, which, missingDependency } from './helpers';
import { growBinary, createMemcg, removeMemcg, memcgRoot, startGrowerIn } from './support/oomKill';
import { sshFixture, type SshFixture } from './sshd/fixture';
import { requireSshd } from './sshd/harness';
import { TcpProxy } from './sshd/tcpProxy';

interface Line {
  v: number;
  type: string;
  host: string;
  time: string;
  severity: string;
  message: string;
  pid?: number | null;
  comm?: string | null;
  cgroup?: string | null;
  anonRssKb?: number | null;
  kernelLog?: string;
}

/** The CLI running `watch --events …`, each stdout line parsed (a line that is not JSON fails the test) with its arrival time. */
class Watch {
  readonly child: ChildProcess;
  readonly lines: { at: number; e: Line }[] = [];
  readonly notJson: string[] = [];
  stderr = '';
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private rest = '';

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [CLI, 'watch', '--events', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.exit = new Promise((r) => this.child.on('exit', (code, signal) => r({ code, signal })));
    this.child.stderr!.on('data', (d) => (this.stderr += d));
    this.child.stdout!.on('data', (d: Buffer) => {
      const parts = (this.rest + d.toString('utf8')).split('\n');
      this.rest = parts.pop() ?? '';
      for (const p of parts) {
        try {
          this.lines.push({ at: Date.now(), e: JSON.parse(p) });
        } catch {
          this.notJson.push(p);
        }
      }
    });
  }

  async until<T>(find: () => T | undefined, ms: number, what: string): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = find();
      if (v !== undefined) return v;
      if (Date.now() > end || this.child.exitCode !== null)
        throw new Error(`no ${what} within ${ms} ms; lines: ${JSON.stringify(this.lines.map((l) => l.e.message))}; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The watch follows the kernel log: kills from now on are seen. */
  watching(ms = 30_000): Promise<Line> {
    return this.until(() => this.lines.find((l) => l.e.type === 'watching' && /^following /.test(l.e.kernelLog ?? ''))?.e, ms, 'watching line');
  }

  killOf(pid: number, ms = 15_000): Promise<{ at: number; e: Line }> {
    return this.until(() => this.lines.find((l) => l.e.type === 'oom-kill' && l.e.pid === pid), ms, `oom-kill line for pid ${pid}`);
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
  }
}

/** A real OOM kill: the grower joins a 64 MiB cgroup and grows 4 MiB per 20 ms until the kernel kills it. Returns its pid and when it died. */
async function causeKill(): Promise<{ pid: number; diedAt: number; cgroup: string; signal: string | null }> {
  const cg = createMemcg(64);
  try {
    const run = await startGrowerIn(cg, growBinary(), ['4', '20']);
    const exit = await run.exit;
    return { pid: run.pid, diedAt: Date.now(), cgroup: cg.path, signal: exit.signal };
  } finally {
    removeMemcg(cg);
  }
}

function requireKillable(ctx: Mocha.Context): void {
  requireBuiltCli();
  if (!isRoot) skipLoudly(ctx, 'a real OOM kill in a test cgroup needs root');
  if (!memcgRoot()) skipLoudly(ctx, 'this kernel has no memory cgroup controller to make a test cgroup in');
  if (!which('gcc')) missingDependency(ctx, 'gcc is not installed (apt-get install gcc libc6-dev)');
}

function checkKillLine(w: Watch, kill: { pid: number; diedAt: number; cgroup: string }, line: { at: number; e: Line }): void {
  const latency = line.at - kill.diedAt;
  assert.ok(latency < 5000, `the kill line came ${latency} ms after the kill (target < 5 s)`);
  assert.equal(line.e.v, 1);
  assert.equal(line.e.severity, 'critical');
  assert.equal(line.e.comm, 'oomlens-grow');
  assert.equal(line.e.cgroup, kill.cgroup);
  assert.ok((line.e.anonRssKb ?? 0) > 40 * 1024, `anon-rss ${line.e.anonRssKb} kB at a 64 MiB limit`);
  assert.match(line.e.message, new RegExp(`^OOM kill on \\S+: oomlens-grow \\(${kill.pid}\\), anon-rss [\\d.]+ MiB, cgroup ${kill.cgroup}$`));
  assert.ok(Number.isFinite(Date.parse(line.e.time)), line.e.time);
  assert.deepEqual(w.notJson, [], 'nothing but JSON lines on stdout');
  console.log(`      kill line ${latency} ms after the kill`);
}

describe('oom-lens watch --events (built CLI, this machine, a real OOM kill)', function () {
  this.timeout(120_000);
  const watches: Watch[] = [];
  after(() => watches.forEach((w) => w.stop()));

  it('prints the kill as one JSON line within 5 s, with the victim’s pid and cgroup; Ctrl-C exits 0', async function () {
    requireKillable(this);
    const w = new Watch([]);
    watches.push(w);
    const watching = await w.watching();
    assert.equal(watching.severity, 'info');
    assert.match(watching.message, /every 5 s/, 'the slow default rate');
    const kill = await causeKill();
    assert.equal(kill.signal, 'SIGKILL');
    checkKillLine(w, kill, await w.killOf(kill.pid));
    w.stop();
    assert.deepEqual(await w.exit, { code: 0, signal: null }, w.stderr);
  });

  it('--fail-on kill exits 3 right after the first kill line', async function () {
    requireKillable(this);
    const w = new Watch(['--fail-on', 'kill']);
    watches.push(w);
    await w.watching();
    const kill = await causeKill();
    const exit = await Promise.race([w.exit, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    assert.deepEqual(exit, { code: 3, signal: null }, `still running or wrong exit 10 s after the kill; stderr: ${w.stderr}`);
    const kills = w.lines.filter((l) => l.e.type === 'oom-kill');
    assert.equal(kills.length, 1, 'nothing after the line that failed the run');
    assert.equal(w.lines.at(-1)!.e.type, 'oom-kill');
    // Another agent's test may kill something on this machine at the same moment: then that kill ended the run.
    if (kills[0].e.pid !== kill.pid)
      console.warn(`      ⚠ the first kill seen was pid ${kills[0].e.pid}, not the test's ${kill.pid} (another kill on this machine)`);
    else checkKillLine(w, kill, kills[0]);
  });

  it('refuses --fail-on without --events, and values other than kill (exit 2)', () => {
    requireBuiltCli();
    const run = (args: string[]) => new Promise<number | null>((r) => spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' }).on('exit', r));
    return Promise.all([run(['watch', '--fail-on', 'kill']), run(['watch', '--events', '--fail-on', 'leak']), run(['diagnose', '--events'])]).then((codes) =>
      assert.deepEqual(codes, [2, 2, 2]),
    );
  });
});

describe('oom-lens watch --events --host (the private sshd, a real OOM kill on its machine)', function () {
  this.timeout(180_000);
  let fx: SshFixture | undefined;
  let proxy: TcpProxy | undefined;
  let cfg = '';
  const watches: Watch[] = [];

  before(async function () {
    requireSshd(this);
    requireKillable(this);
    fx = await sshFixture();
    // Root (it reads the kernel log) through a TCP proxy the test can cut.
    proxy = await TcpProxy.start(fx.sshd.port);
    cfg = join(fx.dir, 'watch_config');
    writeFileSync(
      cfg,
      [
        'Host watched',
        `  HostName 127.0.0.1\n  Port ${proxy.port}\n  User root\n  IdentityFile ${fx.rootKey.path}\n  IdentitiesOnly yes`,
        `  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null`,
        '',
      ].join('\n'),
    );
    writeFileSync(fx.knownHosts, `${fx.sshd.knownHostsLine()}\n${fx.sshd.knownHostsLine().replace(`:${fx.sshd.port}`, `:${proxy.port}`)}\n`);
  });
  after(async () => {
    watches.forEach((w) => w.stop());
    await Promise.all(watches.map((w) => w.exit));
    await proxy?.close();
    await fx?.stop();
  });

  it('the kill line arrives within 5 s over SSH; after the connection is cut it reconnects and the next kill arrives too', async () => {
    const w = new Watch(['--host', 'watched', '--ssh-config', cfg, '--interval', '2s']);
    watches.push(w);
    const watching = await w.watching();
    assert.equal(watching.host, 'watched');
    const first = await causeKill();
    checkKillLine(w, first, await w.killOf(first.pid));
    // Cut every connection: the sampler and the follower restart on a new one.
    const before = w.lines.length;
    proxy!.destroyAll();
    await w.until(() => w.lines.slice(before).find((l) => l.e.type === 'notice'), 15_000, 'a notice of the gap');
    await w.until(() => w.lines.slice(before).find((l) => l.e.type === 'watching'), 30_000, 'watching again after the reconnect');
    const second = await causeKill();
    checkKillLine(w, second, await w.killOf(second.pid));
    assert.equal(w.lines.filter((l) => l.e.type === 'oom-kill' && l.e.pid === first.pid).length, 1, 'the first kill is not told again after the reconnect');
    w.stop();
    assert.deepEqual(await w.exit, { code: 0, signal: null }, w.stderr);
  });
});
