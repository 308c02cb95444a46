// Per-suite setup for the SSH tests: a private sshd, client keys authorised for root and the test
// user, and a client-side ssh_config + known_hosts in a temp dir (never ~/.ssh).
import { rmSync, writeFileSync, appendFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PrivateSshd, SshdOptions, makeKey, clientDir, ensureTestUser, KeyPair, TEST_USER, requireSshd } from './harness';
import { hostFromSpec, HostFromSpecOptions } from '../../../src/core/host/ssh';

export interface SshFixture {
  sshd: PrivateSshd;
  dir: string;
  rootKey: KeyPair;
  userKey: KeyPair;
  user: { name: string; uid: number; home: string };
  configPath: string;
  knownHosts: string;
  /** Rewrites the client ssh_config: `Host target` (root) and `Host user` (test user), plus extras. */
  writeConfig(extra?: string[], perHost?: Record<string, string[]>): void;
  /** Puts this server's key of `type` in known_hosts (replacing the file). */
  trust(type?: string): void;
  host(alias?: string, opts?: HostFromSpecOptions): ReturnType<typeof hostFromSpec>;
  stop(): Promise<void>;
}

export async function sshFixture(opts: SshdOptions = {}): Promise<SshFixture> {
  const user = ensureTestUser();
  const sshd = await PrivateSshd.start(opts);
  const dir = clientDir();
  const rootKey = makeKey(dir, 'id_root');
  const userKey = makeKey(dir, 'id_user', 'ecdsa');
  sshd.authorize('root', rootKey.pub);
  sshd.authorize(TEST_USER, userKey.pub);
  const configPath = join(dir, 'ssh_config');
  const knownHosts = join(dir, 'known_hosts');
  const fx: SshFixture = {
    sshd,
    dir,
    rootKey,
    userKey,
    user,
    configPath,
    knownHosts,
    writeConfig(extra = [], perHost = {}) {
      const block = (name: string, u: string, key: string) => [
        `Host ${name}`,
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${u}`,
        `  IdentityFile ${key}`,
        '  IdentitiesOnly yes',
        ...(perHost[name] ?? []).map((l) => `  ${l}`),
      ];
      writeFileSync(
        configPath,
        [
          ...block('target', 'root', rootKey.path),
          ...block('user', TEST_USER, userKey.path),
          '',
          'Host *',
          ...extra.map((l) => `  ${l}`), // first value wins in ssh_config: extras before defaults
          `  UserKnownHostsFile ${knownHosts}`,
          '  GlobalKnownHostsFile /dev/null',
          '',
        ].join('\n'),
      );
    },
    trust(type = 'ed25519') {
      writeFileSync(knownHosts, `${sshd.knownHostsLine(type)}\n`);
    },
    host(alias = 'target', o: HostFromSpecOptions = {}) {
      return hostFromSpec(alias, { sshConfigPath: configPath, agentSocket: null, ...o });
    },
    async stop() {
      await sshd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  fx.writeConfig();
  fx.trust();
  return fx;
}

export function knownHostsText(fx: SshFixture): string {
  return existsSync(fx.knownHosts) ? readFileSync(fx.knownHosts, 'utf8') : '';
}

export function addKnownHostsLine(fx: SshFixture, line: string): void {
  appendFileSync(fx.knownHosts, `${line}\n`);
}

/**
 * Registers the suite's hooks: a fixture before the tests (skipped LOUDLY when sshd is missing),
 * stopped after them. `onReady` receives it (assign it to the suite's `fx`).
 */
export function useSshFixture(onReady: (fx: SshFixture) => void | Promise<void>, opts: SshdOptions = {}): void {
  let fx: SshFixture | undefined;
  before(async function () {
    requireSshd(this);
    fx = await sshFixture(opts);
    await onReady(fx);
  });
  after(async () => {
    await fx?.stop();
  });
}
