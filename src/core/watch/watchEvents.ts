// The watch's event detector: turns the live diagnosis' updates (core/live.ts) into the few things
// worth telling someone at once: a new OOM kill, a new leak suspect, MemAvailable or a memory
// cgroup crossing the thresholds the findings use. Crossings have hysteresis (enter below 15 %,
// clear only above 20 %, as Netdata does) so a value jittering around a threshold tells once.
// The event shape is the contract of docs/contracts/watch-events.md. Pure: no clock, no I/O.
import type { OomEvent } from '../model/oomEvent';
import type { Report } from '../model/report';
import type { LiveGrowth } from '../analyze/growth';
import { CRITICAL_FRACTION, WARN_FRACTION } from '../analyze/findings/lowAvailable';
import { NEAR_LIMIT_FRACTION } from '../analyze/findings/containerNearLimit';
import { formatKb, formatPercent, formatRate, formatShare } from '../format';

/** How far past a threshold a value must come back before the state clears (a fraction of the whole). */
export const CLEAR_MARGIN = 0.05;

export type WatchLevel = 'ok' | 'warning' | 'critical';
export type WatchSeverity = 'critical' | 'warning' | 'info';

interface Base {
  /** The contract's version: fields are added, never renamed or dropped, within one version. */
  v: 1;
  host: string;
  /** ISO 8601 UTC: the kill's kernel time when known, else when the watch saw it. */
  time: string;
  severity: WatchSeverity;
  /** One sentence for people (notifications, logs). */
  message: string;
}

export interface KillEvent extends Base {
  type: 'oom-kill';
  /** The OomEvent kind: "kill" (kernel OOM killer), "lowmemorykiller", "container", ... */
  kind: OomEvent['kind'];
  scope: OomEvent['scope'];
  pid: number | null;
  comm: string | null;
  anonRssKb: number | null;
  totalVmKb: number | null;
  /** The memory cgroup that hit its limit (oom_memcg), else the victim's (task_memcg), else null. */
  cgroup: string | null;
}

export interface LeakSuspectEvent extends Base {
  type: 'leak-suspect';
  pid: number;
  comm: string;
  /** Start time (clock ticks after boot): pid + start is the process's identity. */
  start: number | null;
  rateKbPerMin: number;
  projectedOomAt: string | null;
}

export interface MemoryEvent extends Base {
  type: 'memory';
  /** The new level: "ok" when it cleared. */
  level: WatchLevel;
  previous: WatchLevel;
  availableKb: number;
  totalKb: number;
  availablePercent: number;
  thresholds: { warningPercent: number; criticalPercent: number; clearMarginPercent: number };
}

export interface CgroupEvent extends Base {
  type: 'cgroup';
  level: 'ok' | 'warning';
  previous: 'ok' | 'warning';
  cgroup: string;
  usageKb: number;
  limitKb: number;
  usagePercent: number;
  thresholds: { warningPercent: number; clearMarginPercent: number };
}

export type WatchEvent = KillEvent | LeakSuspectEvent | MemoryEvent | CgroupEvent;

const pct = (f: number) => Math.round(f * 1000) / 10;

/** MemAvailable's level with hysteresis: enter below a threshold, leave only CLEAR_MARGIN above it. */
export function memoryLevel(prev: WatchLevel, fraction: number): WatchLevel {
  if (fraction < CRITICAL_FRACTION) return 'critical';
  if (prev === 'critical' && fraction <= CRITICAL_FRACTION + CLEAR_MARGIN) return 'critical';
  if (fraction < WARN_FRACTION) return 'warning';
  if (prev !== 'ok' && fraction <= WARN_FRACTION + CLEAR_MARGIN) return 'warning';
  return 'ok';
}

/** A cgroup's level: warning from NEAR_LIMIT_FRACTION of its limit, clear only below it minus CLEAR_MARGIN. */
export function cgroupLevel(prev: 'ok' | 'warning', share: number): 'ok' | 'warning' {
  if (share >= NEAR_LIMIT_FRACTION) return 'warning';
  return prev === 'warning' && share >= NEAR_LIMIT_FRACTION - CLEAR_MARGIN ? 'warning' : 'ok';
}

/** Identity of a kill, so the same one seen twice (snapshot and follower, a reconnect) is told once. */
function killKey(e: OomEvent): string {
  return `${e.kind}:${e.victim?.pid ?? e.selected?.pid ?? '?'}:${e.uptimeSeconds ?? e.time ?? '?'}`;
}

/** Bounded memory of what was told: a watch runs for days. */
const MAX_REMEMBERED = 2000;

export class WatchDetector {
  private memory: WatchLevel = 'ok';
  private readonly cgroups = new Map<string, 'ok' | 'warning'>();
  private readonly kills = new Set<string>();
  private readonly suspects = new Set<string>();
  /** Kills told so far (for a status line). */
  killCount = 0;

  constructor(private readonly host: string) {}

  /** The current MemAvailable level (ok before the first update). */
  get memoryState(): WatchLevel {
    return this.memory;
  }

  /** cgroups at or near their limit now. */
  get cgroupsNearLimit(): string[] {
    return [...this.cgroups].filter(([, l]) => l === 'warning').map(([p]) => p);
  }

  /** The events of one live update: new kills first, then suspects, then threshold crossings. */
  update(report: Report, newEvents: OomEvent[], nowMs: number): WatchEvent[] {
    const now = new Date(nowMs).toISOString();
    return [...this.killEvents(newEvents, now), ...this.suspectEvents(report, now), ...this.memoryEvents(report, now), ...this.cgroupEvents(report, now)];
  }

