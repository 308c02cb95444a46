// A hostile SSH server of the tests' own (ssh2's Server API, on 127.0.0.1): it floods output, runs
// a command that never answers, sends keyboard-interactive prompts full of terminal escapes, and
// offers a host key of another type than the one it is known by. Each is bounded, escaped, timed
// out or refused; none takes the client process down. Real OpenSSH cannot be made to misbehave
// like this, hence a server of our own (said in the name).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, utils, type Connection, type ServerChannel } from 'ssh2';
import { hostFromSpec } from '../../src/core/host/ssh';
import { knownHostsLine } from '../../src/core/host/ssh/knownHosts';
import { OutputLimitError } from '../../src/core/host/host';
import { CLI, requireBuiltCli } from './helpers';

interface Hostile {
  port: number;
  pub: Buffer;
  stop(): Promise<void>;
}

const PROMPT = '\x1b]0;owned\x07\x1b[2K\rEnter passphrase for key /root/.ssh/id_ed25519: ';

/** Usernames choose the misbehaviour: flood, silent, ki (escape-laden prompts). Password is "pw". */
function hostileServer(keyType: 'ed25519' | 'rsa'): Promise<Hostile> {
  const kp = keyType === 'rsa' ? utils.generateKeyPairSync('rsa', { bits: 2048 }) : utils.generateKeyPairSync('ed25519');
  const parsed = utils.parseKey(kp.private);
  const pub = (Array.isArray(parsed) ? parsed[0] : (parsed as Exclude<typeof parsed, Error | unknown[]>)) as { getPublicSSH(): Buffer };
  const clients = new Set<Connection>();
  const server = new Server({ hostKeys: [kp.private] }, (client) => {
    clients.add(client);
    client.on('error', () => {});
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.username === 'ki') {
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        return ctx.prompt([{ prompt: PROMPT, echo: false }], 'evil\x1b[31m', 'instructions\x1b[5m', (answers) =>
          answers[0] === 'pw' ? ctx.accept() : ctx.reject(),
        );
      }
      if (ctx.method === 'password' && ctx.password === 'pw') return ctx.accept();
      // Any key will do (the CLI cannot be asked for a password): a hostile server lets everyone in.
      if (ctx.method === 'publickey') return ctx.accept();
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept) => {
        const session = accept();
        session.on('exec', (acceptExec) => {
          const ch: ServerChannel = acceptExec();
          const user = (client as unknown as { _username?: string })._username;
          void user;
          if (mode.get(client) === 'silent') return; // never a byte, never an exit
          if (mode.get(client) === 'flood') {
            const block = Buffer.alloc(1 << 16, 'A');
            const pump = () => {
              while (ch.writable && ch.write(block));
            };
            ch.on('drain', pump);
            ch.on('close', () => ch.removeAllListeners('drain'));
            pump();
            return;
          }
          ch.write('ok\n');
          ch.exit(0);
          ch.end();
        });
      });
    });
    client.on('authentication', (ctx) => mode.set(client, ctx.username));
  });
  const mode = new Map<Connection, string>();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as { port: number }).port,
        pub: pub.getPublicSSH(),
        stop: () =>
          new Promise<void>((r) => {
            for (const c of clients) c.end();
            server.close(() => r());
          }),
      }),
    ),
  );
}

