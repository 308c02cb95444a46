// One snapshot of a host in ONE round trip: run the generated script, parse its frames, build the
// report's "now" part (memory, settings, processes, cgroups). Never throws on odd data: warnings.
import type { Host } from '../host/host';
import type { CgroupInfo, ProcessInfo, Report } from '../model/report';
import { CollectError } from '../errors';
import { snapshotScript, SNAPSHOT_COMMAND, SNAPSHOT_TIMEOUT_MS } from './snapshotScript';
import { parseSnapshotOutput, foreignStderr, RawSnapshot, RawProcess } from '../parse/snapshotFrames';
import { kb, int, parseMeminfoLines, memoryInfo, parsePressure, parsePasswd, memoryCgroupOf } from '../parse/procFiles';
import { buildCgroups, parseCgroupMounts } from '../parse/cgroupFiles';
import { containerFromCgroup } from '../parse/containerFromCgroup';

export interface SnapshotOptions {
  signal?: AbortSignal;
  /** Read PSS/USS/swap from smaps_rollup for every process (default true). */
  rollup?: boolean;
  timeoutMs?: number;
  /** Run the collector under `sudo -n` (other users' smaps_rollup); falls back, with a warning, when sudo refuses. */
  sudo?: boolean;
}

export interface Snapshot {
  report: Report;
  raw: RawSnapshot;
  /** Time spent in the one round trip, for benches and the log. */
  collectMs: number;
}

export async function collectSnapshot(host: Host, opts: SnapshotOptions = {}): Promise<Snapshot> {
  const started = Date.now();
  const run = (cmd: string) =>
    host.exec(cmd, { stdin: snapshotScript({ rollup: opts.rollup }), signal: opts.signal, timeoutMs: opts.timeoutMs ?? SNAPSHOT_TIMEOUT_MS });
  let res = await run(opts.sudo ? `sudo -n ${SNAPSHOT_COMMAND}` : SNAPSHOT_COMMAND);
  let sudoWarning: string | null = null;
  if (opts.sudo && !res.stdout.includes('@@oomlens meta')) {
    // sudo refused (needs a password, not allowed, not installed): collect what is readable without it.
    const why = foreignStderr(res.stderr)[0] || `exit code ${res.code}`;
    sudoWarning = `sudo -n did not run the collector (${why}): collected without it. Allow it with a sudoers line like \`user ALL=(root) NOPASSWD: /bin/sh\`, or run as root`;
    res = await run(SNAPSHOT_COMMAND);
  }
  const collectMs = Date.now() - started;
  if (res.timedOut) throw new CollectError(`collecting from ${host.name} timed out after ${Math.round((opts.timeoutMs ?? SNAPSHOT_TIMEOUT_MS) / 1000)} s`);
  const raw = parseSnapshotOutput(res.stdout, res.stderr);
  if (raw.fatal) throw new CollectError(`cannot read ${host.name}: ${raw.fatal}`);
  if (!raw.files.has('meminfo')) {
    const why = foreignStderr(res.stderr)[0] || `exit code ${res.code}`;
    throw new CollectError(`cannot read /proc/meminfo on ${host.name}: ${why}`);
  }
  const report = buildReport(raw, host);
  if (sudoWarning) report.warnings.unshift(sudoWarning);
  return { report, raw, collectMs };
}

/** Clock ticks per second of /proc/PID/stat times: USER_HZ, 100 on every Linux architecture in use. */
export const USER_HZ = 100;

/** The processes of a raw snapshot (or of a re-read of some pids), biggest first. */
export function processesFrom(raw: RawSnapshot, users: Map<number, string>, bootMs: number | null): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const p of raw.procs.values()) {
    const info = processFrom(p, users, bootMs);
    if (info) out.push(info);
  }
  return out.sort((a, b) => (b.rssKb ?? -1) - (a.rssKb ?? -1) || a.pid - b.pid);
}

function processFrom(p: RawProcess, users: Map<number, string>, bootMs: number | null): ProcessInfo | null {
  const s = p.status;
  if (!s.Name) return null; // vanished between the glob and the read
  const uid = s.Uid ? int(s.Uid.split(/\s+/)[0]) : null;
  const cg = memoryCgroupOf(p.cgroupLines);
  const r = p.rollup;
  const uss = r && kb(r.Private_Clean) !== null && kb(r.Private_Dirty) !== null ? kb(r.Private_Clean)! + kb(r.Private_Dirty)! : null;
  const container = containerFromCgroup(cg?.path);
  return {
    pid: p.pid,
    ppid: int(s.PPid),
    uid,
    user: uid === null ? null : (users.get(uid) ?? String(uid)),
    comm: s.Name,
    cmdline: p.cmdline ? p.cmdline.replace(/\0+$/, '').replace(/\0/g, ' ') || null : null,
    argv: p.cmdline && p.cmdline.includes('\0') ? p.cmdline.replace(/\0$/, '').split('\0') : null,
    exe: p.exe,
    state: s.State ? s.State.split(/\s/)[0] : null,
    rssKb: kb(s.VmRSS),
    rssAnonKb: kb(s.RssAnon),
    rssFileKb: kb(s.RssFile),
    rssShmemKb: kb(s.RssShmem),
    pssKb: r ? kb(r.Pss) : null,
    ussKb: uss,
    swapKb: r ? kb(r.Swap) : kb(s.VmSwap),
    oomScore: int(p.oomScore),
    oomScoreAdj: int(p.oomScoreAdj),
    cgroup: cg?.path ?? null,
    container: container ? { runtime: container.runtime, id: container.id, name: container.name, podUid: container.podUid } : null,
    start: p.start,
    startedAt: p.start !== null && bootMs !== null ? new Date(bootMs + (p.start / USER_HZ) * 1000).toISOString() : null,
  };
}

