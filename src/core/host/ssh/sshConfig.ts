// Resolving a host spec (an ssh_config alias, or `user@host[:port]`) through an OpenSSH client
// config with the `ssh-config` package: Host patterns, HostName, User, Port, IdentityFile (~ and
// %d %u %l %h %r %p %n %% tokens), IdentitiesOnly, IdentityAgent, ProxyJump, UserKnownHostsFile,
// GlobalKnownHostsFile, StrictHostKeyChecking, HashKnownHosts, ConnectTimeout,
// ServerAliveInterval/CountMax, PasswordAuthentication, KbdInteractiveAuthentication, BatchMode.
// `Include` is expanded in place (globs, relative to ~/.ssh). `Match exec` is never run.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { homedir, userInfo, hostname } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig from 'ssh-config';
import { SshConfigError } from './errors';

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no' | 'ask';

/** Everything needed to open one SSH connection (one hop). */
export interface SshTarget {
  /** What the user named: the alias or the host part of the spec. */
  alias: string;
  /** The address to connect to (HostName, or the alias). */
  host: string;
  port: number;
  user: string;
  /** Expanded private key paths, in the order to try. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Agent socket path from IdentityAgent; null = IdentityAgent none; undefined = SSH_AUTH_SOCK. */
  identityAgent?: string | null;
  /** ProxyJump hops, `[user@]host[:port]` each, to resolve through the same config. */
  proxyJump: string[];
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  hashKnownHosts: boolean;
  connectTimeoutMs: number;
  /** 0 = off. */
  serverAliveIntervalMs: number;
  serverAliveCountMax: number;
  passwordAuthentication: boolean;
  kbdInteractiveAuthentication: boolean;
  /** BatchMode yes: never ask anything. */
  batchMode: boolean;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** OpenSSH's default is off; a long sampling session needs dead-peer detection, so we default on. */
export const DEFAULT_SERVER_ALIVE_INTERVAL_MS = 15_000;

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

/** `[ssh://][user@]host[:port]`, with `[v6addr]:port` too. */
export function parseSpec(spec: string): { user?: string; host: string; port?: number } {
  let s = spec.trim();
  if (s.startsWith('ssh://')) s = s.slice(6).replace(/\/$/, '');
  if (!s || /\s/.test(s)) throw new SshConfigError(`not a host: "${spec}"`, 'use an ssh config alias or user@host[:port]');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if ((s.match(/:/g) ?? []).length === 1) {
    [host, portText] = s.split(':');
  }
  if (!host || user === '') throw new SshConfigError(`not a host: "${spec}"`, 'use an ssh config alias or user@host[:port]');
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new SshConfigError(`bad port in "${spec}"`);
  }
  return { user, host, port };
}

function expandIncludes(text: string, baseDir: string, depth: number): string {
  if (depth > 8) throw new SshConfigError('ssh config: Include nested too deeply (a loop?)');
  return text
    .split('\n')
    .map((line) => {
      const m = /^\s*Include\s+(.+?)\s*$/i.exec(line);
      if (!m) return line;
      const parts: string[] = [];
      for (let pat of m[1].split(/\s+/)) {
        pat = pat.replace(/^"(.*)"$/, '$1').replace(/^~(?=\/|$)/, homedir());
        if (!isAbsolute(pat)) pat = join(baseDir, pat);
        for (const f of globFiles(pat)) {
          try {
            parts.push(expandIncludes(readFileSync(f, 'utf8'), baseDir, depth + 1));
          } catch {
            /* unreadable: skip like ssh */
          }
        }
      }
      return parts.join('\n');
    })
    .join('\n');
}

