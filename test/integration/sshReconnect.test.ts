// A connection killed mid-sampling (our own TCP proxy between client and the real sshd cuts every
// socket): onDisconnect fires, execStream() reconnects with backoff and restarts the sampler, the
// caller is told where the gap is, and cancel then stops the restarted remote command. When the
// host stays unreachable, execStream gives up with a typed error after maxReconnects.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CancelledError } from '../../src/core/errors';
import { ReconnectInfo, SshConnectError, SshDisconnectedError, hostFromSpec } from '../../src/core/host/ssh';
import { requireSshd } from './sshd/harness';
import { sshFixture, SshFixture } from './sshd/fixture';
import { TcpProxy } from './sshd/tcpProxy';

const SAMPLER = 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.15; done # oomlens-sampler-7781';

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('SSH reconnect after a dropped connection (real sshd behind a TCP proxy)', function () {
  let fx: SshFixture;
  let proxy: TcpProxy;
  let cfg: string;
  before(async function () {
    requireSshd(this);
    fx = await sshFixture();
    proxy = await TcpProxy.start(fx.sshd.port);
    cfg = join(fx.dir, 'proxy_config');
    writeFileSync(
      cfg,
      [
        'Host viaproxy',
        `  HostName 127.0.0.1\n  Port ${proxy.port}\n  User ${fx.user.name}\n  IdentityFile ${fx.userKey.path}\n  IdentitiesOnly yes`,
        `  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null`,
        '',
      ].join('\n'),
    );
    writeFileSync(fx.knownHosts, `${fx.sshd.knownHostsLine()}\n${fx.sshd.knownHostsLine().replace(`:${fx.sshd.port}`, `:${proxy.port}`)}\n`);
  });
  after(async () => {
    await proxy?.close();
    await fx?.stop();
  });

  const samplers = async () => {
    const r = await fx.host('user').exec('ps -eo pid=,args= | grep -c "[o]omlens-sampler-7781" || true');
    return Number(r.stdout.trim());
  };

  it('restarts the sampler on a new connection, reports the gap, and cancel stops it remotely', async () => {
    const h = hostFromSpec('viaproxy', { sshConfigPath: cfg, agentSocket: null });
    const out: string[] = [];
    const events: Array<string> = [];
    const reconnects: ReconnectInfo[] = [];
    h.onDisconnect((e) => events.push(`disconnect: ${e.message}`));
    const ac = new AbortController();
    const run = h.execStream(SAMPLER, {
      signal: ac.signal,
      backoffMs: 100,
      onStdout: (s) => {
        for (const l of s.split('\n').filter(Boolean)) out.push(l);
      },
      onReconnect: (info) => {
        reconnects.push(info);
        out.push('--gap--');
      },
    });
    try {
      await until(() => out.length >= 3, 10_000, 'three ticks');
      const cutAt = Date.now();
      proxy.destroyAll();
      await until(() => reconnects.length === 1 && out.slice(out.indexOf('--gap--')).length >= 4, 15_000, 'ticks after the reconnect');
      assert.equal(events.length, 1, events.join('; '));
      assert.match(events[0], /dropped/);
      const r = reconnects[0];
      assert.equal(r.reconnect, 1);
      assert.ok(r.error instanceof SshDisconnectedError);
      assert.ok(r.gapStartedAt >= cutAt - 50 && r.gapStartedAt <= r.resumedAt, JSON.stringify(r));
      // The restarted sampler counts from 1 again: the caller sees the restart right after the gap marker.
      assert.equal(out[out.indexOf('--gap--') + 1], 'tick 1');
      assert.equal(h.connected, true);
    } finally {
      ac.abort();
    }
    await assert.rejects(run, CancelledError);
    // The restarted sampler was killed by cancel; the one on the cut connection dies of SIGPIPE at
    // its next write. Neither is left.
    let left = -1;
    for (let i = 0; i < 40 && left !== 0; i++) {
      left = await samplers();
      if (left) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left, 0, 'no sampler left on the remote');
    await h.close();
  });

  it('a plain exec on a dropped connection fails with SshDisconnectedError (no silent retry)', async () => {
    const h = hostFromSpec('viaproxy', { sshConfigPath: cfg, agentSocket: null });
    try {
      const p = h.exec('sleep 5');
      await until(() => proxy.connections > 0, 5000, 'a connection');
      await new Promise((r) => setTimeout(r, 300));
      proxy.destroyAll();
      await assert.rejects(p, (e: Error) => e instanceof SshDisconnectedError && /dropped/.test(e.message));
      // The next exec connects again.
      assert.equal((await h.exec('echo back')).stdout, 'back\n');
    } finally {
      await h.close();
    }
  });

  it('a silent network (no reset, bytes just vanish): the keepalive notices within ServerAliveInterval x CountMax', async () => {
    const cfg3 = join(fx.dir, 'proxy3_config');
    writeFileSync(
      cfg3,
      `Host ka\n  HostName 127.0.0.1\n  Port ${proxy.port}\n  User ${fx.user.name}\n  IdentityFile ${fx.userKey.path}\n  IdentitiesOnly yes\n  ServerAliveInterval 1\n  ServerAliveCountMax 2\n  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null\n`,
    );
    const h = hostFromSpec('ka', { sshConfigPath: cfg3, agentSocket: null });
    const drops: number[] = [];
    h.onDisconnect(() => drops.push(Date.now()));
    try {
      await h.exec('true');
      const p = h.exec('sleep 30');
      await new Promise((r) => setTimeout(r, 200));
      const t0 = Date.now();
      proxy.frozen = true;
      await assert.rejects(p, SshDisconnectedError);
      const took = Date.now() - t0;
      assert.equal(drops.length, 1);
      assert.ok(took >= 1500 && took < 6000, `noticed after ${took} ms (interval 1 s, count 2)`);
    } finally {
      proxy.frozen = false;
      proxy.destroyAll();
      await h.close();
    }
  });

  it('gives up after maxReconnects when the host stays unreachable (typed error, backoff between tries)', async () => {
    const p2 = await TcpProxy.start(fx.sshd.port);
    const cfg2 = join(fx.dir, 'proxy2_config');
    writeFileSync(
      cfg2,
      `Host p2\n  HostName 127.0.0.1\n  Port ${p2.port}\n  User ${fx.user.name}\n  IdentityFile ${fx.userKey.path}\n  IdentitiesOnly yes\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ${join(fx.dir, 'kh2')}\n  GlobalKnownHostsFile /dev/null\n`,
    );
    const h = hostFromSpec('p2', { sshConfigPath: cfg2, agentSocket: null });
    const started: number[] = [];
    const run = h.execStream(SAMPLER, {
      backoffMs: 100,
      maxReconnects: 3,
      onStdout: () => {
        if (!started.length) started.push(Date.now());
      },
    });
    await until(() => started.length > 0, 10_000, 'the sampler');
    const t0 = Date.now();
    await p2.close(); // cuts the connection and refuses new ones
    await assert.rejects(run, (e: Error) => e instanceof SshConnectError && /connection refused/.test(e.message));
    const took = Date.now() - t0;
    assert.ok(took >= 100 + 200 + 400 - 50, `backoff 100+200+400 ms, took ${took} ms`);
    await h.close();
  });
});
