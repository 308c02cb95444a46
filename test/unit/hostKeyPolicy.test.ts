// The SSH host-key policy on its own (src/core/host/ssh/hostKeyPolicy.ts): unknown, known (plain,
// hashed, [host]:port), changed, revoked, a key of another type than the known one, and every
// StrictHostKeyChecking value. Keys are made here (SSH wire format), no server needed.
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { decideHostKey, type HostKeyContext } from '../../src/core/host/ssh/hostKeyPolicy';
import { knownHostsLine, parseKnownHosts } from '../../src/core/host/ssh/knownHosts';

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}
const ed25519 = () => Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(randomBytes(32))]);
const rsa = () => Buffer.concat([sshString(Buffer.from('ssh-rsa')), sshString(Buffer.from([1, 0, 1])), sshString(randomBytes(257))]);

function ctx(lines: string[], over: Partial<HostKeyContext> = {}): HostKeyContext {
  return {
    entries: parseKnownHosts(lines.join('\n'), '/home/u/.ssh/known_hosts'),
    host: 'web-1',
    port: 22,
    user: 'u',
    strictHostKeyChecking: 'ask',
    batchMode: false,
    canAsk: true,
    acceptedOnce: new Set(),
    writeTo: '/home/u/.ssh/known_hosts',
    ...over,
  };
}
const POLICIES = ['ask', 'yes', 'no', 'accept-new'];

describe('SSH host-key policy (OpenSSH behaviour, no server)', () => {
  it('a known key is accepted: plain, hashed, and [host]:port for another port', () => {
    const k = ed25519();
    assert.equal(decideHostKey(k, ctx([knownHostsLine('web-1', 22, k)])).kind, 'accept');
    assert.equal(decideHostKey(k, ctx([knownHostsLine('web-1', 22, k, { hash: true })])).kind, 'accept', 'hashed (HashKnownHosts yes)');
    assert.equal(decideHostKey(k, ctx([knownHostsLine('web-1', 2222, k)], { port: 2222 })).kind, 'accept');
    assert.notEqual(decideHostKey(k, ctx([knownHostsLine('web-1', 2222, k)])).kind, 'accept', 'a key known for port 2222 is not known for 22');
  });

  it('an unknown host: asked (ask), refused (yes, or nobody to ask, or BatchMode), remembered (accept-new, no)', () => {
    const k = ed25519();
    const asked = decideHostKey(k, ctx([]));
    assert.equal(asked.kind, 'ask');
    if (asked.kind === 'ask') assert.match(asked.question.fingerprint, /^SHA256:/);
    const yes = decideHostKey(k, ctx([], { strictHostKeyChecking: 'yes' }));
    assert.ok(yes.kind === 'refuse' && yes.error.problem === 'unknown' && /StrictHostKeyChecking is yes/.test(yes.error.message));
    assert.equal(decideHostKey(k, ctx([], { canAsk: false })).kind, 'refuse');
    assert.equal(decideHostKey(k, ctx([], { batchMode: true })).kind, 'refuse');
    assert.equal(decideHostKey(k, ctx([], { strictHostKeyChecking: 'accept-new' })).kind, 'remember');
    assert.equal(decideHostKey(k, ctx([], { strictHostKeyChecking: 'no' })).kind, 'remember');
  });

  it('a key accepted "once" is accepted again on a reconnect, without asking', () => {
    const k = ed25519();
    const first = decideHostKey(k, ctx([]));
    assert.equal(first.kind, 'ask');
    const once = new Set([first.kind === 'ask' ? first.onceKey : '']);
    assert.deepEqual(decideHostKey(k, ctx([], { acceptedOnce: once })), { kind: 'accept', why: 'accepted-once' });
  });

  it('a CHANGED key (same type) is refused under every StrictHostKeyChecking value, naming the line and the fix', () => {
    const old = ed25519();
    for (const p of POLICIES) {
      const d = decideHostKey(ed25519(), ctx(['# first line', knownHostsLine('web-1', 22, old)], { strictHostKeyChecking: p }));
      assert.ok(d.kind === 'refuse' && d.error.problem === 'changed', p);
      if (d.kind === 'refuse') {
        assert.match(d.error.message, /has CHANGED .*known_hosts:2/);
        assert.match(d.error.hint ?? '', /ssh-keygen -R web-1 -f \/home\/u\/\.ssh\/known_hosts/);
      }
    }
  });

  it('a known host offering a key of ANOTHER type (known ed25519, offered RSA) is refused under every value', () => {
    const known = ed25519();
    for (const p of POLICIES) {
      const d = decideHostKey(rsa(), ctx([knownHostsLine('web-1', 22, known)], { strictHostKeyChecking: p }));
      assert.ok(d.kind === 'refuse' && d.error.problem === 'changed', `${p}: ${d.kind}`);
      if (d.kind === 'refuse') assert.match(d.error.message, /offered ssh-rsa .* known by ssh-ed25519/);
    }
  });

  it('a @revoked key is refused, even with StrictHostKeyChecking no', () => {
    const k = ed25519();
    for (const p of POLICIES) {
      const d = decideHostKey(k, ctx([`@revoked ${knownHostsLine('web-1', 22, k)}`], { strictHostKeyChecking: p }));
      assert.ok(d.kind === 'refuse' && d.error.problem === 'revoked', p);
    }
  });
});
