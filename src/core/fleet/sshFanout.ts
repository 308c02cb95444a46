// The fleet without Prometheus: the one-command diagnosis (snapshot + kernel log) on each host over
// SSH, a bounded number at once, each under its own deadline, turned into the same signals and
// ranking as the Prometheus overview (rank.ts). One host failing is a row with its reason, never
// the whole fleet failing.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Host } from '../host/host';
import type { Report } from '../model/report';
import type { FleetHost, FleetReport, FleetSignal } from '../model/fleet';
import { CancelledError, OomLensError, errorText, isCancelled } from '../errors';
import { diagnose } from '../diagnose';
import { eventTimeMs } from '../analyze/findings/oomKilled';
import { defaultSshConfigPath, listConfiguredHosts } from '../host/ssh/sshConfig';
import { formatDuration, formatShare, formatPercent, plural } from '../format';
import { THRESHOLDS, rankRows, severityOf, withWorst } from './rank';

export interface FanoutOptions {
  /** Default 16: never more hosts connecting/running at once. */
  concurrency?: number;
  /** Default 30 s: a host slower than this (connect + snapshot) is a failure row, its connection closed. */
  perHostTimeoutMs?: number;
  /** Cancels everything still running; sshFanout then rejects with CancelledError. */
  signal?: AbortSignal;
  /** How a spec becomes a Host (the CLI passes hostFromSpec with its ssh config/identity/callbacks). */
  open: (spec: string) => Host;
  /** Progress: each host's row as it is done. */
  onHost?: (row: FleetHost, done: number, total: number) => void;
  sudo?: boolean;
  /** Each readable host's whole diagnosed report (for a drill-down, or --json detail), before its row. */
  onReport?: (spec: string, report: Report) => void;
  /** Count only kills within this long before each host's snapshot (default: all the kernel log holds). */
  windowMs?: number;
}

export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_PER_HOST_TIMEOUT_MS = 30_000;
/** A close that hangs (SshHost.close() waits for a connect in progress) holds the host's slot at most this long. */
const CLOSE_GRACE_MS = 1000;

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

class HostTimeout extends OomLensError {}

/** The fleet signals of one host's diagnosed report: its numbers, the thresholds of rank.ts. */
export function signalsOfReport(r: Report, windowMs?: number): FleetSignal[] {
  const out: FleetSignal[] = [];
  const takenAt = Date.parse(r.takenAt);
  // Kills as the oom-killed finding counts them; a kill with no time is counted (absent is not "old").
  const kills = (r.events ?? []).filter((e) => {
    if (!(e.kind === 'kill' || e.kind === 'lowmemorykiller' || (e.kind === 'container' && e.containerState?.oomKilled))) return false;
    if (windowMs === undefined) return true;
    const t = eventTimeMs(e, r);
    return t === null || t >= takenAt - windowMs;
  }).length;
  const inWindow = windowMs === undefined ? 'in the kernel log' : `in ${formatDuration(windowMs)}`;
  const sinceBoot = r.oomKillsSinceBoot ?? 0;
  if (kills > 0) {
    const sev = severityOf.kills(kills)!;
    out.push({ id: 'oom-killed', severity: sev, value: kills, text: `${plural(kills, 'OOM kill')} ${inWindow}` });
  } else if (sinceBoot > 0 && (windowMs === undefined || (r.host.uptimeSeconds ?? Infinity) * 1000 <= windowMs)) {
    // The kernel's counter without the kill lines (log not readable, or rotated): a count alone does
    // not say the same program died again and again, so a warning, as the single-host finding says.
    out.push({
      id: 'oom-killed',
      severity: 'warning',
      value: sinceBoot,
      text: `${plural(sinceBoot, 'OOM kill')} since boot (/proc/vmstat), none in the kernel log read`,
    });
  }
  const m = r.memory;
  if (m.totalKb && m.availableKb !== null) {
    const f = m.availableKb / m.totalKb;
    const sev = severityOf.available(f);
    if (sev) out.push({ id: 'low-available', severity: sev, value: f, text: `MemAvailable ${formatShare(f)} of RAM now` });
  }
  if (m.swapTotalKb && m.swapFreeKb !== null) {
    const f = (m.swapTotalKb - m.swapFreeKb) / m.swapTotalKb;
    const sev = severityOf.swap(f);
    if (sev) out.push({ id: 'swap-heavy', severity: sev, value: f, text: `swap ${formatShare(f)} used now` });
  }
  if (r.pressure) {
    const { someAvg60: some, fullAvg60: full } = r.pressure;
    const sev = severityOf.psi(some, full);
    if (sev)
      out.push({
        id: 'memory-pressure',
        severity: sev,
        // As in the Prometheus overview: the share that set the severity.
        value: full > THRESHOLDS.psiFullCritical ? full : some,
        text: `memory pressure (PSI): some ${formatPercent(some, 100)}, full ${formatPercent(full, 100)} of the last minute`,
      });
  }
  // One signal per id: the cgroup nearest its limit.
  let near: { f: number; path: string } | null = null;
  for (const c of r.cgroups ?? []) {
    if (c.path === '/' || !c.limitKb || c.usageKb == null) continue;
    const f = c.usageKb / c.limitKb;
    if (severityOf.container(f) && (!near || f > near.f)) near = { f, path: c.path };
  }
  if (near)
    out.push({
      id: 'container-near-limit',
      severity: severityOf.container(near.f)!,
      value: near.f,
      text: `cgroup ${near.path} at ${formatShare(near.f)} of its limit`,
    });
  return out;
}

/** Resolves after ms; its timer is cleared when `signal` aborts. */
function after(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => clearTimeout(t), { once: true });
  });
}

