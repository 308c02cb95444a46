// ProxyJump through a SECOND real sshd: one hop, a chain of two hops (comma-separated, each hop
// resolved through the same config), a literal `user@host:port` hop, the jump host's own key
// verified, and a snapshot collected through the jump.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectSnapshot } from '../../src/core/collect/snapshot';
import { HostKeyError, SshConnectError, UnknownHostKeyInfo, hostFromSpec, jumpChain, loadSshConfig, resolveTarget } from '../../src/core/host/ssh';
import { requireSshd, PrivateSshd } from './sshd/harness';
import { sshFixture, SshFixture } from './sshd/fixture';

describe('SSH ProxyJump through a second private sshd', function () {
  let fx: SshFixture;
  let jump: PrivateSshd;
  let cfg: string;
  const forwardsTo = (port: number) => (jump.log.match(new RegExp(`(direct-tcpip|connect to host 127\\.0\\.0\\.1 port ${port})`, 'g')) ?? []).length;

  before(async function () {
    requireSshd(this);
    fx = await sshFixture();
    jump = await PrivateSshd.start({ extra: ['LogLevel DEBUG1', 'AllowTcpForwarding yes', 'PermitOpen any'] });
    jump.authorize('root', fx.rootKey.pub);
    cfg = join(fx.dir, 'jump_config');
    writeFileSync(
      cfg,
      [
        'Host jump',
        `  HostName 127.0.0.1\n  Port ${jump.port}\n  User root\n  IdentityFile ${fx.rootKey.path}`,
        // The target sshd, reached as a second hop through the first one.
        'Host hop2',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root\n  IdentityFile ${fx.rootKey.path}`,
        'Host behind',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root\n  IdentityFile ${fx.rootKey.path}\n  ProxyJump jump`,
        'Host behind2',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User ${fx.user.name}\n  IdentityFile ${fx.userKey.path}\n  ProxyJump jump,hop2`,
        'Host literal',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root\n  IdentityFile ${fx.rootKey.path}\n  ProxyJump root@127.0.0.1:${jump.port}`,
        'Host *',
        `  IdentitiesOnly yes\n  IdentityFile ${fx.rootKey.path}\n  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null`,
        '',
      ].join('\n'),
    );
  });
  beforeEach(() => {
    if (fx) writeFileSync(fx.knownHosts, `${fx.sshd.knownHostsLine()}\n${jump.knownHostsLine()}\n`);
  });
  after(async () => {
    await jump?.stop();
    await fx?.stop();
  });

  it('resolves the hop chain through the config (ssh -J semantics)', () => {
    const config = loadSshConfig(cfg);
    const chain = jumpChain(resolveTarget('behind2', config), config);
    assert.deepEqual(
      chain.map((h) => [h.alias, h.host, h.port, h.user]),
      [
        ['jump', '127.0.0.1', jump.port, 'root'],
        ['hop2', '127.0.0.1', fx.sshd.port, 'root'],
      ],
    );
    const lit = jumpChain(resolveTarget('literal', config), config);
    assert.deepEqual(
      lit.map((h) => [h.host, h.port, h.user, h.identityFiles[0]]),
      [['127.0.0.1', jump.port, 'root', fx.rootKey.path]],
    );
  });

  it('one hop: commands run on the target, the TCP connection is forwarded by the jump sshd', async () => {
    const before = forwardsTo(fx.sshd.port);
    const h = hostFromSpec('behind', { sshConfigPath: cfg, agentSocket: null });
    try {
      assert.equal((await h.exec('echo $SSH_CONNECTION')).stdout.split(' ')[3].trim(), String(fx.sshd.port));
      assert.ok(forwardsTo(fx.sshd.port) > before, `the jump sshd forwarded to port ${fx.sshd.port}:\n${jump.log.slice(-2000)}`);
      const { report } = await collectSnapshot(h);
      assert.ok(report.processes.length > 5);
    } finally {
      await h.close();
    }
  });

  it('two hops (ProxyJump jump,hop2) as the non-root user', async () => {
    const h = hostFromSpec('behind2', { sshConfigPath: cfg, agentSocket: null });
    try {
      assert.equal((await h.exec('id -un')).stdout, `${fx.user.name}\n`);
    } finally {
      await h.close();
    }
  });

  it('a literal user@host:port hop', async () => {
    const h = hostFromSpec('literal', { sshConfigPath: cfg, agentSocket: null });
    try {
      assert.equal((await h.exec('echo ok')).stdout, 'ok\n');
    } finally {
      await h.close();
    }
  });

  it("the jump host's own key is verified (unknown jump key: asked about the JUMP host; cancel refuses)", async () => {
    writeFileSync(fx.knownHosts, `${fx.sshd.knownHostsLine()}\n`);
    const asked: UnknownHostKeyInfo[] = [];
    const h = hostFromSpec('behind', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: {
        onUnknownHostKey: (i) => {
          asked.push(i);
          return 'cancel';
        },
      },
    });
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof HostKeyError && e.port === jump.port);
    await h.close();
    assert.deepEqual(
      asked.map((a) => a.port),
      [jump.port],
    );
  });

  it('a target the jump host cannot reach: a typed error naming the target', async () => {
    writeFileSync(
      join(fx.dir, 'bad_jump'),
      `Host bad\n  HostName 127.0.0.1\n  Port 1\n  User root\n  ProxyJump jump\nHost jump\n  HostName 127.0.0.1\n  Port ${jump.port}\n  User root\n  IdentityFile ${fx.rootKey.path}\n  IdentitiesOnly yes\nHost *\n  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null\n`,
    );
    const b = hostFromSpec('bad', { sshConfigPath: join(fx.dir, 'bad_jump'), agentSocket: null });
    await assert.rejects(b.exec('true'), (e: Error) => e instanceof SshConnectError && /jump host cannot reach 127\.0\.0\.1:1/.test(e.message));
    await b.close();
  });
});