/** Minimal glob for Include: `*` and `?` in the last path component only. */
function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?]/.test(base)) return existsSync(pattern) ? [pattern] : [];
  const re = new RegExp(
    `^${base
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Parses a config file; a missing file is an empty config (as for ssh). */
export function loadSshConfig(path: string = defaultSshConfigPath()): SSHConfig {
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new SshConfigError(`cannot read ssh config ${path}: ${(e as Error).message}`);
  }
  try {
    return SSHConfig.parse(expandIncludes(text, join(homedir(), '.ssh'), 0));
  } catch (e) {
    throw new SshConfigError(`cannot parse ssh config ${path}: ${(e as Error).message}`);
  }
}

/** Host entries a person can pick (no wildcards, no negations), in file order, without duplicates. */
export function listConfiguredHosts(path: string = defaultSshConfigPath()): string[] {
  return hostsOf(loadSshConfig(path));
}

/**
 * Each pickable Host alias with the HostName it connects to (the alias itself when it has none, or
 * when it does not resolve), the config read once: for mapping a Prometheus instance to an alias.
 * A config that cannot be read gives none.
 */
export function configuredHostNames(path: string = defaultSshConfigPath()): { alias: string; hostName: string }[] {
  let cfg: SSHConfig;
  try {
    cfg = loadSshConfig(path);
  } catch {
    return [];
  }
  return hostsOf(cfg).map((alias) => {
    try {
      return { alias, hostName: resolveTarget(alias, cfg).host };
    } catch {
      return { alias, hostName: alias };
    }
  });
}

function hostsOf(config: SSHConfig): string[] {
  const out: string[] = [];
  for (const line of config) {
    if (line.type !== SSHConfig.DIRECTIVE || !/^host$/i.test(line.param)) continue;
    const values = Array.isArray(line.value) ? line.value.map((v) => v.val) : line.value.split(/\s+/);
    for (const v of values) if (v && !/[*?!]/.test(v) && !out.includes(v)) out.push(v);
  }
  return out;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** `~` and %-tokens as ssh_config(5) TOKENS defines them (the ones that make sense here). */
export function expandPath(p: string, t: { host: string; user: string; port: number; alias: string }): string {
  const home = homedir();
  let s = p.replace(/^~(?=\/|$)/, home);
  s = s.replace(/%(.)/g, (all, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return home;
      case 'u':
        return localUser();
      case 'l':
        return hostname();
      case 'L':
        return hostname().split('.')[0];
      case 'h':
        return t.host;
      case 'r':
        return t.user;
      case 'p':
        return String(t.port);
      case 'n':
        return t.alias;
      case 'i':
        return String(process.getuid?.() ?? '');
      default:
        throw new SshConfigError(`ssh config: unsupported token ${all} in "${p}"`);
    }
  });
  return s;
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/)).filter(Boolean);
const yes = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : /^(yes|true)$/i.test(v));

function seconds(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) throw new SshConfigError(`ssh config: ${name} must be a number of seconds, not "${v}"`);
  return Number(v) * 1000;
}

export interface ResolveOverrides {
  /** --identity FILE: tried before the config's IdentityFile entries. */
  identity?: string[];
}

/** Resolves one spec through `config` (which may be empty) into a connectable target. */
export function resolveTarget(spec: string, config: SSHConfig, overrides: ResolveOverrides = {}): SshTarget {
  const p = parseSpec(spec);
  const c = config.compute(p.user !== undefined ? { Host: p.host, User: p.user } : { Host: p.host }, { ignoreCase: true, matchExec: false }) as Record<
    string,
    string | string[]
  >;
  const proxyCommand = first(c.proxycommand);
  if (proxyCommand && proxyCommand !== 'none') {
    throw new SshConfigError(
      `ssh config for ${p.host}: ProxyCommand is not supported`,
      'use ProxyJump instead (ProxyJump user@jumphost), or connect from a machine that reaches the host directly',
    );
  }
  const host = first(c.hostname) ?? p.host;
  const portText = p.port !== undefined ? String(p.port) : first(c.port);
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SshConfigError(`ssh config for ${p.host}: bad Port "${portText}"`);
  const user = p.user ?? first(c.user) ?? localUser();
  // In HostName, %h is the name given on the command line (ssh_config(5)).
  const hostExpanded = host.includes('%') ? expandPath(host, { host: p.host, user, port, alias: p.host }) : host;
  const tok = { host: hostExpanded, user, port, alias: p.host };

  const configured = list(c.identityfile).filter((f) => f !== 'none');
  const defaults = ['id_rsa', 'id_ecdsa', 'id_ed25519'].map((f) => join(homedir(), '.ssh', f));
  const identityFiles = [...(overrides.identity ?? []), ...(configured.length ? configured : defaults)]
    .map((f) => expandPath(f, tok))
    .filter((f, i, a) => a.indexOf(f) === i);

  const agent = first(c.identityagent);
  let identityAgent: string | null | undefined;
  if (agent === 'none') identityAgent = null;
  else if (agent === 'SSH_AUTH_SOCK' || agent === undefined) identityAgent = undefined;
  else identityAgent = agent.startsWith('$') ? (process.env[agent.slice(1).replace(/[{}]/g, '')] ?? null) : expandPath(agent, tok);

  const jump = first(c.proxyjump);
  const proxyJump =
    !jump || jump === 'none'
      ? []
      : jump
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

  const shk = (first(c.stricthostkeychecking) ?? 'ask').toLowerCase();
  const strictHostKeyChecking: StrictHostKeyChecking =
    shk === 'yes' || shk === 'true' ? 'yes' : shk === 'accept-new' ? 'accept-new' : shk === 'no' || shk === 'off' || shk === 'false' ? 'no' : 'ask';

  const ukh = list(c.userknownhostsfile);
  const gkh = list(c.globalknownhostsfile);
  return {
    alias: p.host,
    host: hostExpanded,
    port,
    user,
    identityFiles,
    identitiesOnly: yes(first(c.identitiesonly), false),
    identityAgent,
    proxyJump,
    userKnownHostsFiles: (ukh.length ? ukh : ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).filter((f) => f !== 'none').map((f) => expandPath(f, tok)),
    globalKnownHostsFiles: (gkh.length ? gkh : ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'])
      .filter((f) => f !== 'none')
      .map((f) => expandPath(f, tok)),
    strictHostKeyChecking,
    hashKnownHosts: yes(first(c.hashknownhosts), false),
    connectTimeoutMs: seconds(first(c.connecttimeout), 'ConnectTimeout', DEFAULT_CONNECT_TIMEOUT_MS),
    serverAliveIntervalMs: seconds(first(c.serveraliveinterval), 'ServerAliveInterval', DEFAULT_SERVER_ALIVE_INTERVAL_MS),
    serverAliveCountMax: Number(first(c.serveralivecountmax) ?? 3) || 3,
    passwordAuthentication: yes(first(c.passwordauthentication), true),
    kbdInteractiveAuthentication: yes(first(c.kbdinteractiveauthentication) ?? first(c.challengeresponseauthentication), true),
    batchMode: yes(first(c.batchmode), false),
  };
}

/** The hops to go through to reach `target`, in connection order (ssh -J semantics: the first
 * hop's own ProxyJump is honoured, later hops' are not). */
export function jumpChain(target: SshTarget, config: SSHConfig, depth = 0): SshTarget[] {
  if (!target.proxyJump.length) return [];
  if (depth > 8) throw new SshConfigError(`ProxyJump for ${target.alias} nests more than 8 levels (a loop in the ssh config?)`);
  const hops = target.proxyJump.map((spec) => resolveTarget(spec, config));
  return [...jumpChain(hops[0], config, depth + 1), ...hops];
}
