// What to do with the host key a server offers, decided apart from any connection (pure, so every
// case is tested on its own): accept, accept and remember, ask the person, or refuse with the
// reason and the fix. Follows OpenSSH: a changed key is refused whatever StrictHostKeyChecking
// says; so is a known host offering a key of a type we do not know for it (OpenSSH: "HOST
// IDENTIFICATION HAS CHANGED"), since the types it is known by are asked for first.
import { HostKeyError } from './errors';
import { checkHostKey, fingerprintSha256, keyTypeOf, knownHostName, type KnownHostEntry } from './knownHosts';
import { shQuote } from '../../shell';

/** What the person is asked about an unknown host key (SshCallbacks.onUnknownHostKey). */
export interface HostKeyQuestion {
  host: string;
  port: number;
  keyType: string;
  /** 'SHA256:…' as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Where 'remember' writes the key. */
  knownHostsFile: string;
  /** Keys of other types this host is already known by (a hint that it may be legitimate). */
  otherKnownTypes: string[];
}

export type HostKeyDecision =
  | { kind: 'accept'; why: 'known' | 'accepted-once' }
  | { kind: 'remember'; why: 'accept-new' }
  | { kind: 'ask'; question: HostKeyQuestion; onceKey: string }
  | { kind: 'refuse'; error: HostKeyError };

export interface HostKeyContext {
  entries: KnownHostEntry[];
  host: string;
  port: number;
  user: string;
  strictHostKeyChecking: 'yes' | 'no' | 'ask' | 'accept-new' | string;
  batchMode: boolean;
  /** Somebody can be asked (a terminal, or VS Code). */
  canAsk: boolean;
  /** Keys accepted "once" by this connection's owner, as `name base64`. */
  acceptedOnce: ReadonlySet<string>;
  /** Where a remembered key goes (the first user known_hosts file). */
  writeTo: string | null;
}

export function decideHostKey(key: Buffer, c: HostKeyContext): HostKeyDecision {
  const keyType = keyTypeOf(key);
  const fingerprint = fingerprintSha256(key);
  const name = knownHostName(c.host, c.port);
  const mk = (problem: HostKeyError['problem'], message: string, hint: string, file?: string, line?: number) =>
    new HostKeyError(message, hint, c.host, c.port, keyType, fingerprint, problem, file, line);
  const v = checkHostKey(c.entries, c.host, c.port, key);
  if (v.status === 'known') return { kind: 'accept', why: 'known' };
  if (v.status === 'revoked') {
    return {
      kind: 'refuse',
      error: mk(
        'revoked',
        `the host key of ${name} (${keyType} ${fingerprint}) is marked @revoked in ${v.entry.file}:${v.entry.line}; refusing to connect`,
        `the owner of ${c.host} revoked this key; ask them for the new one`,
        v.entry.file,
        v.entry.line,
      ),
    };
  }
  const changed = (entry: KnownHostEntry, what: string) => ({
    kind: 'refuse' as const,
    error: mk(
      'changed',
      `WARNING: the host key of ${name} has CHANGED (${what}); it does not match ${entry.file}:${entry.line}. Someone could be intercepting the connection (man-in-the-middle), or the host was reinstalled. Refusing to connect.`,
      `check the new fingerprint with the host's administrator; if the change is expected, remove the old key: ssh-keygen -R ${shQuote(name)} -f ${shQuote(entry.file)}`,
      entry.file,
      entry.line,
    ),
  });
  if (v.status === 'changed') return changed(v.entry, `now ${keyType} ${fingerprint}`);
  // Known by other key types only: the server no longer has the key it is known by.
  if (v.otherTypes.length > 0) {
    const known = v.otherTypes[0];
    return changed(known, `it offered ${keyType} ${fingerprint}, but it is known by ${[...new Set(v.otherTypes.map((e) => e.keyType))].join(', ')}`);
  }
  const unknownMsg = (why: string) => `the host key of ${name} is not known (${keyType} ${fingerprint}): ${why}`;
  const hint = `check the fingerprint with the host's administrator (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub on ${c.host}), then connect once with ssh ${c.port === 22 ? '' : `-p ${c.port} `}${c.user}@${c.host} to add it to known_hosts`;
  if (c.strictHostKeyChecking === 'yes') return { kind: 'refuse', error: mk('unknown', unknownMsg('StrictHostKeyChecking is yes'), hint) };
  // `no` is treated like accept-new: a new key is added; a changed key was refused above.
  if (c.strictHostKeyChecking === 'accept-new' || c.strictHostKeyChecking === 'no') return { kind: 'remember', why: 'accept-new' };
  const onceKey = `${name} ${key.toString('base64')}`;
  if (c.acceptedOnce.has(onceKey)) return { kind: 'accept', why: 'accepted-once' };
  if (!c.canAsk || c.batchMode)
    return {
      kind: 'refuse',
      error: mk('unknown', unknownMsg(c.batchMode ? 'BatchMode is on, nobody can be asked' : 'nobody can be asked to accept it'), hint),
    };
  return { kind: 'ask', onceKey, question: { host: c.host, port: c.port, keyType, fingerprint, knownHostsFile: c.writeTo ?? '', otherKnownTypes: [] } };
}

/** The refusal when the person declined the key. */
export function declinedKeyError(key: Buffer, host: string, port: number): HostKeyError {
  const keyType = keyTypeOf(key);
  const fingerprint = fingerprintSha256(key);
  return new HostKeyError(
    `the host key of ${knownHostName(host, port)} (${keyType} ${fingerprint}) was not accepted`,
    'connect again and accept the key once you have checked its fingerprint',
    host,
    port,
    keyType,
    fingerprint,
    'refused',
  );
}