export async function sshFanout(specs: string[], o: FanoutOptions): Promise<FleetReport> {
  const total = specs.length;
  const concurrency = Math.max(1, Math.floor(o.concurrency ?? DEFAULT_CONCURRENCY));
  const timeoutMs = o.perHostTimeoutMs ?? DEFAULT_PER_HOST_TIMEOUT_MS;
  const startedAt = Date.now();
  const rows: FleetHost[] = [];
  const readable: FleetHost[] = [];
  let maxUptimeMs = 0;
  let next = 0;
  let done = 0;

  const one = async (spec: string): Promise<FleetHost> => {
    const row: FleetHost = { instance: spec, sshHost: spec, nodename: null, signals: [], worst: null };
    const ac = new AbortController();
    const onOuter = () => ac.abort();
    o.signal?.addEventListener('abort', onOuter, { once: true });
    let host: Host | null = null;
    // Settles (rejects) at the deadline even if a Host ignores the abort: the slot is never held by a hung peer.
    let expire!: (e: Error) => void;
    const deadline = new Promise<never>((_, reject) => (expire = reject));
    const timer = setTimeout(() => {
      expire(new HostTimeout(`timed out after ${seconds(timeoutMs)}`));
      ac.abort();
    }, timeoutMs);
    const onAbort = () => expire(new CancelledError());
    ac.signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (o.signal?.aborted) throw new CancelledError();
      host = o.open(spec);
      const work = diagnose(host, { signal: ac.signal, sudo: o.sudo, rollup: false, kernelLog: true });
      work.catch(() => {
        /* the deadline may have won the race */
      });
      const report = await Promise.race([work, deadline]);
      o.onReport?.(spec, report);
      row.nodename = report.host.name || null;
      row.signals = signalsOfReport(report, o.windowMs);
      if (report.host.uptimeSeconds) maxUptimeMs = Math.max(maxUptimeMs, report.host.uptimeSeconds * 1000);
      withWorst(row);
      readable.push(row);
    } catch (e) {
      // Our own deadline wins over whatever the aborted command said (cancelled, channel closed).
      const timedOut = ac.signal.aborted && !o.signal?.aborted;
      if (o.signal?.aborted && isCancelled(e)) row.error = 'cancelled';
      else row.error = timedOut ? `timed out after ${seconds(timeoutMs)}` : errorText(e);
    } finally {
      clearTimeout(timer);
      ac.signal.removeEventListener('abort', onAbort);
      o.signal?.removeEventListener('abort', onOuter);
      if (host) {
        const closing = host.close().catch(() => {
          /* closing a dead connection: nothing more to do */
        });
        const grace = new AbortController();
        await Promise.race([closing, after(CLOSE_GRACE_MS, grace.signal)]);
        grace.abort();
      }
    }
    return row;
  };

  const worker = async () => {
    while (next < total && !o.signal?.aborted) {
      const spec = specs[next++];
      const row = await one(spec);
      rows.push(row);
      done++;
      o.onHost?.(row, done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  if (o.signal?.aborted) throw new CancelledError();

  const failed = rows.filter((r) => r.error).sort((a, b) => a.instance.localeCompare(b.instance));
  const answered = total - failed.length;
  return {
    version: 1,
    takenAt: new Date(startedAt).toISOString(),
    // What the kills were counted over: the window asked for, else the longest uptime (journald may hold older boots too).
    windowMs: o.windowMs ?? maxUptimeMs,
    sources: [
      {
        name: 'ssh fan-out',
        ok: failed.length === 0 && total > 0,
        detail: `${answered} of ${plural(total, 'host')} answered${failed.length ? `; ${failed.length} could not be read` : ''}`,
      },
    ],
    // Readable hosts ranked, then the ones that could not be read (their rows say why).
    hosts: [...rankRows(readable, (h) => h.instance), ...failed],
    pods: [],
    queries: total,
    findings: [],
  };
}

const GLOB = /[*?]/;

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * `--hosts` to host specs: an existing file lists one spec per line (`#` comments, blank lines
 * ignored); else a comma-separated list of specs and glob patterns (web-*, db?) matched against the
 * ssh_config Host aliases. Duplicates are dropped, order kept; nothing to ask is an error.
 */
export function resolveHostList(arg: string, sshConfigPath?: string): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    if (s && !out.includes(s)) out.push(s);
  };
  if (existsSync(arg) && statSync(arg).isFile()) {
    for (const line of readFileSync(arg, 'utf8').split('\n')) add(line.replace(/#.*/, '').trim());
    if (!out.length) throw new OomLensError(`no hosts in ${arg}`, 'one host spec per line (an ssh_config alias or user@host[:port])');
    return out;
  }
  const configPath = sshConfigPath ?? defaultSshConfigPath();
  const shown = sshConfigPath ?? '~/.ssh/config';
  let aliases: string[] | null = null;
  for (const item of arg.split(',').map((s) => s.trim())) {
    if (!item) continue;
    if (!GLOB.test(item)) {
      add(item);
      continue;
    }
    aliases ??= listConfiguredHosts(configPath);
    const re = globRegExp(item);
    const hit = aliases.filter((a) => re.test(a));
    if (!hit.length)
      throw new OomLensError(
        `no Host in ${shown} matches ${item}`,
        aliases.length ? `its hosts: ${aliases.slice(0, 10).join(', ')}${aliases.length > 10 ? ', …' : ''}` : undefined,
      );
    hit.forEach(add);
  }
  if (!out.length) throw new OomLensError('no hosts to ask', 'give --hosts a pattern (web-*), a comma-separated list, or a file with one host per line');
  return out;
}
