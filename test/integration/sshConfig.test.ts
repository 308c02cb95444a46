// Pure parts of the SSH layer (no sshd needed): host specs, ssh_config resolution (patterns,
// first-value-wins, tokens, Include, ProxyJump, ProxyCommand refused), the quick-pick host list,
// known_hosts parsing/matching, sudo helpers, and the cancel wrapper run by a real `sh`.
import { strict as assert } from 'node:assert';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import SSHConfig from 'ssh-config';
import { shQuote } from '../../src/core/shell';
import {
  SshConfigError,
  SudoError,
  checkHostKey,
  checkSudoResult,
  fingerprintSha256,
  knownHostsLine,
  listConfiguredHosts,
  loadSshConfig,
  parseKnownHosts,
  parseSpec,
  resolveTarget,
  wrapForCancel,
  hostFromSpec,
} from '../../src/core/host/ssh';

describe('SSH config, specs and known_hosts (pure)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oomlens-sshcfg-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('parses host specs', () => {
    assert.deepEqual(parseSpec('web1'), { user: undefined, host: 'web1', port: undefined });
    assert.deepEqual(parseSpec('ops@web1:2222'), { user: 'ops', host: 'web1', port: 2222 });
    assert.deepEqual(parseSpec('ssh://ops@10.0.0.1:22'), { user: 'ops', host: '10.0.0.1', port: 22 });
    assert.deepEqual(parseSpec('root@[::1]:2200'), { user: 'root', host: '::1', port: 2200 });
    assert.deepEqual(parseSpec('fe80::1'), { user: undefined, host: 'fe80::1', port: undefined });
    for (const bad of ['', 'a b', '@host', 'host:0', 'host:99999', 'host:x']) assert.throws(() => parseSpec(bad), SshConfigError, bad);
  });

  it('resolves an alias: patterns, first value wins, spec user/port override, tokens, defaults', () => {
    const cfg = SSHConfig.parse(
      [
        'Host web-*',
        '  User deploy',
        '  IdentityFile ~/.ssh/%r@%h-%p',
        '  ProxyJump bastion',
        'Host web-1',
        '  HostName 10.1.2.3',
        '  User ignored-second-value',
        '  Port 2201',
        'Host bastion',
        '  HostName bastion.example.org',
        '  ProxyJump none',
        'Host *',
        '  IdentityFile %d/.ssh/common_%u',
        '  IdentitiesOnly yes',
        '  StrictHostKeyChecking accept-new',
        '  ConnectTimeout 7',
        '  ServerAliveInterval 30',
        '  UserKnownHostsFile ~/kh1 %d/kh2',
        '',
      ].join('\n'),
    );
    const t = resolveTarget('web-1', cfg);
    assert.equal(t.host, '10.1.2.3');
    assert.equal(t.port, 2201);
    assert.equal(t.user, 'deploy');
    assert.deepEqual(t.identityFiles, [join(homedir(), '.ssh', 'deploy@10.1.2.3-2201'), join(homedir(), '.ssh', `common_${userInfo().username}`)]);
    assert.equal(t.identitiesOnly, true);
    assert.deepEqual(t.proxyJump, ['bastion']);
    assert.equal(t.strictHostKeyChecking, 'accept-new');
    assert.equal(t.connectTimeoutMs, 7000);
    assert.equal(t.serverAliveIntervalMs, 30_000);
    assert.deepEqual(t.userKnownHostsFiles, [join(homedir(), 'kh1'), join(homedir(), 'kh2')]);
    const o = resolveTarget('ops@web-1:22', cfg, { identity: ['/keys/given'] });
    assert.equal(o.user, 'ops');
    assert.equal(o.port, 22);
    assert.equal(o.identityFiles[0], '/keys/given');
    const b = resolveTarget('bastion', cfg);
    assert.deepEqual(b.proxyJump, []);
    const plain = resolveTarget('other.example.org', SSHConfig.parse(''));
    assert.equal(plain.port, 22);
    assert.equal(plain.strictHostKeyChecking, 'ask');
    assert.equal(plain.connectTimeoutMs, 15_000);
    assert.deepEqual(
      plain.identityFiles,
      ['id_rsa', 'id_ecdsa', 'id_ed25519'].map((f) => join(homedir(), '.ssh', f)),
    );
  });

  it('refuses ProxyCommand (not silently connecting directly) and bad values', () => {
    assert.throws(
      () => resolveTarget('x', SSHConfig.parse('Host x\n  ProxyCommand nc %h %p\n')),
      (e: Error) => e instanceof SshConfigError && /ProxyJump/.test((e as SshConfigError).hint!),
    );
    assert.throws(() => resolveTarget('x', SSHConfig.parse('Host x\n  ConnectTimeout soon\n')), SshConfigError);
    assert.throws(() => resolveTarget('x', SSHConfig.parse('Host x\n  IdentityFile ~/%Z\n')), SshConfigError);
  });

  it('expands Include, and lists the non-wildcard hosts for a quick pick', () => {
    mkdirSync(join(dir, 'conf.d'), { recursive: true });
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'Host inc-a\n  HostName 10.0.0.9\n  Port 2022\n');
    writeFileSync(
      join(dir, 'config'),
      `Include ${join(dir, 'conf.d')}/*.conf\nHost web1 web2 !web3 *.prod\n  User x\nHost db?\nHost web1\n  Port 1\nHost *\n  User y\n`,
    );
    assert.deepEqual(listConfiguredHosts(join(dir, 'config')), ['inc-a', 'web1', 'web2']);
    const t = resolveTarget('inc-a', loadSshConfig(join(dir, 'config')));
    assert.deepEqual([t.host, t.port, t.user], ['10.0.0.9', 2022, 'y']);
    assert.deepEqual(listConfiguredHosts(join(dir, 'missing')), []);
    // hostFromSpec resolves at once (config errors surface before any connection).
    writeFileSync(join(dir, 'bad'), 'Host p\n  ProxyCommand ssh -W %h:%p j\n');
    assert.throws(() => hostFromSpec('p', { sshConfigPath: join(dir, 'bad') }), SshConfigError);
    const w = hostFromSpec('web1', { sshConfigPath: join(dir, 'config') }).target;
    assert.deepEqual([w.user, w.port], ['x', 1], 'each directive from the first block that sets it');
  });

  it('known_hosts: plain, [host]:port, wildcards, negation, hashed, revoked, garbage lines', () => {
    const key = (seed: string) => {
      const b = Buffer.alloc(51);
      b.writeUInt32BE(11, 0);
      b.write('ssh-ed25519', 4);
      b.writeUInt32BE(32, 15);
      b.write(seed.padEnd(32, 'x'), 19);
      return b;
    };
    const k1 = key('one');
    const k2 = key('two');
    const hashed = knownHostsLine('10.0.0.7', 2222, k1, { hash: true });
    const text = [
      '# comment',
      `web1,10.0.0.5 ssh-ed25519 ${k1.toString('base64')}`,
      `*.prod,!bad.prod ssh-ed25519 ${k1.toString('base64')}`,
      'garbage line',
      `web2 ssh-ed25519 ${Buffer.from('truncated').toString('base64')}`,
      hashed,
      `@revoked * ssh-ed25519 ${k2.toString('base64')}`,
      `@cert-authority *.corp ssh-ed25519 ${k1.toString('base64')}`,
      `[web1]:2222 ssh-ed25519 ${k2.toString('base64')}`,
    ].join('\n');
    const e = parseKnownHosts(text, '/kh');
    assert.equal(e.length, 6);
    assert.equal(checkHostKey(e, 'web1', 22, k1).status, 'known');
    assert.equal(checkHostKey(e, 'WEB1', 22, k1).status, 'known');
    assert.equal(checkHostKey(e, 'a.prod', 22, k1).status, 'known');
    assert.equal(checkHostKey(e, 'bad.prod', 22, k1).status, 'unknown');
    assert.equal(checkHostKey(e, 'web1', 2222, k1).status, 'changed');
    const ch = checkHostKey(e, 'web1', 2222, k1);
    assert.ok(ch.status === 'changed' && ch.entry.line === 9);
    assert.equal(checkHostKey(e, '10.0.0.7', 2222, k1).status, 'known');
    assert.equal(checkHostKey(e, '10.0.0.7', 22, k1).status, 'unknown');
    assert.equal(checkHostKey(e, 'anything', 22, k2).status, 'revoked');
    assert.equal(checkHostKey(e, 'x.corp', 22, k1).status, 'unknown', '@cert-authority is ignored');
    assert.match(fingerprintSha256(k1), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('sudo: checkSudoResult turns sudo refusals into typed errors and leaves other failures alone', () => {
    const r = (stderr: string, code = 1) => ({ stdout: '', stderr, code, signal: null, timedOut: false });
    assert.throws(
      () => checkSudoResult(r('sudo: a password is required\n'), 'h', 'u'),
      (e: Error) => e instanceof SudoError && /password/.test(e.message),
    );
    assert.throws(() => checkSudoResult(r('u is not in the sudoers file.  This incident will be reported.\n'), 'h', 'u'), SudoError);
    assert.throws(
      () => checkSudoResult(r('sh: 1: sudo: not found\n', 127), 'h', 'u'),
      (e: Error) => /not installed/.test(e.message),
    );
    const ok = r('cat: x: No such file or directory\n');
    assert.equal(checkSudoResult(ok, 'h', 'u'), ok);
  });

  it('the cancel wrapper runs ANY command text unchanged under sh and dash, printing its pid first on stderr', () => {
    const shells = ['sh', 'dash', 'bash'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, '')),
        (s) => {
          for (const shell of shells) {
            const r = spawnSync(shell, ['-c', wrapForCancel(`printf %s ${shQuote(s)}; echo err >&2`)], { encoding: 'buffer' });
            assert.equal(r.stdout.toString('utf8'), Buffer.from(s, 'utf8').toString('utf8'));
            const err = r.stderr.toString();
            assert.match(err, /^@@oomlens-pid \d+\nerr\n$/);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
