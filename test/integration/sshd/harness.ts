// A private OpenSSH server for the SSH integration tests and the SSH bench (TESTING.md §2):
// `/usr/sbin/sshd -D -e -f <tmp>/sshd_config` on 127.0.0.1 with a free port, its own host keys,
// PidFile and authorized_keys in a temp dir. Never touches /etc/ssh or the system sshd.
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingDependency, skipLoudly } from '../helpers';

export const SSHD = '/usr/sbin/sshd';
export const TEST_USER = 'oomlens-test';
export const TEST_PASSWORD = 'oomlens-test-pw-7319';

/** Why the SSH tests cannot run here, or null when they can. */
export function sshdMissingReason(): string | null {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (apt-get install -y openssh-server)`;
  for (const tool of ['ssh-keygen', 'ssh-agent', 'ssh-add']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed (apt-get install -y openssh-client openssh-server)`;
  }
  return null;
}

/** Before a suite that starts the private sshd: fails (under npm test) or skips, saying why. */
export function requireSshd(ctx: Mocha.Context): void {
  const missing = sshdMissingReason();
  if (missing) missingDependency(ctx, missing);
  if (process.getuid?.() !== 0) skipLoudly(ctx, 'the private sshd tests need root (to run sshd, and to log in as root and as a second user)');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** The non-root login user (created once; has a password so password login can be tested). */
export function ensureTestUser(): { name: string; uid: number; home: string } {
  if (spawnSync('id', ['-u', TEST_USER]).status !== 0) run('useradd', ['-m', '-s', '/bin/sh', TEST_USER]);
  run('chpasswd', [], `${TEST_USER}:${TEST_PASSWORD}\n`);
  const uid = Number(run('id', ['-u', TEST_USER]).trim());
  const home = run('getent', ['passwd', TEST_USER]).split(':')[5];
  return { name: TEST_USER, uid, home };
}

export interface KeyPair {
  path: string;
  pub: string;
  type: string;
}

/** ssh-keygen a key pair (OpenSSH format) with an optional passphrase. */
export function makeKey(dir: string, name: string, type: 'ed25519' | 'rsa' | 'ecdsa' = 'ed25519', passphrase = ''): KeyPair {
  const path = join(dir, name);
  rmSync(path, { force: true });
  rmSync(`${path}.pub`, { force: true });
  run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', passphrase, '-C', `${name}@oomlens-test`, '-f', path]);
  chmodSync(path, 0o600);
  return { path, pub: readFileSync(`${path}.pub`, 'utf8').trim(), type };
}

export interface SshdOptions {
  /** Extra sshd_config lines. */
  extra?: string[];
  hostKeyTypes?: Array<'ed25519' | 'rsa' | 'ecdsa'>;
}

export class PrivateSshd {
  private logBuf: string[] = [];
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly hostKeys: KeyPair[],
    private child: ChildProcess,
  ) {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      this.logBuf.push(d);
      if (this.logBuf.length > 2000) this.logBuf.splice(0, 1000);
    });
  }

  get log(): string {
    return this.logBuf.join('');
  }
  get pid(): number {
    return this.child.pid!;
  }

  static async start(opts: SshdOptions = {}): Promise<PrivateSshd> {
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-sshd-'));
    chmodSync(dir, 0o755); // the non-root user's session must reach nothing here, but sshd reads as root
    const port = await freePort();
    const hostKeys = (opts.hostKeyTypes ?? ['ed25519', 'ecdsa', 'rsa']).map((t) => makeKey(dir, `ssh_host_${t}_key`, t));
    const config = [
      ...(opts.extra ?? []), // first value wins in sshd_config: extras override the defaults below
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      ...hostKeys.map((k) => `HostKey ${k.path}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys.%u')}`,
      'PermitRootLogin yes',
      'UsePAM no',
      'StrictModes no',
      'PasswordAuthentication yes',
      'PubkeyAuthentication yes',
      'KbdInteractiveAuthentication no',
      'AllowTcpForwarding yes',
      'PermitOpen any',
      'MaxSessions 20',
      'MaxStartups 50:30:100',
      'LogLevel VERBOSE',
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'sshd_config'), config);
    const t = spawnSync(SSHD, ['-t', '-f', join(dir, 'sshd_config')], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`sshd -t rejected the test config: ${t.stderr}`);
    const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sshd = new PrivateSshd(dir, port, hostKeys, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`sshd did not start within 10 s: ${sshd.log}`)), 10_000);
      const check = () => {
        if (/Server listening on/.test(sshd.log)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stderr!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sshd exited (${code}): ${sshd.log}`));
      });
    });
    return sshd;
  }

  hostKey(type: string): KeyPair {
    const k = this.hostKeys.find((x) => x.type === type || x.pub.startsWith(type));
    if (!k) throw new Error(`no ${type} host key`);
    return k;
  }

  /** Appends a public key to authorized_keys of `user`. */
  authorize(user: string, pub: string): void {
    appendFileSync(join(this.dir, `authorized_keys.${user}`), `${pub}\n`);
  }

  /** A known_hosts line for this server with one of its host keys. */
  knownHostsLine(type = 'ed25519', host = '127.0.0.1'): string {
    const [kt, b64] = this.hostKey(type).pub.split(' ');
    return `[${host}]:${this.port} ${kt} ${b64}`;
  }

  /** PIDs of the per-connection sshd processes (children of the listener). */
  connectionPids(): number[] {
    const r = spawnSync('pgrep', ['-P', String(this.pid)], { encoding: 'utf8' });
    return r.stdout.split('\n').filter(Boolean).map(Number);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
      // Per-connection children first (they are in our process tree), then the listener.
      for (const pid of this.connectionPids()) {
        try {
          process.kill(pid, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      this.child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** An ssh-agent on a socket of our own, with `keys` added. stop() kills it. */
export function startAgent(dir: string, keys: string[]): { sock: string; stop(): void } {
  const sock = join(dir, `agent.${process.pid}.sock`);
  rmSync(sock, { force: true });
  const out = run('ssh-agent', ['-s', '-a', sock]);
  const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(out)?.[1]);
  for (const k of keys) {
    const r = spawnSync('ssh-add', ['-q', k], { encoding: 'utf8', env: { ...process.env, SSH_AUTH_SOCK: sock } });
    if (r.status !== 0) throw new Error(`ssh-add ${k}: ${r.stderr}`);
  }
  return {
    sock,
    stop() {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      rmSync(sock, { force: true });
    },
  };
}

/** A temp dir for client-side files (keys, ssh_config, known_hosts). */
export function clientDir(): string {
  return mkdtempSync(join(tmpdir(), 'oomlens-sshc-'));
}