  private killEvents(evs: OomEvent[], now: string): KillEvent[] {
    const out: KillEvent[] = [];
    for (const e of evs) {
      if (e.kind === 'runtime' || e.kind === 'panic') continue; // not a kill a follower of this host can report live
      const key = killKey(e);
      if (this.kills.has(key)) continue;
      remember(this.kills, key);
      this.killCount++;
      const pid = e.victim?.pid ?? e.selected?.pid ?? null;
      const comm = e.victim?.comm ?? e.selected?.comm ?? null;
      const cgroup = e.memcg ?? e.taskMemcg ?? null;
      const anon = e.victim?.anonRssKb ?? null;
      out.push({
        v: 1,
        type: 'oom-kill',
        host: this.host,
        time: e.time ?? now,
        severity: 'critical',
        message: `OOM kill on ${this.host}: ${comm ?? '?'} (${pid ?? '?'})${anon !== null ? `, anon-rss ${formatKb(anon)}` : ''}${cgroup ? `, cgroup ${cgroup}` : ''}`,
        kind: e.kind,
        scope: e.scope,
        pid,
        comm,
        anonRssKb: anon,
        totalVmKb: e.victim?.totalVmKb ?? null,
        cgroup,
      });
    }
    return out;
  }

  private suspectEvents(r: Report, now: string): LeakSuspectEvent[] {
    const out: LeakSuspectEvent[] = [];
    for (const g of r.growth as LiveGrowth[]) {
      if (g.verdict !== 'leak-suspect' || g.running === false) continue;
      // Once per process (pid + start time): a suspect that pauses and resumes is the same leak.
      const key = `${g.pid}@${g.start ?? g.comm}`;
      if (this.suspects.has(key)) continue;
      remember(this.suspects, key);
      const rate = g.basisSlopeKbPerMin ?? g.slopeKbPerMin;
      out.push({
        v: 1,
        type: 'leak-suspect',
        host: this.host,
        time: now,
        severity: 'warning',
        message: `Leak suspect on ${this.host}: ${g.comm} (${g.pid}) grows ${formatRate(rate)} steadily${g.projectedOomAt ? `, out of memory around ${g.projectedOomAt}` : ''}`,
        pid: g.pid,
        comm: g.comm,
        start: g.start ?? null,
        rateKbPerMin: Math.round(rate * 10) / 10,
        projectedOomAt: g.projectedOomAt,
      });
    }
    return out;
  }

  private memoryEvents(r: Report, now: string): MemoryEvent[] {
    const { availableKb, totalKb } = r.memory;
    if (availableKb == null || !totalKb) return [];
    const previous = this.memory;
    const level = memoryLevel(previous, availableKb / totalKb);
    if (level === previous) return [];
    this.memory = level;
    const share = formatPercent(availableKb, totalKb);
    return [
      {
        v: 1,
        type: 'memory',
        host: this.host,
        time: now,
        severity: level === 'ok' ? 'info' : level,
        message:
          level === 'ok'
            ? `Memory on ${this.host} is back to normal: MemAvailable ${share} (${formatKb(availableKb)} of ${formatKb(totalKb)})`
            : `Memory ${level === 'critical' ? 'critically ' : ''}low on ${this.host}: MemAvailable ${share} (${formatKb(availableKb)} of ${formatKb(totalKb)}), below ${formatShare(level === 'critical' ? CRITICAL_FRACTION : WARN_FRACTION)}`,
        level,
        previous,
        availableKb,
        totalKb,
        availablePercent: pct(availableKb / totalKb),
        thresholds: { warningPercent: pct(WARN_FRACTION), criticalPercent: pct(CRITICAL_FRACTION), clearMarginPercent: pct(CLEAR_MARGIN) },
      },
    ];
  }

  private cgroupEvents(r: Report, now: string): CgroupEvent[] {
    const out: CgroupEvent[] = [];
    for (const c of r.cgroups ?? []) {
      if (c.path === '/' || c.limitKb == null || c.limitKb <= 0 || c.usageKb == null) continue;
      const previous = this.cgroups.get(c.path) ?? 'ok';
      const level = cgroupLevel(previous, c.usageKb / c.limitKb);
      this.cgroups.set(c.path, level);
      if (level === previous) continue;
      const share = formatPercent(c.usageKb, c.limitKb);
      out.push({
        v: 1,
        type: 'cgroup',
        host: this.host,
        time: now,
        severity: level === 'ok' ? 'info' : 'warning',
        message:
          level === 'ok'
            ? `cgroup ${c.path} on ${this.host} is back under its limit: ${share} of ${formatKb(c.limitKb)}`
            : `cgroup ${c.path} on ${this.host} is near its limit: ${formatKb(c.usageKb)} of ${formatKb(c.limitKb)} (${share})`,
        level,
        previous,
        cgroup: c.path,
        usageKb: c.usageKb,
        limitKb: c.limitKb,
        usagePercent: pct(c.usageKb / c.limitKb),
        thresholds: { warningPercent: pct(NEAR_LIMIT_FRACTION), clearMarginPercent: pct(CLEAR_MARGIN) },
      });
    }
    return out;
  }
}

function remember(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > MAX_REMEMBERED) set.delete(set.values().next().value as string);
}
