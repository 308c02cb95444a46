// Authentication against a REAL sshd: ssh-agent (SSH_AUTH_SOCK), a passphrase-protected key
// (right and wrong passphrase), password login through the callback (right, wrong, cancelled),
// and the CLI callbacks: hidden passphrase prompt on a terminal, no prompt without one.
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CancelledError } from '../../src/core/errors';
import { SshAuthError, hostFromSpec } from '../../src/core/host/ssh';
import { cliCallbacks } from '../../src/cli/sshPrompts';
import { requireSshd, makeKey, startAgent, TEST_USER, TEST_PASSWORD, KeyPair } from './sshd/harness';
import { sshFixture, SshFixture } from './sshd/fixture';

describe('SSH authentication against a private sshd', function () {
  let fx: SshFixture;
  let agentKey: KeyPair;
  let encKey: KeyPair;
  let cfg: string;
  before(async function () {
    requireSshd(this);
    fx = await sshFixture();
    agentKey = makeKey(fx.dir, 'id_agent', 'ed25519');
    encKey = makeKey(fx.dir, 'id_enc', 'rsa', 'correct horse');
    fx.sshd.authorize('root', agentKey.pub);
    fx.sshd.authorize('root', encKey.pub);
    cfg = join(fx.dir, 'auth_config');
    writeFileSync(
      cfg,
      [
        'Host agent',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root`,
        `  IdentityFile ${join(fx.dir, 'no_such_key')}`, // only the agent can log in
        'Host enc',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User root\n  IdentitiesOnly yes`,
        `  IdentityFile ${encKey.path}`,
        'Host pw',
        `  HostName 127.0.0.1\n  Port ${fx.sshd.port}\n  User ${TEST_USER}\n  IdentitiesOnly yes`,
        `  IdentityFile ${join(fx.dir, 'no_such_key')}`,
        'Host *',
        `  UserKnownHostsFile ${fx.knownHosts}\n  GlobalKnownHostsFile /dev/null`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await fx?.stop();
  });

  it('logs in with a key held by ssh-agent (SSH_AUTH_SOCK)', async () => {
    const agent = startAgent(fx.dir, [agentKey.path]);
    const saved = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = agent.sock;
    try {
      // agentSocket not given: the default is $SSH_AUTH_SOCK.
      const h = hostFromSpec('agent', { sshConfigPath: cfg });
      assert.equal((await h.exec('id -un')).stdout, 'root\n');
      await h.close();
      assert.match(fx.sshd.log, /Accepted publickey for root .*ED25519/);
      // Without the agent the same host cannot log in, and the error says what was tried.
      const none = hostFromSpec('agent', { sshConfigPath: cfg, agentSocket: null });
      await assert.rejects(none.exec('true'), (e: Error) => e instanceof SshAuthError);
      await none.close();
    } finally {
      if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = saved;
      agent.stop();
    }
  });

  it('a passphrase-protected key: the callback is asked once and the login works', async () => {
    const asked: Array<{ keyPath: string; attempt: number }> = [];
    const h = hostFromSpec('enc', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: {
        askPassphrase: (i) => {
          asked.push(i);
          return 'correct horse';
        },
      },
    });
    try {
      assert.equal((await h.exec('id -u')).stdout, '0\n');
      assert.deepEqual(
        asked.map((a) => [a.keyPath, a.attempt]),
        [[encKey.path, 1]],
      );
    } finally {
      await h.close();
    }
  });

  it('a wrong passphrase: asked 3 times, then a clear error naming the key', async () => {
    const asked: Array<{ attempt: number; wrong: boolean }> = [];
    const h = hostFromSpec('enc', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: {
        askPassphrase: (i) => {
          asked.push(i);
          return 'battery staple';
        },
      },
    });
    await assert.rejects(h.exec('true'), (e: Error) => {
      assert.ok(e instanceof SshAuthError, String(e));
      assert.ok(e.message.startsWith(`wrong passphrase for key ${encKey.path}`), e.message);
      return true;
    });
    await h.close();
    assert.deepEqual(
      asked.map((a) => [a.attempt, a.wrong]),
      [
        [1, false],
        [2, true],
        [3, true],
      ],
    );
  });

  it('an encrypted key and nobody to ask: the error says to use ssh-add', async () => {
    const h = hostFromSpec('enc', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: cliCallbacks({ input: Object.assign(new PassThrough(), { isTTY: false }) }),
    });
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof SshAuthError && e.message.includes(`ssh-add ${encKey.path}`));
    await h.close();
  });

  it('password login through the callback (right password)', async () => {
    const prompts: string[] = [];
    const h = hostFromSpec('pw', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: {
        askPassword: (i) => {
          prompts.push(i.prompt);
          return TEST_PASSWORD;
        },
      },
    });
    try {
      assert.equal((await h.exec('id -un')).stdout, `${TEST_USER}\n`);
      assert.equal(prompts.length, 1);
      assert.match(prompts[0], new RegExp(`${TEST_USER}@127.0.0.1's password`));
    } finally {
      await h.close();
    }
    assert.match(fx.sshd.log, new RegExp(`Accepted password for ${TEST_USER}`));
  });

  it('a wrong password is asked again (3 times), then SshAuthError; a cancelled prompt is a CancelledError', async () => {
    let n = 0;
    const h = hostFromSpec('pw', {
      sshConfigPath: cfg,
      agentSocket: null,
      callbacks: {
        askPassword: () => {
          n++;
          return 'wrong';
        },
      },
    });
    await assert.rejects(h.exec('true'), (e: Error) => e instanceof SshAuthError && /tried: .*password/.test(e.message));
    await h.close();
    assert.equal(n, 3);
    const c = hostFromSpec('pw', { sshConfigPath: cfg, agentSocket: null, callbacks: { askPassword: () => undefined } });
    await assert.rejects(c.exec('true'), CancelledError);
    await c.close();
  });

  it('CLI callbacks on a terminal: the passphrase is read without echo', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true });
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d) => {
      shown += d;
      if (/Enter passphrase for key/.test(shown) && !shown.includes('<sent>')) {
        shown += '<sent>';
        input.write('correct horse\n');
      }
    });
    const h = hostFromSpec('enc', { sshConfigPath: cfg, agentSocket: null, callbacks: cliCallbacks({ input, output, interactive: true }) });
    try {
      assert.equal((await h.exec('id -u')).stdout, '0\n');
    } finally {
      await h.close();
    }
    assert.ok(shown.includes(`Enter passphrase for key '${encKey.path}'`), shown);
    assert.ok(!shown.includes('correct horse'), `the passphrase was echoed: ${JSON.stringify(shown)}`);
  });
});
