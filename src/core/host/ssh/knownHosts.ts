// OpenSSH known_hosts: read (plain, hashed `|1|salt|hash`, `[host]:port`, wildcards and `!`
// negation, several key types per host, `@revoked`), check a presented key, and append a line.
// `@cert-authority` lines are ignored: ssh2 does not verify host certificates, so a host that is
// only trusted through a CA is treated as unknown (the user is asked, or it is refused).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  marker: '' | '@revoked' | '@cert-authority';
  /** Comma-separated host patterns (plain entries), lower-cased. */
  patterns: string[];
  /** `|1|salt|hash` entries. */
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

/** 'SHA256:' + unpadded base64 of the key blob's SHA-256, as `ssh-keygen -l` prints it. */
export function fingerprintSha256(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside an SSH wire-format public key blob (e.g. 'ssh-ed25519'). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const n = key.readUInt32BE(0);
  if (n <= 0 || n > 64 || 4 + n > key.length) return 'unknown';
  return key.subarray(4, 4 + n).toString('latin1');
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (!raw || raw.startsWith('#')) continue;
    const fields = raw.split(/\s+/);
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked' && fields[0] !== '@cert-authority') continue;
      marker = fields.shift() as KnownHostEntry['marker'];
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, b64] = fields;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) continue; // garbage or truncated line
    const entry: KnownHostEntry = { file, line: i + 1, marker, patterns: [], keyType, key };
    const h = /^\|1\|([^|]+)\|([^|]+)$/.exec(hosts);
    if (h) entry.hashed = { salt: Buffer.from(h[1], 'base64'), hash: Buffer.from(h[2], 'base64') };
    else entry.patterns = hosts.toLowerCase().split(',').filter(Boolean);
    out.push(entry);
  }
  return out;
}

/** Reads every file that exists; unreadable files are skipped (as OpenSSH does). */
export function readKnownHosts(files: string[]): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  for (const f of files) {
    try {
      for (const e of parseKnownHosts(readFileSync(f, 'utf8'), f)) out.push(e);
    } catch {
      /* missing or unreadable */
    }
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** OpenSSH pattern-list semantics: any positive match and no negated (`!pat`) match. */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const mac = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return mac.length === entry.hashed.hash.length && mac.equals(entry.hashed.hash);
  }
  let positive = false;
  for (const p of entry.patterns) {
    if (p.startsWith('!')) {
      if (globToRegExp(p.slice(1)).test(name)) return false;
    } else if (globToRegExp(p).test(name)) positive = true;
  }
  return positive;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'changed'; entry: KnownHostEntry }
  /** Never seen; `otherTypes` lists keys of other types known for this host (OpenSSH warns). */
  | { status: 'unknown'; otherTypes: KnownHostEntry[] };

export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const name = knownHostName(host, port);
  const type = keyTypeOf(key);
  // A revoked key is refused whatever host pattern its line has.
  const revoked = entries.find((e) => e.marker === '@revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === '' && entryMatchesHost(e, name));
  const known = forHost.find((e) => e.key.equals(key));
  if (known) return { status: 'known', entry: known };
  const changed = forHost.find((e) => e.keyType === type);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', otherTypes: forHost };
}

/** Host key types already known for this host, so the handshake can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostName(host, port);
  const types: string[] = [];
  for (const e of entries) if (e.marker === '' && !types.includes(e.keyType) && entryMatchesHost(e, name)) types.push(e.keyType);
  return types;
}

/** One known_hosts line for `key`, hashed like `HashKnownHosts yes` when asked. */
export function knownHostsLine(host: string, port: number, key: Buffer, opts: { hash?: boolean } = {}): string {
  const name = knownHostName(host, port);
  let hosts = name;
  if (opts.hash) {
    const salt = randomBytes(20);
    hosts = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${hosts} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Appends a line, creating the file (0600) and its directory (0700) when needed. */
export function appendKnownHost(file: string, line: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file) && statSync(file).size > 0) {
    const text = readFileSync(file);
    if (text[text.length - 1] !== 0x0a) prefix = '\n';
  }
  appendFileSync(file, `${prefix}${line}\n`, { mode: 0o600 });
}
