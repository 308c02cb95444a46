// The CLI over SSH against a REAL private sshd: diagnose --host through an ssh_config alias, and the
// non-interactive refusal of an unknown host key (host, key type and SHA256 fingerprint on stderr).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { CLI, requireBuiltCli } from './helpers';
import { requireSshd } from './sshd/harness';
import { sshFixture, SshFixture } from './sshd/fixture';

describe('oom-lens --host (the built CLI over a real sshd)', function () {
  this.timeout(120_000);
  let fx: SshFixture;

  before(async function () {
    requireSshd(this);
    requireBuiltCli();
    fx = await sshFixture();
    fx.writeConfig();
  });
  after(async () => {
    await fx?.stop();
  });

  const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 90_000, input: '' });

  it('diagnose --host ALIAS --ssh-config FILE --json: the same machine as seen locally', () => {
    fx.trust();
    const r = cli(['diagnose', '--host', 'target', '--ssh-config', fx.configPath, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.host.via, 'ssh');
    assert.equal(rep.memory.totalKb, Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]));
    assert.ok(rep.processes.some((p: { pid: number }) => p.pid === 1));
    assert.ok(Array.isArray(rep.events) && Array.isArray(rep.findings));
  });

  it('an unknown host key with no terminal: refused, exit 1, host + key type + SHA256 fingerprint on stderr', () => {
    fx.writeConfig();
    writeFileSync(fx.knownHosts, '');
    const r = cli(['snapshot', '--host', 'target', '--ssh-config', fx.configPath]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /127\.0\.0\.1/);
    assert.match(r.stderr, /ssh-ed25519|ecdsa|ssh-rsa/);
    assert.match(r.stderr, /SHA256:[A-Za-z0-9+/]{43}/);
    assert.equal(readFileSync(fx.knownHosts, 'utf8'), '', 'nothing was written to known_hosts');
  });

  it('a host that is not there: exit 1 with a one-line reason', () => {
    const r = cli(['snapshot', '--host', 'nobody@127.0.0.1:1']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^oom-lens: /);
  });
});
