// sshFanout over fake hosts (no network): the bound on hosts at once, the per-host deadline, cancel
// closing every host, the ranking of the readable hosts, and resolveHostList on files and patterns.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecOptions, ExecResult, Host } from '../../src/core/host/host';
import { CancelledError } from '../../src/core/errors';
import { resolveHostList, sshFanout } from '../../src/core/fleet/sshFanout';

const SNAPSHOT = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8');
const TOTAL_KB = Number(/meminfo:MemTotal:\s+(\d+)/.exec(SNAPSHOT)![1]);
const NOW = Number(/^now (\d+)/m.exec(SNAPSHOT)![1]);

interface Behaviour {
  delayMs?: number;
  /** MemAvailable as a share of MemTotal. */
  available?: number;
  /** OOM kills in the kernel log. */
  kills?: number;
  /** Never answers, and ignores the abort (a hung peer). */
  hang?: boolean;
  /** exec rejects with this (what the SSH layer would say). */
  fail?: string;
}

/** Counts execs in flight across all hosts. */
class Gauge {
  now = 0;
  max = 0;
  enter() {
    this.max = Math.max(this.max, ++this.now);
  }
  leave() {
    this.now--;
  }
}

function kernelLog(kills: number): string {
  const lines = [`@@oomlens meta user root uid 0 groups root dmesg_restrict 1 uptime 5000.00 now ${NOW}`, '@@oomlens source dmesg'];
  for (let i = 0; i < kills; i++) {
    const pid = 4000 + i;
    const stamp = `[ ${1000 + i * 10}.500000] `;
    lines.push(
      `${stamp}grow invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
      `${stamp}oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=grow,pid=${pid},uid=0`,
      `${stamp}Out of memory: Killed process ${pid} (grow) total-vm:74184kB, anon-rss:65152kB, file-rss:1356kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0`,
    );
  }
  lines.push('@@oomlens status 0', '@@oomlens end');
  return lines.join('\n') + '\n';
}

class FleetFakeHost implements Host {
  readonly via = 'ssh' as const;
  closed = false;
  execs = 0;
  constructor(
    readonly name: string,
    private readonly b: Behaviour,
    private readonly gauge: Gauge,
  ) {}
  async exec(_cmd: string, o: ExecOptions = {}): Promise<ExecResult> {
    this.execs++;
    this.gauge.enter();
    try {
      if (this.b.hang) await new Promise(() => {});
      await new Promise<void>((resolve, reject) => {
        if (o.signal?.aborted) return reject(new CancelledError());
        const t = setTimeout(resolve, this.b.delayMs ?? 20);
        o.signal?.addEventListener('abort', () => (clearTimeout(t), reject(new CancelledError())), { once: true });
      });
      if (this.b.fail) throw new Error(this.b.fail);
      const isLog = (o.stdin ?? '').includes('journalctl');
      const avail = Math.round(TOTAL_KB * (this.b.available ?? 0.9));
      const stdout = isLog ? kernelLog(this.b.kills ?? 0) : SNAPSHOT.replace(/^meminfo:MemAvailable:\s+\d+ kB$/m, `meminfo:MemAvailable: ${avail} kB`);
      o.onStdout?.(stdout);
      return { stdout: o.discardStdout ? '' : stdout, stderr: '', code: 0, signal: null, timedOut: false };
    } finally {
      this.gauge.leave();
    }
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function fleet(behaviours: Record<string, Behaviour>) {
  const gauge = new Gauge();
  const hosts = new Map<string, FleetFakeHost>();
  const open = (spec: string) => {
    const h = new FleetFakeHost(spec, behaviours[spec] ?? {}, gauge);
    hosts.set(spec, h);
    return h;
  };
  return { gauge, hosts, open };
}

describe('sshFanout (fake hosts)', () => {
  it('never has more than `concurrency` hosts in exec at once, and asks every host', async () => {
    const specs = Array.from({ length: 20 }, (_, i) => `h${i}`);
    const f = fleet(Object.fromEntries(specs.map((s, i) => [s, { delayMs: 10 + (i % 5) * 7 }])));
    const progress: number[] = [];
    const r = await sshFanout(specs, { open: f.open, concurrency: 3, onHost: (_row, done, total) => progress.push(done * 100 + total) });
    // Each host runs its snapshot and its kernel log at once: 2 execs per host, 3 hosts.
    assert.ok(f.gauge.max <= 3 * 2, `at most 6 execs in flight, saw ${f.gauge.max}`);
    assert.ok(f.gauge.max > 2, 'more than one host ran at once');
    assert.equal(r.hosts.length, 20);
    assert.equal(r.queries, 20);
    assert.deepEqual(
      progress,
      specs.map((_, i) => (i + 1) * 100 + 20),
    );
    assert.ok([...f.hosts.values()].every((h) => h.closed && h.execs === 2));
    assert.deepEqual(r.sources, [{ name: 'ssh fan-out', ok: true, detail: '20 of 20 hosts answered' }]);
  });

  it('one host past its deadline is a "timed out" row and closed; the others answer', async () => {
    const f = fleet({ slow: { hang: true }, a: {}, b: { available: 0.05 } });
    const t0 = Date.now();
    const r = await sshFanout(['a', 'slow', 'b'], { open: f.open, perHostTimeoutMs: 400 });
    const wall = Date.now() - t0;
    assert.ok(wall < 400 + 500, `within the deadline plus slack (${wall} ms)`);
    const slow = r.hosts.find((h) => h.instance === 'slow')!;
    assert.equal(slow.error, 'timed out after 400 ms');
    assert.deepEqual(slow.signals, []);
    assert.equal(slow.worst, null);
    assert.ok(f.hosts.get('slow')!.closed, 'the timed-out host is closed');
    assert.deepEqual(
      r.hosts.map((h) => h.instance),
      ['b', 'a', 'slow'],
      'readable hosts ranked (b is low on memory), the failed one last',
    );
    assert.equal(r.hosts[0].worst?.id, 'low-available');
    assert.equal(r.hosts[0].worst?.severity, 'critical');
    assert.ok(Math.abs((r.hosts[0].worst?.value as number) - 0.05) < 0.001);
    assert.deepEqual(r.sources, [{ name: 'ssh fan-out', ok: false, detail: '2 of 3 hosts answered; 1 could not be read' }]);
  });

  it('a host the SSH layer refuses is a row with its message; opening that throws is one too', async () => {
    const f = fleet({ down: { fail: 'cannot connect to 127.0.0.1:2222: connection refused' }, up: {} });
    const r = await sshFanout(['down', 'up', 'bad spec'], {
      open: (s) => {
        if (s === 'bad spec') throw new Error('bad host spec "bad spec"');
        return f.open(s);
      },
    });
    assert.deepEqual(
      r.hosts.map((h) => [h.instance, h.error ?? null]),
      [
        ['up', null],
        ['bad spec', 'bad host spec "bad spec"'],
        ['down', 'cannot connect to 127.0.0.1:2222: connection refused'],
      ],
    );
    assert.equal(r.hosts[0].nodename, 'vm');
    assert.equal(r.hosts[0].sshHost, 'up');
    assert.ok(f.hosts.get('down')!.closed);
  });

  it('ranks the host with OOM kills first, with the kill count from the kernel log', async () => {
    const f = fleet({ calm: {}, killer: { kills: 4 }, tight: { available: 0.12 }, once: { kills: 1 } });
    const r = await sshFanout(['calm', 'tight', 'once', 'killer'], { open: f.open });
    assert.deepEqual(
      r.hosts.map((h) => h.instance),
      ['killer', 'once', 'tight', 'calm'],
    );
    assert.deepEqual(r.hosts[0].worst, { id: 'oom-killed', severity: 'critical', value: 4, text: '4 OOM kills in the kernel log' });
    assert.deepEqual(
      r.hosts[1].signals.map((s) => [s.id, s.severity, s.value]),
      [['oom-killed', 'warning', 1]],
    );
    assert.equal(r.hosts[2].worst?.id, 'low-available');
    assert.equal(r.hosts[2].worst?.severity, 'warning');
    assert.equal(r.hosts[3].worst, null);
    assert.deepEqual(r.hosts[3].signals, []);
  });

  it('counts only kills within windowMs when one is given', async () => {
    const f = fleet({ old: { kills: 3 } });
    // The fake kills are at uptime 1000..1020 s of a 5000 s uptime: about 4000 s before the snapshot.
    const recent = await sshFanout(['old'], { open: f.open, windowMs: 3600_000 });
    assert.equal(recent.hosts[0].worst, null);
    assert.equal(recent.windowMs, 3600_000);
    const all = await sshFanout(['old'], { open: f.open, windowMs: 5 * 3600_000 });
    assert.equal(all.hosts[0].worst?.value, 3);
  });

  it('cancel stops the running hosts, closes every opened one, starts no more, and rejects', async () => {
    const f = fleet(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`h${i}`, { delayMs: 5000 }])));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = Date.now();
    await assert.rejects(
      sshFanout(
        Array.from({ length: 10 }, (_, i) => `h${i}`),
        { open: f.open, concurrency: 4, signal: ac.signal },
      ),
      CancelledError,
    );
    assert.ok(Date.now() - t0 < 1500, 'cancel is prompt');
    assert.equal(f.hosts.size, 4, 'no host opened after the cancel');
    assert.ok([...f.hosts.values()].every((h) => h.closed));
    assert.equal(f.gauge.now, 0, 'no exec left running');
  });
});

describe('resolveHostList', () => {
  let dir: string;
  let config: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oomlens-fanout-'));
    config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      ['Host web-1 web-2', '  HostName 10.0.0.1', 'Host web-3', 'Host db1 db2 dbx10', 'Host *.internal !bastion', '  User ops', 'Host bastion', ''].join('\n'),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file: one spec per line, comments and blank lines ignored, duplicates dropped', () => {
    const file = join(dir, 'hosts.txt');
    writeFileSync(file, '# the web tier\nweb-1\n\n  root@10.0.0.9:2222  # by address\nweb-1\nweb-*\n');
    assert.deepEqual(resolveHostList(file, config), ['web-1', 'root@10.0.0.9:2222', 'web-*']);
  });

  it('an empty file is an error', () => {
    const file = join(dir, 'empty.txt');
    writeFileSync(file, '# nothing yet\n\n');
    assert.throws(() => resolveHostList(file, config), /no hosts in .*empty\.txt/);
  });

  it('matches glob patterns against the Host aliases, keeps literal specs, drops duplicates', () => {
    assert.deepEqual(resolveHostList('web-*', config), ['web-1', 'web-2', 'web-3']);
    assert.deepEqual(resolveHostList('db?', config), ['db1', 'db2']);
    assert.deepEqual(resolveHostList('db?, web-2,web-?, ops@10.1.1.1', config), ['db1', 'db2', 'web-2', 'web-1', 'web-3', 'ops@10.1.1.1']);
  });

  it('a pattern that matches nothing, or nothing at all, is a clear error', () => {
    assert.throws(
      () => resolveHostList('cache-*', config),
      (e: Error) => e.message === `no Host in ${config} matches cache-*`,
    );
    assert.throws(() => resolveHostList(' , ', config), /no hosts to ask/);
  });
});