describe('ssh: a hostile server of the tests’ own (ssh2 Server API): floods, silence, escape-laden prompts, another key type', function () {
  this.timeout(120_000);
  let srv: Hostile;
  let rsa: Hostile;
  let dir = '';
  let config = '';
  before(async () => {
    srv = await hostileServer('ed25519');
    rsa = await hostileServer('rsa');
    dir = mkdtempSync(join(tmpdir(), 'oomlens-attack-'));
    const kh = join(dir, 'known_hosts');
    // The RSA server is "known" by the ed25519 server's key: it now offers another type.
    writeFileSync(kh, `${knownHostsLine('127.0.0.1', srv.port, srv.pub)}\n${knownHostsLine('127.0.0.1', rsa.port, srv.pub)}\n`);
    config = join(dir, 'config');
    const id = join(dir, 'id_client');
    writeFileSync(id, utils.generateKeyPairSync('ed25519').private, { mode: 0o600 });
    const block = (name: string, port: number, user: string, extra: string[] = []) =>
      [
        `Host ${name}`,
        '  HostName 127.0.0.1',
        `  Port ${port}`,
        `  User ${user}`,
        `  UserKnownHostsFile ${kh}`,
        '  GlobalKnownHostsFile /dev/null',
        ...extra.map((l) => `  ${l}`),
      ].join('\n');
    writeFileSync(
      config,
      [
        block('flood', srv.port, 'flood', [`IdentityFile ${id}`, 'IdentitiesOnly yes']),
        block('silent', srv.port, 'silent'),
        block('ki', srv.port, 'ki'),
        block('newtype-accept-new', rsa.port, 'plain', ['StrictHostKeyChecking accept-new']),
        block('newtype-no', rsa.port, 'plain', ['StrictHostKeyChecking no']),
      ].join('\n') + '\n',
    );
  });
  after(async () => {
    await srv?.stop();
    await rsa?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const host = (alias: string, prompts: string[] = []) =>
    hostFromSpec(alias, {
      sshConfigPath: config,
      agentSocket: null,
      callbacks: {
        askPassword: ({ prompt }) => {
          prompts.push(prompt);
          return 'pw';
        },
      },
    });

  it('a flood stops at the cap with a clear error; this process grows by little more than the cap', async () => {
    const h = host('flood');
    try {
      const before = process.memoryUsage().rss;
      const t = Date.now();
      const e = await h.exec('cat /dev/urandom', { maxOutputBytes: 16 * 2 ** 20 }).then(
        () => null,
        (x: unknown) => x,
      );
      assert.ok(e instanceof OutputLimitError, String(e));
      assert.match((e as Error).message, /^a command on flood printed more than 16 MiB: stopped/);
      const grew = (process.memoryUsage().rss - before) / 2 ** 20;
      console.log(`      flood stopped after ${Date.now() - t} ms; RSS grew ${grew.toFixed(0)} MiB (cap 16 MiB)`);
      assert.ok(grew < 16 * 4 + 64, `RSS grew ${grew.toFixed(0)} MiB`);
      // The connection still serves the next command.
      const ok = await host('silent').exec('x', { timeoutMs: 500 });
      assert.equal(ok.timedOut, true);
    } finally {
      await h.close();
    }
  });

  it('the CLI against a flood: exits 1 with one line naming the host and the cap, peak RSS bounded', async () => {
    requireBuiltCli();
    const r = await new Promise<{ code: number | null; stderr: string; peakKb: number }>((resolve) => {
      const c = spawn(process.execPath, [CLI, 'snapshot', '--host', 'flood', '--ssh-config', config], {
        env: { ...process.env, OOM_LENS_MAX_OUTPUT_MIB: '32', SSH_AUTH_SOCK: '' },
      });
      let stderr = '';
      let peakKb = 0;
      const poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(require('node:fs').readFileSync(`/proc/${c.pid}/status`, 'utf8'));
          if (m) peakKb = Math.max(peakKb, Number(m[1]));
        } catch {
          /* gone */
        }
      }, 50);
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => {
        clearInterval(poll);
        resolve({ code, stderr, peakKb });
      });
    });
    console.log(`      CLI peak RSS ${(r.peakKb / 1024).toFixed(0)} MiB with a 32 MiB cap`);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^oom-lens: a command on flood printed more than 32 MiB: stopped/);
    assert.ok(r.peakKb < 400 * 1024, `peak ${r.peakKb} kB`);
  });

  it('a command that never answers ends at its timeout', async () => {
    const h = host('silent');
    try {
      const t = Date.now();
      const r = await h.exec('sleep 1000', { timeoutMs: 1000 });
      assert.equal(r.timedOut, true);
      assert.ok(Date.now() - t < 6000, `${Date.now() - t} ms`);
    } finally {
      await h.close();
    }
  });

  it('keyboard-interactive prompts reach the person escaped and marked as the server’s: (user@host) …', async () => {
    const prompts: string[] = [];
    const h = host('ki', prompts);
    try {
      const r = await h.exec('true');
      assert.equal(r.stdout, 'ok\n');
      assert.deepEqual(prompts, ['(ki@127.0.0.1) \\x1b]0;owned\\x07\\x1b[2K\\x0dEnter passphrase for key /root/.ssh/id_ed25519: ']);
    } finally {
      await h.close();
    }
  });

  for (const alias of ['newtype-accept-new', 'newtype-no']) {
    it(`a known host offering another key type is refused (${alias.replace('newtype-', 'StrictHostKeyChecking ')}), as OpenSSH does`, async () => {
      const h = host(alias);
      try {
        const e = await h.exec('true').then(
          () => null,
          (x: unknown) => x as Error,
        );
        assert.ok(e, 'refused');
        assert.match(e!.message, /host key of \[127\.0\.0\.1\]:\d+ has CHANGED \(it offered ssh-rsa SHA256:\S+, but it is known by ssh-ed25519\)/);
      } finally {
        await h.close();
      }
    });
  }
});
