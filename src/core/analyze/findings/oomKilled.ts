// oom-killed: OOM kills from the events (kernel kills, lowmemorykiller, container OOMKilled, the
// userspace killers systemd-oomd and earlyoom), grouped by what was killed (container/pod, systemd
// unit, or comm) and by who killed it; killed again and again -> critical.
// Also: /proc/vmstat oom_kill > 0 with no kill in the events read.
import { maxOf } from '../../model/numbers';
import { formatKb, formatTime, plural } from '../../format';
import type { OomEvent, UserspaceKill } from '../../model/oomEvent';
import type { Finding, ProcessInfo, Remedy, Report } from '../../model/report';
import { type FindingContext, unitOf } from './context';
import { addSwapFile, dockerStats, findOomInLogs, kubectlDescribe, lookAtMemory, setContainerLimit, unitOomScoreAdjust, viewOomScore } from './remedies';
import { leakToolRemedies } from './runtime';
import { whyVictim } from './whyVictim';

/** Killed this many times -> critical. */
export const REPEAT_KILLS = 3;

/** The wall-clock time of an event: its own, or boot time + its uptime stamp. */
export function eventTimeMs(e: OomEvent, r: Report): number | null {
  if (e.time) {
    const t = Date.parse(e.time);
    if (Number.isFinite(t)) return t;
  }
  const boot = r.host?.bootTime ? Date.parse(r.host.bootTime) : NaN;
  if (e.uptimeSeconds != null && Number.isFinite(boot)) return boot + e.uptimeSeconds * 1000;
  return null;
}

interface Group {
  key: string;
  label: string;
  events: OomEvent[];
  runtime: string | null;
  id: string | null;
  pod: string | null;
  namespace?: string | null;
  unit: string | null;
}

function groupOf(e: OomEvent): Omit<Group, 'events'> {
  const cs = e.containerState;
  if (e.kind === 'container' && cs) {
    const label = cs.pod ? `container ${cs.name ?? '?'} of pod ${cs.namespace ? `${cs.namespace}/` : ''}${cs.pod}` : `container ${cs.name ?? cs.id ?? '?'}`;
    return {
      key: `cs:${cs.namespace}/${cs.pod}/${cs.name ?? cs.id}`,
      label,
      runtime: cs.pod ? 'kubernetes' : 'docker',
      id: cs.id,
      pod: cs.pod,
      namespace: cs.namespace,
      unit: null,
    };
  }
  const killer = e.kind === 'userspace-kill' && e.userspace ? e.userspace.killer : null;
  if (killer === 'systemd-oomd') {
    // oomd kills a whole cgroup (a unit or scope), never names a process.
    const cg = e.userspace?.cgroup ?? null;
    const unit = cg ? cg.slice(cg.lastIndexOf('/') + 1) || cg : null;
    return { key: `oomd:${cg}`, label: unit ?? 'a cgroup', runtime: 'systemd', id: null, pod: null, unit };
  }
  const comm = e.victim?.comm ?? e.selected?.comm ?? null;
  if (killer && comm !== null) return { key: `${killer}:${comm}`, label: comm, runtime: null, id: null, pod: null, unit: null };
  if (comm === null) {
    // A header without its kill line (log cut off, rate-limited): still an OOM, victim unknown.
    return {
      key: 'unknown',
      label: `an OOM kill whose victim is not in the log${e.trigger?.comm ? ` (triggered by ${e.trigger.comm})` : ''}`,
      runtime: null,
      id: null,
      pod: null,
      unit: null,
    };
  }
  const c = e.container;
  if (c && c.runtime !== 'systemd') {
    const who = c.runtime === 'kubernetes' ? `pod ${c.podUid ?? c.id ?? '?'}` : `${c.runtime} container ${(c.name ?? c.id ?? '?').slice(0, 12)}`;
    return { key: `c:${c.runtime}:${c.podUid ?? c.id ?? c.name}:${comm}`, label: `${comm} in ${who}`, runtime: c.runtime, id: c.id, pod: null, unit: null };
  }
  const unit = c?.runtime === 'systemd' ? (c.name ?? unitOf(e.taskMemcg ?? e.memcg)) : unitOf(e.taskMemcg ?? e.memcg);
  if (unit && unit.endsWith('.service')) return { key: `u:${unit}`, label: `${comm} of ${unit}`, runtime: 'systemd', id: null, pod: null, unit };
  return { key: `comm:${comm}`, label: comm, runtime: null, id: null, pod: null, unit };
}

function pct(n: number | null): string {
  return n === null ? '?' : `${n.toFixed(2)}%`;
}