/** Warnings a user must see: what could not be read and why (never a silent gap). */
function readWarnings(raw: RawSnapshot, uid: number | null): string[] {
  const out: string[] = [];
  const byReason = new Map<string, number>();
  for (const e of raw.errors) {
    const m = /^(\d+)\/smaps_rollup$/.exec(e.path);
    if (!m) continue;
    // Kernel threads answer ESRCH-like errors and have no memory; processes that exited are gone.
    const p = raw.procs.get(Number(m[1]));
    if (!p?.status.VmRSS) continue;
    byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + 1);
  }
  const denied = byReason.get('Permission denied');
  if (denied) {
    out.push(
      uid === 0
        ? `smaps_rollup not readable for ${denied} process${denied === 1 ? '' : 'es'} even as root (permission denied, e.g. another PID namespace's init): their PSS, USS and swap are unknown`
        : `smaps_rollup not readable for ${denied} process${denied === 1 ? '' : 'es'} of other users (not root): their PSS, USS and swap are unknown; run as root or enable sudo`,
    );
  }
  for (const [reason, n] of byReason) {
    if (reason !== 'Permission denied' && reason !== 'No such file or directory' && reason !== 'No such process') {
      out.push(`smaps_rollup: ${reason} for ${n} process${n === 1 ? '' : 'es'}`);
    }
  }
  if (!raw.complete) out.push('the collector did not finish: the data may be incomplete');
  return out;
}

export function buildReport(raw: RawSnapshot, host: Host): Report {
  const mem = parseMeminfoLines(raw.files.get('meminfo') ?? []);
  const users = parsePasswd(raw.files.get('/etc/passwd'));
  const uptime = raw.files.get('uptime')?.[0];
  const uptimeSeconds = uptime ? Number(uptime.split(' ')[0]) : null;
  const now = raw.meta.now && /^\d+$/.test(raw.meta.now) ? Number(raw.meta.now) * 1000 : Date.now();
  const one = (path: string) => int(raw.files.get(path)?.[0]);
  const uid = int(raw.meta.uid);

  const bootMs = uptimeSeconds !== null && Number.isFinite(uptimeSeconds) ? now - uptimeSeconds * 1000 : null;
  const processes = processesFrom(raw, users, bootMs);

  const cgroups: CgroupInfo[] = buildCgroups(raw.cgroupFiles, parseCgroupMounts(raw.files.get('self/mounts'))).filter(
    (c) => c.limitKb !== null || (c.oomKills ?? 0) > 0 || (c.failcnt ?? 0) > 0,
  );
  const vmstatOom = raw.files.get('vmstat')?.find((l) => l.startsWith('oom_kill '));

  return {
    version: 1,
    host: {
      name: raw.meta.hostname || host.name,
      via: host.via,
      kernel: raw.meta.kernel || null,
      uptimeSeconds: uptimeSeconds !== null && Number.isFinite(uptimeSeconds) ? uptimeSeconds : null,
      bootTime:
        uptimeSeconds !== null && Number.isFinite(uptimeSeconds) ? new Date(Math.round((now - uptimeSeconds * 1000) / 1000) * 1000).toISOString() : null,
    },
    takenAt: new Date(now).toISOString(),
    memory: memoryInfo(mem),
    pressure: parsePressure(raw.files.get('pressure/memory')),
    settings: {
      overcommitMemory: one('sys/vm/overcommit_memory'),
      overcommitRatio: one('sys/vm/overcommit_ratio'),
      swappiness: one('sys/vm/swappiness'),
      panicOnOom: one('sys/vm/panic_on_oom'),
      oomKillAllocatingTask: one('sys/vm/oom_kill_allocating_task'),
      minFreeKbytes: one('sys/vm/min_free_kbytes'),
    },
    oomKillsSinceBoot: vmstatOom ? int(vmstatOom.split(' ')[1]) : null,
    processes,
    cgroups,
    events: [],
    growth: [],
    findings: [],
    warnings: readWarnings(raw, uid),
  };
}
