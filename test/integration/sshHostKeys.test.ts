// Host key verification against a REAL sshd with three host keys (ed25519, ecdsa, rsa):
// unknown key asks with the right SHA256 fingerprint, cancel/once/remember, StrictHostKeyChecking
// yes / accept-new, known plain / hashed / other-type entries, a changed key refused naming
// file:line, @revoked refused, and the CLI callbacks refusing when stdin is not a terminal.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { HostKeyError, UnknownHostKeyInfo, UnknownHostKeyAnswer } from '../../src/core/host/ssh';
import { cliCallbacks } from '../../src/cli/sshPrompts';
import { makeKey } from './sshd/harness';
import { useSshFixture, SshFixture, knownHostsText } from './sshd/fixture';

/** What `ssh-keygen -l` says the fingerprint of a public key file is. */
function keygenFingerprint(pubPath: string): string {
  return spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubPath], { encoding: 'utf8' }).stdout.split(' ')[1];
}

describe('SSH host keys against a private sshd (known_hosts)', function () {
  let fx: SshFixture;
  useSshFixture((f) => {
    fx = f;
  });
  beforeEach(() => {
    fx?.writeConfig();
  });

  const asking = (answer: UnknownHostKeyAnswer) => {
    const asked: UnknownHostKeyInfo[] = [];
    return {
      asked,
      callbacks: {
        onUnknownHostKey: (i: UnknownHostKeyInfo) => {
          asked.push(i);
          return answer;
        },
      },
    };
  };

  /** Connects with a callback that would refuse: the known key must be accepted without asking. */
  const acceptedWithoutAsking = async () => {
    const { asked, callbacks } = asking('cancel');
    const h = fx.host('target', { callbacks });
    try {
      assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
      assert.equal(asked.length, 0);
    } finally {
      await h.close();
    }
  };

  it('a known key (plain [host]:port line) is accepted without asking', async () => {
    fx.trust('ed25519');
    await acceptedWithoutAsking();
  });

  it('a host known only by its rsa key: the handshake prefers rsa and it is accepted (several key types)', async () => {
    fx.trust('rsa');
    await acceptedWithoutAsking();
  });

  it('hashed known_hosts entries (ssh-keygen -H) are matched', async () => {
    fx.trust('ecdsa');
    const r = spawnSync('ssh-keygen', ['-H', '-f', fx.knownHosts], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(knownHostsText(fx), /^\|1\|[^|]+\|[^ ]+ ecdsa-sha2-nistp256 /);
    await acceptedWithoutAsking();
  });

  it('an unknown key: the callback gets host, port, key type and the SHA256 fingerprint; cancel refuses', async () => {
    writeFileSync(fx.knownHosts, '');
    const { asked, callbacks } = asking('cancel');
    const h = fx.host('target', { callbacks });
    await assert.rejects(h.exec('true'), (e: Error) => {
      assert.ok(e instanceof HostKeyError, String(e));
      assert.equal(e.problem, 'refused');
      assert.equal(e.keyType, 'ssh-ed25519');
      assert.match(e.message, /SHA256:/);
      return true;
    });
    await h.close();
    assert.equal(asked.length, 1);
    assert.deepEqual(
      { host: asked[0].host, port: asked[0].port, keyType: asked[0].keyType, file: asked[0].knownHostsFile },
      { host: '127.0.0.1', port: fx.sshd.port, keyType: 'ssh-ed25519', file: fx.knownHosts },
    );
    assert.equal(asked[0].fingerprint, keygenFingerprint(`${fx.sshd.hostKey('ed25519').path}.pub`));
    assert.equal(knownHostsText(fx), '', 'nothing written');
  });

  it('"once" connects without writing known_hosts; "remember" writes a proper line and the next connect does not ask', async () => {
    writeFileSync(fx.knownHosts, '# comment line\n');
    const once = asking('once');
    let h = fx.host('target', { callbacks: once.callbacks, idleTimeoutMs: 100 });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await new Promise((r) => setTimeout(r, 300)); // idle close; the next exec reconnects
    assert.equal(h.connected, false);
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.equal(once.asked.length, 1, '"once" holds for this host object (reconnects do not ask again)');
    assert.equal(knownHostsText(fx), '# comment line\n');

    const remember = asking('remember');
    h = fx.host('target', { callbacks: remember.callbacks });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.equal(remember.asked.length, 1);
    const lines = knownHostsText(fx).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.equal(lines[1], fx.sshd.knownHostsLine('ed25519'));
    // OpenSSH's own tools find it.
    const found = spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${fx.sshd.port}`, '-f', fx.knownHosts], { encoding: 'utf8' });
    assert.equal(found.status, 0, 'ssh-keygen -F finds the remembered line');

    const again = asking('cancel');
    h = fx.host('target', { callbacks: again.callbacks });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.equal(again.asked.length, 0, 'not asked again');
  });

  it('HashKnownHosts yes: "remember" writes a hashed line that ssh-keygen -F finds', async () => {
    writeFileSync(fx.knownHosts, '');
    fx.writeConfig(['HashKnownHosts yes']);
    const h = fx.host('target', { callbacks: asking('remember').callbacks });
    await h.exec('true');
    await h.close();
    assert.match(knownHostsText(fx), /^\|1\|/);
    const found = spawnSync('ssh-keygen', ['-F', `[127.0.0.1]:${fx.sshd.port}`, '-f', fx.knownHosts], { encoding: 'utf8' });
    assert.equal(found.status, 0);
  });

  it('no callback: an unknown key is refused (never accepted silently)', async () => {
    writeFileSync(fx.knownHosts, '');
    const h = fx.host('target');
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof HostKeyError && e.problem === 'unknown');
    await h.close();
  });

  it('StrictHostKeyChecking yes refuses an unknown key without asking', async () => {
    writeFileSync(fx.knownHosts, '');
    fx.writeConfig(['StrictHostKeyChecking yes']);
    const { asked, callbacks } = asking('remember');
    const h = fx.host('target', { callbacks });
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof HostKeyError && e.problem === 'unknown' && /StrictHostKeyChecking is yes/.test(e.message));
    await h.close();
    assert.equal(asked.length, 0);
    assert.equal(knownHostsText(fx), '');
  });

  it('StrictHostKeyChecking accept-new adds the key without asking', async () => {
    writeFileSync(fx.knownHosts, '');
    fx.writeConfig(['StrictHostKeyChecking accept-new']);
    const { asked, callbacks } = asking('cancel');
    const h = fx.host('target', { callbacks });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.equal(asked.length, 0);
    assert.equal(knownHostsText(fx).trim(), fx.sshd.knownHostsLine('ed25519'));
  });

  it('a CHANGED key is refused (even with accept-new), the error names known_hosts file:line and the fix', async () => {
    const dir = fx.dir;
    const other = makeKey(dir, 'other_host_key', 'ed25519');
    const [kt, b64] = other.pub.split(' ');
    writeFileSync(fx.knownHosts, `# line 1\nexample.org ssh-ed25519 ${b64}\n[127.0.0.1]:${fx.sshd.port} ${kt} ${b64}\n`);
    for (const mode of ['ask', 'accept-new', 'no']) {
      fx.writeConfig([`StrictHostKeyChecking ${mode}`]);
      const { asked, callbacks } = asking('remember');
      const h = fx.host('target', { callbacks });
      await assert.rejects(h.exec('true'), (e: Error) => {
        assert.ok(e instanceof HostKeyError, String(e));
        assert.equal(e.problem, 'changed');
        assert.equal(e.knownHostsFile, fx.knownHosts);
        assert.equal(e.knownHostsLine, 3);
        assert.ok(e.message.includes(`${fx.knownHosts}:3`), e.message);
        assert.match(e.message, /CHANGED/);
        assert.equal(e.fingerprint, keygenFingerprint(`${fx.sshd.hostKey('ed25519').path}.pub`));
        assert.match(e.hint ?? '', /ssh-keygen -R/);
        return true;
      });
      await h.close();
      assert.equal(asked.length, 0, `${mode}: never asked about a changed key`);
    }
  });

  it('an @revoked key is refused', async () => {
    const [kt, b64] = fx.sshd.hostKey('ed25519').pub.split(' ');
    writeFileSync(fx.knownHosts, `@revoked * ${kt} ${b64}\n${fx.sshd.knownHostsLine('ed25519')}\n`);
    const h = fx.host('target', { callbacks: asking('remember').callbacks });
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof HostKeyError && e.problem === 'revoked' && e.knownHostsLine === 1);
    await h.close();
  });

  it('CLI callbacks: stdin not a terminal refuses an unknown key naming host, key type and SHA256 fingerprint', async () => {
    writeFileSync(fx.knownHosts, '');
    const input = Object.assign(new PassThrough(), { isTTY: false });
    const h = fx.host('target', { callbacks: cliCallbacks({ input, output: new PassThrough() }) });
    const fp = keygenFingerprint(`${fx.sshd.hostKey('ed25519').path}.pub`);
    await assert.rejects(h.exec('true'), (e: Error) => {
      assert.ok(e instanceof HostKeyError);
      assert.ok(e.message.includes(`[127.0.0.1]:${fx.sshd.port}`), e.message);
      assert.ok(e.message.includes('ssh-ed25519'), e.message);
      assert.ok(e.message.includes(fp), e.message);
      assert.match(e.message, /stdin is not a terminal/);
      return true;
    });
    await h.close();
  });

  it('CLI callbacks on a terminal: shows the fingerprint and "yes" remembers the key', async () => {
    writeFileSync(fx.knownHosts, '');
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => {
      shown += d;
      if (/continue connecting/.test(shown) && !/answered/.test(shown)) {
        shown += 'answered';
        input.write('yes\n');
      }
    });
    const h = fx.host('target', { callbacks: cliCallbacks({ input, output, interactive: true }) });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.ok(shown.includes(keygenFingerprint(`${fx.sshd.hostKey('ed25519').path}.pub`)), shown);
    assert.equal(knownHostsText(fx).trim(), fx.sshd.knownHostsLine('ed25519'));
  });

  it('a global known_hosts file is read but never written', async () => {
    const global = `${fx.dir}/global_known_hosts`;
    writeFileSync(global, `${fx.sshd.knownHostsLine('ecdsa')}\n`);
    copyFileSync(global, `${global}.orig`);
    writeFileSync(fx.knownHosts, '');
    fx.writeConfig([`GlobalKnownHostsFile ${global}`]);
    const { asked, callbacks } = asking('cancel');
    const h = fx.host('target', { callbacks });
    assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    await h.close();
    assert.equal(asked.length, 0);
    assert.equal(readFileSync(global, 'utf8'), readFileSync(`${global}.orig`, 'utf8'));
  });
});