/** Why a userspace killer acted, with the numbers it printed. */
function userspaceWhy(u: UserspaceKill): string {
  if (u.killer === 'systemd-oomd') {
    const what = `systemd-oomd killed the whole cgroup ${shortPath(u.cgroup ?? '?')} with SIGKILL${u.processesKilled !== null ? ` (${plural(u.processesKilled, 'process', 'processes')})` : ''}`;
    if (u.reason === 'memory-pressure')
      return `${what} because memory pressure on ${shortPath(u.monitoredCgroup ?? '?')} was ${pct(u.pressurePercent)}, above its limit of ${pct(u.pressureLimitPercent)} (ManagedOOMMemoryPressureLimit) for more than ${u.pressureDurationSeconds ?? '?'} s, with reclaim activity. It picks the descendant cgroup with the most reclaim activity, not the biggest one; the kernel OOM killer did not run.`;
    const mem = u.memoryUsedBytes !== null && u.memoryTotalBytes ? `memory ${((100 * u.memoryUsedBytes) / u.memoryTotalBytes).toFixed(2)}% used and ` : '';
    const swap = u.swapUsedBytes !== null && u.swapTotalBytes ? `swap ${((100 * u.swapUsedBytes) / u.swapTotalBytes).toFixed(2)}% used` : 'swap used';
    return `${what} because ${mem}${swap} were above SwapUsedLimit (${pct(u.usedLimitPercent)}). It picks the cgroup using the most swap; the kernel OOM killer did not run.`;
  }
  const limits = u.memLimitPercent !== null ? ` (at or below its limits: mem ${pct(u.memLimitPercent)}, swap ${pct(u.swapLimitPercent)})` : '';
  const now = u.memAvailablePercent !== null ? `; it last saw ${pct(u.memAvailablePercent)} memory available and ${pct(u.swapFreePercent)} swap free` : '';
  const exited = u.exitedAfterSeconds !== null ? ` The process exited ${u.exitedAfterSeconds} s later.` : '';
  return `earlyoom sent ${u.signal ?? 'a signal'} because available memory and free swap were low${limits}${now}. It picks the process with the highest badness (its oom_score, moved by --prefer/--avoid)${u.badness !== null ? `: ${u.badness}` : ''}; the kernel OOM killer did not run.${exited}`;
}

function userspaceLogs(killer: UserspaceKill['killer']): Remedy {
  return killer === 'systemd-oomd'
    ? {
        title: 'See what systemd-oomd watches, its limits, and why it chose',
        commands: ['oomctl', 'journalctl -u systemd-oomd --no-pager | grep -E "Killed|Marked|Considered" -A12'],
        changesHost: false,
      }
    : {
        title: "Read earlyoom's log and its thresholds",
        commands: ['journalctl -u earlyoom --no-pager | grep -E "sending|low memory"', 'systemctl cat earlyoom'],
        changesHost: false,
      };
}

function shortPath(p: string): string {
  return p.length > 90 ? `…${p.slice(-80)}` : p;
}

export function oomKilled(ctx: FindingContext): Finding[] {
  const r = ctx.report;
  const kills = (r.events ?? []).filter(
    (e) => e.kind === 'kill' || e.kind === 'lowmemorykiller' || e.kind === 'userspace-kill' || (e.kind === 'container' && e.containerState?.oomKilled),
  );
  const groups = new Map<string, Group>();
  for (const e of kills) {
    const g = groupOf(e);
    const cur = groups.get(g.key) ?? { ...g, events: [] };
    cur.events.push(e);
    groups.set(g.key, cur);
  }
  const out: Finding[] = [];
  for (const g of groups.values()) out.push(groupFinding(g, r));
  if (kills.length === 0 && (r.oomKillsSinceBoot ?? 0) > 0) {
    const n = r.oomKillsSinceBoot as number;
    out.push({
      id: 'oom-killed',
      // A count alone does not say whether the same program died again and again: no escalation.
      severity: 'warning',
      title: `${plural(n, 'OOM kill')} since boot${r.host?.bootTime ? ` (${formatTime(Date.parse(r.host.bootTime))})` : ''}, per /proc/vmstat`,
      detail:
        'The kernel counted OOM kills since boot, but no kill was found in the kernel log that was read (it may not have been read, or has rotated). The kill lines name the victim, its memory and the cgroup that ran out.',
      pids: [],
      evidence: { oomKillsSinceBoot: n, source: '/proc/vmstat oom_kill', bootTime: r.host?.bootTime ?? null },
      remedies: [findOomInLogs(), lookAtMemory()],
    });
  }
  return out;
}

/**
 * The running process a kill's victim is, if any: the same pid that started before the kill (pid
 * and start time agree). Else the program restarted in the victim's own cgroup (same comm, same
 * non-root cgroup, started after the kill): a service or container brought it back. A process
 * that merely has the victim's name is neither.
 */
