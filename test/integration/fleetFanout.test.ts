// The SSH fan-out against REAL private sshds on loopback: three hosts that answer (all this
// machine, so their numbers are this machine's), a dead port, a port that accepts and never speaks
// (the per-host deadline), and a host whose key is unknown; through the real hostFromSpec and one
// client ssh_config. Partial results, the SSH layer's own reasons, every connection closed.
import { strict as assert } from 'node:assert';
import { createServer, Server, Socket } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/core/model/report';
import type { FleetReport } from '../../src/core/model/fleet';
import { hostFromSpec } from '../../src/core/host/ssh';
import { LocalHost } from '../../src/core/host/localHost';
import { diagnose } from '../../src/core/diagnose';
import { resolveHostList, signalsOfReport, sshFanout } from '../../src/core/fleet/sshFanout';
import { PrivateSshd, clientDir, freePort, makeKey, requireSshd } from './sshd/harness';
import { spawnSync } from 'node:child_process';
import { CLI, requireBuiltCli } from './helpers';

const TIMEOUT_MS = 6000;

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`still not true after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('fleet --hosts: SSH fan-out over private sshds', function () {
  const sshds: PrivateSshd[] = [];
  let dir = '';
  let configPath = '';
  let deadPort = 0;
  let silent: Server;
  let silentPort = 0;
  const silentSockets: Socket[] = [];
  let silentClosedAt = 0;
  let t0 = 0;
  let report: FleetReport;
  let wallMs = 0;
  const reports = new Map<string, Report>();
  const doneAt = new Map<string, number>();

  before(async function () {
    requireSshd(this);
    for (let i = 0; i < 3; i++) sshds.push(await PrivateSshd.start({ hostKeyTypes: ['ed25519'] }));
    dir = clientDir();
    const key = makeKey(dir, 'id_fleet');
    for (const s of sshds) s.authorize('root', key.pub);
    deadPort = await freePort(); // nothing listens there
    // Accepts the TCP connection and never sends the SSH banner: only the deadline ends it.
    silent = createServer((sock) => {
      silentSockets.push(sock);
      sock.resume(); // flowing, so the client's end is seen
      sock.on('error', () => {});
      sock.on('close', () => (silentClosedAt = Date.now()));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    silentPort = (silent.address() as { port: number }).port;
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, sshds.map((s) => s.knownHostsLine('ed25519')).join('\n') + '\n');
    const block = (name: string, port: number, extra: string[] = []) => [
      `Host ${name}`,
      '  HostName 127.0.0.1',
      `  Port ${port}`,
      '  User root',
      `  IdentityFile ${key.path}`,
      '  IdentitiesOnly yes',
      ...extra.map((l) => `  ${l}`),
    ];
    configPath = join(dir, 'ssh_config');
    writeFileSync(
      configPath,
      [
        ...block('fleet-a', sshds[0].port),
        ...block('fleet-b', sshds[1].port),
        ...block('fleet-c', sshds[2].port),
        ...block('fleet-dead', deadPort),
        // ConnectTimeout far beyond the deadline: only the fan-out's close() can end this connect.
        ...block('fleet-silent', silentPort, ['ConnectTimeout 60']),
        // sshd a again, but nobody knows its key for this name: refused, nobody can be asked.
        ...block('fleet-unknown', sshds[0].port, ['UserKnownHostsFile /dev/null', 'StrictHostKeyChecking yes']),
        ...block('other', sshds[0].port),
        '',
        'Host *',
        `  UserKnownHostsFile ${knownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        '',
      ].join('\n'),
    );

    const specs = resolveHostList('fleet-*', configPath);
    assert.deepEqual(specs, ['fleet-a', 'fleet-b', 'fleet-c', 'fleet-dead', 'fleet-silent', 'fleet-unknown']);
    t0 = Date.now();
    report = await sshFanout(specs, {
      open: (spec) => hostFromSpec(spec, { sshConfigPath: configPath, agentSocket: null }),
      perHostTimeoutMs: TIMEOUT_MS,
      onReport: (spec, r) => reports.set(spec, r),
      onHost: (row) => doneAt.set(row.instance, Date.now() - t0),
    });
    wallMs = Date.now() - t0;
    console.log(`      fan-out over ${specs.length} hosts: ${wallMs} ms; each: ${[...doneAt].map(([h, ms]) => `${h} ${ms} ms`).join(', ')}`);
  });

  after(async () => {
    for (const s of silentSockets) s.destroy();
    await new Promise<void>((r) => (silent ? silent.close(() => r()) : r()));
    for (const s of sshds) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads the three live hosts: real memory numbers (this machine), the signals of the one-host diagnosis', async () => {
    const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    const local = await diagnose(new LocalHost(), { rollup: false });
    const expected = signalsOfReport(local).find((s) => s.id === 'oom-killed') ?? null;
    for (const spec of ['fleet-a', 'fleet-b', 'fleet-c']) {
      const row = report.hosts.find((h) => h.instance === spec)!;
      assert.equal(row.error, undefined, `${spec}: ${row.error}`);
      assert.equal(row.sshHost, spec);
      assert.equal(row.nodename, hostname());
      const r = reports.get(spec)!;
      assert.equal(r.host.via, 'ssh');
      assert.equal(r.memory.totalKb, total);
      assert.ok(r.memory.availableKb! > 0 && r.memory.availableKb! <= total);
      assert.ok(r.processes.length > 5);
      // The same kernel log, read over SSH, counts the same kills as here.
      const kills = row.signals.find((s) => s.id === 'oom-killed') ?? null;
      assert.equal(kills?.value ?? null, expected?.value ?? null, `${spec}: ${JSON.stringify(row.signals)}`);
      assert.deepEqual(row.worst, row.signals[0] ?? null);
    }
  });

  it('the hosts that answer or refuse are done well within the deadline (not held by the silent one)', () => {
    for (const spec of ['fleet-a', 'fleet-b', 'fleet-c', 'fleet-dead', 'fleet-unknown'])
      assert.ok(doneAt.get(spec)! < TIMEOUT_MS / 2, `${spec} took ${doneAt.get(spec)} ms`);
  });

  it('a dead port is a row naming its host:port and "refused", within the deadline', () => {
    const row = report.hosts.find((h) => h.instance === 'fleet-dead')!;
    assert.match(row.error!, new RegExp(`127\\.0\\.0\\.1:${deadPort}\\b.*refused`));
    console.log(`      fleet-dead: ${row.error}`);
    assert.deepEqual(row.signals, []);
    assert.equal(row.worst, null);
  });

  it("an unknown host key is refused with the SSH layer's reason", () => {
    const row = report.hosts.find((h) => h.instance === 'fleet-unknown')!;
    assert.match(row.error!, /host key of .* is not known .*StrictHostKeyChecking is yes/);
  });

  it('a port that never speaks times out at the per-host deadline, and its connection is closed', async () => {
    const row = report.hosts.find((h) => h.instance === 'fleet-silent')!;
    assert.equal(row.error, `timed out after ${TIMEOUT_MS / 1000} s`);
    assert.ok(wallMs >= TIMEOUT_MS - 100, `the silent host held the fan-out to its deadline (${wallMs} ms)`);
    assert.ok(wallMs < TIMEOUT_MS + 2000, `everything within the deadline plus slack (${wallMs} ms)`);
    assert.equal(silentSockets.length, 1);
    // close() aborts the connect in progress: the socket goes at the deadline, not at ConnectTimeout.
    await until('the silent connection closed by the client', () => silentClosedAt > 0, t0 + TIMEOUT_MS + 2000 - Date.now());
    assert.ok(silentClosedAt - t0 < TIMEOUT_MS + 1500, `closed ${silentClosedAt - t0} ms after the start`);
    console.log(`      the silent connection closed ${silentClosedAt - t0} ms after the start`);
  });

  it('closes every SSH connection it opened', async () => {
    await until('no sshd connection left', () => sshds.every((s) => s.connectionPids().length === 0));
  });

  it('ranks the readable hosts first and says how many answered', () => {
    assert.deepEqual(
      report.hosts.map((h) => h.instance),
      ['fleet-a', 'fleet-b', 'fleet-c', 'fleet-dead', 'fleet-silent', 'fleet-unknown'],
    );
    assert.deepEqual(report.sources, [{ name: 'ssh fan-out', ok: false, detail: '3 of 6 hosts answered; 3 could not be read' }]);
    assert.equal(report.queries, 6);
    assert.deepEqual(report.pods, []);
  });

  it('oom-lens fleet --hosts LIST --ssh-config F: the same rows through the CLI, JSON and text, a failure named', () => {
    requireBuiltCli();
    const run = (extra: string[]) =>
      spawnSync(process.execPath, [CLI, 'fleet', '--hosts', 'fleet-a,fleet-b,fleet-c,fleet-dead', '--ssh-config', configPath, '--timeout', '20s', ...extra], {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, SSH_AUTH_SOCK: '' },
      });
    const j = run(['--json']);
    assert.equal(j.status, 0, j.stderr);
    const r = JSON.parse(j.stdout) as FleetReport;
    assert.deepEqual(
      r.hosts.map((h) => [h.instance, !!h.error]),
      [
        ['fleet-a', false],
        ['fleet-b', false],
        ['fleet-c', false],
        ['fleet-dead', true],
      ],
    );
    assert.equal(r.windowMs, 24 * 3600_000, '--window defaults to 24 h for the kill count');
    const t = run([]);
    assert.equal(t.status, 0, t.stderr);
    assert.match(t.stdout, new RegExp(`1 host could not be read:\\n  fleet-dead: cannot connect to root@127\\.0\\.0\\.1:${deadPort}: connection refused`));
    assert.match(t.stdout, /^Sources: ssh fan-out — 3 of 4 hosts answered; 1 could not be read$/m);
    const none = spawnSync(process.execPath, [CLI, 'fleet', '--hosts', 'web-*', '--ssh-config', configPath], { encoding: 'utf8' });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /no Host in .* matches web-\*/);
  });
});
