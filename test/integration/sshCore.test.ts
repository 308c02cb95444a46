// SshHost against a REAL private sshd (TESTING.md §2): key login as root and as a non-root user,
// exec semantics (stdin, exit codes, stderr, streaming), one reused connection, idle close, cancel
// and timeout that really stop the remote command, and the snapshot over SSH.
import { strict as assert } from 'node:assert';
import { spawn, ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectSnapshot } from '../../src/core/collect/snapshot';
import { CancelledError } from '../../src/core/errors';
import { SshAuthError, SshConnectError, SudoError, hostFromSpec, sudoWrap } from '../../src/core/host/ssh';
import { which, missingDependency } from './helpers';
import { TEST_USER, freePort } from './sshd/harness';
import { useSshFixture, sshFixture, SshFixture } from './sshd/fixture';

/** Remote processes whose command line contains `needle`, read over the same host. */
async function remotePids(host: { exec: (c: string) => Promise<{ stdout: string }> }, needle: string): Promise<number[]> {
  // The [x]yz trick keeps grep from matching itself.
  const pat = `[${needle[0]}]${needle.slice(1)}`;
  const r = await host.exec(`ps -eo pid=,args= | grep -e '${pat}' || true`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

describe('SshHost against a private sshd: login, exec, cancel', function () {
  let fx: SshFixture;
  useSshFixture((f) => {
    fx = f;
  });

  it('logs in as root with a key and runs commands with stdin, exit code and stderr', async () => {
    const h = fx.host('target');
    try {
      const r = await h.exec('id -u; echo to-stderr >&2; exit 3');
      assert.deepEqual(r, { stdout: '0\n', stderr: 'to-stderr\n', code: 3, signal: null, timedOut: false });
      const c = await h.exec('wc -c', { stdin: 'x'.repeat(100_000) });
      assert.equal(c.stdout.trim(), '100000');
      assert.equal(c.code, 0);
      // Multi-byte characters split across packets survive.
      const u = await h.exec(`i=0; while [ $i -lt 3000 ]; do printf 'é€'; i=$((i+1)); done`);
      assert.equal(u.stdout, 'é€'.repeat(3000));
    } finally {
      await h.close();
    }
  });

  it('reuses ONE connection for many execs (also concurrent ones)', async () => {
    const h = fx.host('target');
    try {
      const before = (fx.sshd.log.match(/Accepted publickey for root/g) ?? []).length;
      for (let i = 0; i < 3; i++) assert.equal((await h.exec(`echo ${i}`)).stdout, `${i}\n`);
      const many = await Promise.all(Array.from({ length: 12 }, (_, i) => h.exec(`echo ${i}`)));
      assert.deepEqual(
        many.map((r) => r.stdout),
        Array.from({ length: 12 }, (_, i) => `${i}\n`),
      );
      const after = (fx.sshd.log.match(/Accepted publickey for root/g) ?? []).length;
      assert.equal(after - before, 1, 'one login for all execs');
    } finally {
      await h.close();
    }
  });

  it('streams stdout through onStdout as it arrives', async () => {
    const h = fx.host('target');
    try {
      const seen: Array<{ t: number; s: string }> = [];
      const t0 = Date.now();
      const r = await h.exec('echo a; sleep 0.4; echo b', { onStdout: (s) => seen.push({ t: Date.now() - t0, s }) });
      assert.equal(r.stdout, 'a\nb\n');
      assert.ok(seen.length >= 2, `two chunks, got ${JSON.stringify(seen)}`);
      assert.ok(seen[seen.length - 1].t - seen[0].t >= 300, 'the first chunk came before the command ended');
    } finally {
      await h.close();
    }
  });

  it('closes the connection after the idle timeout and reconnects on the next exec', async () => {
    const h = fx.host('target', { idleTimeoutMs: 300 });
    try {
      await h.exec('true');
      assert.equal(h.connected, true);
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(h.connected, false, 'closed after 300 ms idle');
      assert.equal((await h.exec('echo again')).stdout, 'again\n');
    } finally {
      await h.close();
    }
  });

  it('cancel (AbortSignal) stops the remote command: `sleep 300` is gone from the remote process list', async () => {
    const h = fx.host('target');
    try {
      const ac = new AbortController();
      const p = h.exec('sleep 300 & wait; echo never', { signal: ac.signal });
      // Wait until it runs remotely.
      for (let i = 0; i < 50 && (await remotePids(h, 'sleep 300')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok((await remotePids(h, 'sleep 300')).length > 0, 'the remote sleep started');
      const t0 = Date.now();
      ac.abort();
      await assert.rejects(p, (e: Error) => e instanceof CancelledError);
      assert.ok(Date.now() - t0 < 3000, 'cancel is quick');
      assert.deepEqual(await remotePids(h, 'sleep 300'), [], 'remote sleep 300 (and its background child) killed');
      // The connection is still usable.
      assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
      // Already aborted: rejected without running anything.
      await assert.rejects(h.exec('echo x', { signal: AbortSignal.abort() }), CancelledError);
    } finally {
      await h.close();
    }
  });

  it('cancel at any moment (before the channel opened, before the pid arrived, while running) leaves nothing behind', async () => {
    const h = fx.host('user');
    try {
      await h.exec('true');
      for (const delay of [0, 1, 3, 10, 30, 100]) {
        const ac = new AbortController();
        const p = h.exec(`sleep 31${delay}`, { signal: ac.signal });
        if (delay) await new Promise((r) => setTimeout(r, delay));
        else ac.abort();
        ac.abort();
        await p.then(
          () => assert.fail('should be cancelled'),
          (e) => assert.ok(e instanceof CancelledError, String(e)),
        );
        assert.deepEqual(await remotePids(h, `sleep 31${delay}`), [], `cancel after ${delay} ms`);
      }
    } finally {
      await h.close();
    }
  });

  it('timeoutMs stops the remote command and reports timedOut', async () => {
    const h = fx.host('target');
    try {
      const r = await h.exec('echo started; sleep 301', { timeoutMs: 500 });
      assert.equal(r.timedOut, true);
      assert.equal(r.code, null);
      assert.equal(r.stdout, 'started\n');
      assert.deepEqual(await remotePids(h, 'sleep 301'), []);
    } finally {
      await h.close();
    }
  });

  it('cancel also stops a command run through sudo (root)', async function () {
    if (!which('sudo')) missingDependency(this, 'sudo is not installed (apt-get install -y sudo)');
    const h = fx.host('target', { useSudo: true });
    try {
      const ac = new AbortController();
      const p = h.execPrivileged('sleep 302', { signal: ac.signal });
      for (let i = 0; i < 50 && (await remotePids(h, 'sleep 302')).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      ac.abort();
      await assert.rejects(p, CancelledError);
      assert.deepEqual(await remotePids(h, 'sleep 302'), []);
    } finally {
      await h.close();
    }
  });

  describe('snapshot over SSH', () => {
    let other: ChildProcess;
    before(async () => {
      // A process of the non-root user, so root sees "other users'" PSS.
      // Its own process group: runuser forks the sleep, and killing runuser alone would leave it.
      other = spawn('runuser', ['-u', TEST_USER, '--', 'sleep', '3033'], { stdio: 'ignore', detached: true });
      await new Promise((r) => setTimeout(r, 300));
    });
    after(() => {
      try {
        if (other?.pid) process.kill(-other.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });

    it("as root: PSS/USS known for other users' processes, one exec", async () => {
      const h = fx.host('target');
      try {
        let execs = 0;
        const orig = h.exec.bind(h);
        h.exec = (c, o) => {
          execs++;
          return orig(c, o);
        };
        const { report } = await collectSnapshot(h);
        assert.equal(execs, 1, 'one exec per snapshot');
        assert.equal(report.host.via, 'ssh');
        const sleeper = report.processes.find((p) => p.comm === 'sleep' && p.user === TEST_USER && p.cmdline === 'sleep 3033');
        assert.ok(sleeper, "the test user's sleep is listed");
        assert.notEqual(sleeper.pssKb, null, "root reads other users' smaps_rollup");
        assert.notEqual(sleeper.ussKb, null);
        assert.ok(!report.warnings.some((w) => /other users/.test(w)), report.warnings.join('; '));
      } finally {
        await h.close();
      }
    });

    it("as the non-root user: other users' PSS/USS are null with a warning; dmesg fails with the reason", async () => {
      const h = fx.host('user');
      try {
        const { report } = await collectSnapshot(h);
        const mine = report.processes.find((p) => p.comm === 'sleep' && p.user === TEST_USER && p.cmdline === 'sleep 3033');
        assert.ok(mine && mine.pssKb !== null, 'own processes have PSS');
        const rootProc = report.processes.find((p) => p.user === 'root' && p.rssKb !== null && p.rssKb > 0);
        assert.ok(rootProc, 'root processes are listed');
        assert.equal(rootProc.pssKb, null, 'PSS unknown, never 0');
        assert.equal(rootProc.ussKb, null);
        assert.ok(
          report.warnings.some((w) => /of other users \(not root\)/.test(w)),
          report.warnings.join('; '),
        );
        const d = await h.exec('dmesg');
        assert.notEqual(d.code, 0);
        assert.match(d.stderr, /Operation not permitted|not permitted/);
      } finally {
        await h.close();
      }
    });

    it('useSudo: sudo -n that wants a password gives a typed SudoError with the fix', async () => {
      // A stand-in `sudo` that answers exactly as `sudo -n` does without NOPASSWD, first on the
      // sshd session PATH (SetEnv), so the test needs neither sudo nor a change to /etc/sudoers.
      const bin = mkdtempSync(join(tmpdir(), 'oomlens-fakesudo-'));
      chmodSync(bin, 0o755);
      writeFileSync(join(bin, 'sudo'), '#!/bin/sh\necho "sudo: a password is required" >&2\nexit 1\n', { mode: 0o755 });
      const fake = await sshFixture({ extra: [`SetEnv PATH=${bin}:/usr/local/bin:/usr/bin:/bin`] });
      try {
        const h = fake.host('user', { useSudo: true });
        await assert.rejects(
          h.execPrivileged('cat /proc/1/smaps_rollup'),
          (e: Error) =>
            e instanceof SudoError &&
            /sudo on user wants a password for oomlens-test \(sudo: a password is required\)/.test(e.message) &&
            /NOPASSWD/.test((e as SudoError).hint ?? ''),
        );
        // Without useSudo the same call runs as is (and is refused by the kernel, not by sudo).
        const plain = fake.host('user');
        const r = await plain.execPrivileged('cat /proc/1/smaps_rollup');
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Permission denied/);
        await h.close();
        await plain.close();
      } finally {
        await fake.stop();
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it('useSudo as root: works with sudo installed, a typed error naming the fix without it', async () => {
      const h = fx.host('target', { useSudo: true });
      try {
        assert.equal(sudoWrap('id -u'), "sudo -n -- sh -c 'id -u'");
        if (which('sudo')) {
          assert.equal((await h.execPrivileged('id -u')).stdout, '0\n');
        } else {
          await assert.rejects(h.execPrivileged('id -u'), (e: Error) => e instanceof SudoError && /sudo is not installed on target/.test(e.message));
        }
      } finally {
        await h.close();
      }
    });
  });

  it('connection refused and a wrong key give typed errors with hints', async () => {
    const port = await freePort();
    const refused = hostFromSpec(`root@127.0.0.1:${port}`, { sshConfigPath: fx.configPath, agentSocket: null });
    await assert.rejects(
      refused.exec('true'),
      (e: Error) => e instanceof SshConnectError && /connection refused/.test(e.message) && !!(e as SshConnectError).hint,
    );
    await refused.close();
    // The test user's key is not authorised for root.
    const wrong = hostFromSpec(`root@127.0.0.1:${fx.sshd.port}`, { sshConfigPath: fx.configPath, agentSocket: null, identity: fx.userKey.path });
    await assert.rejects(
      wrong.exec('true'),
      (e: Error) => e instanceof SshAuthError && /authentication failed for root@127\.0\.0\.1/.test(e.message) && e.message.includes(fx.userKey.path),
    );
    await wrong.close();
  });
});