export function linkVictim(e: OomEvent, r: Report): { sameProcess: ProcessInfo | null; restartedAs: ProcessInfo | null } {
  const v = e.victim;
  const procs = r.processes ?? [];
  if (!v?.comm) return { sameProcess: null, restartedAs: null };
  const killAt = eventTimeMs(e, r);
  const startMs = (p: ProcessInfo) => (p.startedAt ? Date.parse(p.startedAt) : NaN);
  // Start times are rounded to the boot time's second: allow that much.
  const sameProcess =
    v.pid == null || killAt === null ? null : (procs.find((p) => p.pid === v.pid && p.comm === v.comm && startMs(p) <= killAt + 1000) ?? null);
  const cg = e.taskMemcg ?? (e.scope === 'memcg' ? e.memcg : null);
  const restartedAs =
    sameProcess || !cg || cg === '/'
      ? null
      : (procs
          .filter((p) => p.comm === v.comm && p.cgroup === cg && (killAt === null || !(startMs(p) <= killAt)))
          .sort((a, b) => (b.rssKb ?? 0) - (a.rssKb ?? 0))[0] ?? null);
  return { sameProcess, restartedAs };
}

function groupFinding(g: Group, r: Report): Finding {
  const evs = [...g.events].sort((a, b) => (eventTimeMs(a, r) ?? 0) - (eventTimeMs(b, r) ?? 0));
  const last = evs[evs.length - 1];
  const times = evs.map((e) => eventTimeMs(e, r)).filter((t): t is number => t !== null);
  const restarts = Math.max(0, ...evs.map((e) => e.containerState?.restartCount ?? 0));
  const count = evs.length;
  const repeated = count >= REPEAT_KILLS || restarts >= REPEAT_KILLS;
  const pids = [...new Set(evs.map((e) => e.victim?.pid).filter((p): p is number => p != null))];
  const anon = evs.map((e) => e.victim?.anonRssKb ?? e.reaped?.anonRssKb ?? null).filter((v): v is number => v !== null);
  const lastAnon = last.victim?.anonRssKb ?? last.reaped?.anonRssKb ?? null;
  const us = last.kind === 'userspace-kill' ? (last.userspace ?? null) : null;
  const killerName = us ? us.killer : 'the OOM killer';
  const memcgOom = !us && (last.scope === 'memcg' || (last.constraint ?? '').includes('MEMCG') || last.kind === 'container');
  const systemOom = !us && !memcgOom && (last.scope === 'system' || last.constraint === 'CONSTRAINT_NONE');
  const limitKb = last.memcgUsage?.limitKb ?? (last.containerState?.memoryLimitBytes != null ? last.containerState.memoryLimitBytes / 1024 : null);

  const since = times.length ? formatTime(times[0]) : (evs[0].timeText ?? null);
  const title =
    count > 1
      ? `${g.label} was ${us ? `killed by ${killerName}` : 'OOM-killed'} ${count} times${since ? ` since ${since}` : ''}${lastAnon !== null ? ` (last: anon-rss ${formatKb(lastAnon)})` : ''}`
      : g.events[0].kind === 'container'
        ? `${g.label} was OOMKilled${restarts ? ` (restarted ${restarts} times)` : ''}${limitKb !== null ? ` at its ${formatKb(limitKb)} limit` : ''}`
        : g.key === 'unknown'
          ? `The OOM killer ran${since ? ` at ${since}` : ''}: ${g.label}`
          : `${g.label}${last.victim?.pid != null ? ` (${last.victim.pid})` : ''} was killed by ${killerName}${lastAnon !== null ? `: anon-rss ${formatKb(lastAnon)}` : us?.vmRssKb != null ? `: VmRSS ${formatKb(us.vmRssKb)}` : ''}${memcgOom && limitKb !== null ? `, cgroup limit ${formatKb(limitKb)}` : ''}`;

  const d: string[] = [];
  if (last.kind === 'lowmemorykiller') d.push("Android's lowmemorykiller killed it to keep free memory above its thresholds.");
  else if (us) d.push(userspaceWhy(us));
  else if (memcgOom)
    d.push(
      `Its memory cgroup${last.memcg ? ` ${shortPath(last.memcg)}` : ''} hit its limit${limitKb !== null ? ` of ${formatKb(limitKb)}` : ''}${last.memcgUsage?.failcnt ? ` (failcnt ${last.memcgUsage.failcnt} when it was killed)` : ''}: the container/service limit, not the whole host, ran out. Raise the limit if the load is legitimate, or find what grows.`,
    );
  else if (systemOom) d.push('The whole host ran out of RAM and swap, and the kernel killed the process it scored worst to stay alive.');
  else d.push('The log does not say whether the whole host or a cgroup limit ran out (no constraint line).');
  if (last.trigger?.comm)
    d.push(
      `The allocation that triggered it came from ${last.trigger.comm} (${last.trigger.pid ?? '?'})${last.trigger.gfpFlags ? `, ${last.trigger.gfpFlags}` : ''}${last.trigger.order != null ? `, order ${last.trigger.order}` : ''}.`,
    );
  if (count > 1)
    d.push(
      `Killed ${count} times${times.length > 1 ? ` between ${formatTime(times[0])} and ${formatTime(times[times.length - 1])}` : ''}: it is restarted and runs out again, which points at a leak or a limit too small for its load.`,
    );
  if (restarts) d.push(`The container was restarted ${restarts} times.`);
  if (last.containerState?.exitCode === 137) d.push('Exit code 137 = killed by SIGKILL.');
  const why = whyVictim(last, r);
  if (why) d.push(why.text);

  const { sameProcess, restartedAs } = linkVictim(last, r);
  if (sameProcess) d.push(`It still runs (pid ${sameProcess.pid}, started before the kill): the kill did not take, or the log's clock is off.`);
  else if (restartedAs) d.push(`It runs again in the same cgroup as ${restartedAs.comm} (${restartedAs.pid}), started after the kill.`);
  else if (last.victim?.pid != null) d.push('It is not running now.');
  // Leak tools only for the victim itself or its restart in the same cgroup, never a namesake elsewhere.
  const running = sameProcess ?? restartedAs;
  const remedies: Remedy[] = us ? [userspaceLogs(us.killer)] : [findOomInLogs()];
  if (g.runtime === 'kubernetes') remedies.push(kubectlDescribe(g.pod, g.namespace ?? null));
  if (g.runtime === 'docker' || g.runtime === 'podman') remedies.push(dockerStats(g.id));
  if (memcgOom) {
    const next = limitKb !== null ? Math.ceil((limitKb * 1.5) / 1024) * 1024 : null;
    const lim = next !== null ? `${Math.ceil(next / 1024)}m` : '<size>';
    const memcgPath = last.memcg ?? last.taskMemcg;
    const cgVersion = (r.cgroups ?? []).find((c) => c.path === memcgPath)?.version ?? (r.cgroups ?? [])[0]?.version ?? 2;
    remedies.push(
      ...setContainerLimit(
        g.runtime === 'systemd'
          ? 'systemd'
          : g.runtime === 'kubernetes' || g.runtime === 'docker' || g.runtime === 'podman' || g.runtime === 'lxc'
            ? g.runtime
            : null,
        g.id,
        lim,
        next !== null ? `${Math.ceil(next / 1024)}Mi` : '<size>',
        g.unit,
        true,
        memcgPath && memcgPath !== '/' ? { path: memcgPath, version: cgVersion } : null,
      ),
    );
  } else if (us) {
    remedies.push(lookAtMemory());
  } else {
    remedies.push(lookAtMemory());
    if (systemOom && (r.memory?.swapTotalKb ?? null) === 0) remedies.push(addSwapFile());
  }
  if (running) {
    remedies.push(...leakToolRemedies(running));
    remedies.push(viewOomScore(running.pid));
  }
  if (g.unit && repeated) remedies.push(unitOomScoreAdjust(g.unit, -500));

  return {
    id: 'oom-killed',
    key: `oom-killed:${g.key}`,
    severity: repeated ? 'critical' : 'warning',
    title,
    detail: d.join(' '),
    pids,
    evidence: {
      kills: count,
      victim: g.label,
      first: times.length ? new Date(times[0]).toISOString() : null,
      last: times.length ? new Date(times[times.length - 1]).toISOString() : null,
      maxAnonRssKb: anon.length ? maxOf(anon) : null,
      lastVictim: last.victim ?? null,
      trigger: last.trigger ?? null,
      scope: last.scope ?? null,
      constraint: last.constraint ?? null,
      memcg: last.memcg ?? null,
      memcgUsage: last.memcgUsage ?? null,
      container: last.container ?? null,
      containerState: last.containerState ?? null,
      restartCount: restarts || null,
      whyVictim: why,
      runningNow: sameProcess ? { pid: sameProcess.pid, rssKb: sameProcess.rssKb, oomScore: sameProcess.oomScore, oomScoreAdj: sameProcess.oomScoreAdj } : null,
      restartedAs: restartedAs
        ? { pid: restartedAs.pid, rssKb: restartedAs.rssKb, startedAt: restartedAs.startedAt ?? null, cgroup: restartedAs.cgroup }
        : null,
      lines: evs.map((e) => e.lines),
      unit: g.unit,
      killer: us ? us.killer : 'kernel',
      userspace: us,
    },
    remedies,
  };
}
