// Input of the growth analysis: memory sampled over time, one timeline shared by the host and every
// process. Sizes in kB; null is a gap (not sampled, not readable, process not running yet/any more,
// reconnect). Arrays of a series are index-aligned with SystemSeries.t.
import type { CgroupInfo, MemoryInfo, Report, Samples } from '../model/report';

export type Gap = number | null;

/** Host-wide series. `t` is the timeline every other array is aligned with. */
export interface SystemSeries {
  /** Sample times, epoch milliseconds, ascending. */
  t: number[];
  /** MemAvailable. */
  availableKb: Gap[];
  /** SwapFree (0 on a host without swap; null when unknown). */
  swapFreeKb: Gap[];
  /** Optional extra host series the findings can use (SUnreclaim, Shmem). */
  slabUnreclaimKb?: Gap[];
  shmemKb?: Gap[];
}

/**
 * One process over time. A pid can be reused: give `commAt` and/or `startAt` (any per-process
 * constant, e.g. the start time in clock ticks from /proc/PID/stat field 22) and the analysis splits
 * the series where the identity changes; without them, a change of `comm` cannot be seen and the
 * pid is treated as one process.
 */
export interface ProcessSeries {
  pid: number;
  /** The name to report (the last known one when commAt is given). */
  comm: string;
  /** Per-sample comm (null where unknown/absent). */
  commAt?: (string | null)[];
  /** Per-sample process start time (null where unknown/absent). */
  startAt?: (number | string | null)[];
  /** The start time of the process (clock ticks after boot), when the series is one identity. */
  start?: number | null;
  /** Memory cgroup path (as in /proc/PID/cgroup and Report.cgroups[].path), for the cgroup limit. */
  cgroup?: string | null;
  rssKb: Gap[];
  /** Anonymous RSS (RssAnon). When present the verdict is based on it: file-backed pages (page cache) are not a leak. */
  rssAnonKb?: Gap[];
  pssKb?: Gap[];
  /** Swapped-out anonymous memory: added to rssAnonKb so a leak that is being swapped out still shows. */
  swapKb?: Gap[];
}

export interface SeriesSet {
  system: SystemSeries;
  processes: ProcessSeries[];
  /** Cgroups with their limits at the end of the window (for projected OOM against a cgroup limit). */
  cgroups?: CgroupInfo[];
}

/** A contiguous stretch of one process identity inside a ProcessSeries: indices [from, to]. */
export interface Segment {
  from: number;
  to: number;
  comm: string;
  index: number;
}

function anyValue(arrs: (Gap[] | undefined)[], i: number): boolean {
  for (const a of arrs) if (a && a[i] != null && Number.isFinite(a[i] as number)) return true;
  return false;
}

/**
 * Splits a series where the process identity changes (PID reuse): comm or start time differs from
 * the previous sample that had one. Leading/trailing gaps are trimmed; inner gaps stay (a process
 * can be unreadable for a while). Segments with no value at all are dropped.
 */
export function segmentsOf(p: ProcessSeries, length: number): Segment[] {
  const arrs = [p.rssKb, p.rssAnonKb, p.pssKb];
  const out: Segment[] = [];
  let cur: Segment | null = null;
  let lastComm: string | null = null;
  let lastStart: number | string | null = null;
  let lastValue = -1;
  for (let i = 0; i < length; i++) {
    const has = anyValue(arrs, i);
    const comm = p.commAt?.[i] ?? null;
    const start = p.startAt?.[i] ?? null;
    const changed = (comm !== null && lastComm !== null && comm !== lastComm) || (start !== null && lastStart !== null && start !== lastStart);
    if (changed && cur) {
      cur.to = lastValue;
      out.push(cur);
      cur = null;
    }
    if (comm !== null) lastComm = comm;
    if (start !== null) lastStart = start;
    if (!has) continue;
    if (!cur) cur = { from: i, to: i, comm: comm ?? p.comm, index: out.length };
    if (comm !== null) cur.comm = comm;
    lastValue = i;
    cur.to = i;
  }
  if (cur) out.push(cur);
  // The series' own comm names the last identity when no per-sample comm said otherwise.
  if (out.length > 0 && !p.commAt) out[out.length - 1].comm = p.comm;
  return out.map((s, index) => ({ ...s, index }));
}

function isoMs(s: string): number {
  const v = Date.parse(s);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * The report's `samples` block (docs/contracts/report.md) as analysis input. SwapFree is derived
 * from swapUsedKb and the report's SwapTotal. Extra per-process arrays a sampler may add
 * (rssAnonKb, swapKb, comm) are picked up when present.
 */
export function seriesFromSamples(samples: Samples, report?: Pick<Report, 'processes' | 'memory' | 'cgroups'>): SeriesSet {
  const t = samples.t.map(isoMs);
  const swapTotal = report?.memory.swapTotalKb ?? null;
  const used = samples.system.swapUsedKb ?? [];
  const sysExtra = samples.system as unknown as Record<string, Gap[] | undefined>;
  const system: SystemSeries = {
    t,
    availableKb: t.map((_, i) => samples.system.availableKb?.[i] ?? null),
    swapFreeKb: t.map((_, i) => (swapTotal === null ? null : used[i] == null ? null : Math.max(0, swapTotal - (used[i] as number)))),
    slabUnreclaimKb: sysExtra.slabUnreclaimKb,
    shmemKb: sysExtra.shmemKb,
  };
  const byPid = new Map((report?.processes ?? []).map((p) => [p.pid, p]));
  const processes: ProcessSeries[] = [];
  for (const [pidText, s] of Object.entries(samples.processes ?? {})) {
    const pid = Number(pidText);
    if (!Number.isInteger(pid)) continue;
    const extra = s as unknown as Record<string, unknown>;
    const now = byPid.get(pid);
    const commAt = Array.isArray(extra.comm) ? (extra.comm as (string | null)[]) : undefined;
    processes.push({
      pid,
      comm:
        (typeof extra.comm === 'string' ? extra.comm : undefined) ??
        now?.comm ??
        (commAt ? ([...commAt].reverse().find((c) => c) ?? String(pid)) : String(pid)),
      commAt,
      cgroup: now?.cgroup ?? null,
      start: typeof s.start === 'number' ? s.start : null,
      rssKb: s.rssKb ?? [],
      pssKb: s.pssKb,
      rssAnonKb: Array.isArray(extra.rssAnonKb) ? (extra.rssAnonKb as Gap[]) : undefined,
      swapKb: Array.isArray(extra.swapKb) ? (extra.swapKb as Gap[]) : undefined,
    });
  }
  // The usage a sampler followed for a limited cgroup is fresher than the snapshot's (taken before sampling).
  const followed = (samples as { cgroups?: Record<string, Gap[]> }).cgroups ?? {};
  const cgroups = report?.cgroups?.map((c) => {
    const usage = followed[c.path];
    if (!Array.isArray(usage)) return c;
    for (let i = usage.length - 1; i >= 0; i--) {
      const v = usage[i];
      if (v != null && Number.isFinite(v)) return { ...c, usageKb: v };
    }
    return c;
  });
  return { system, processes, cgroups };
}

/**
 * Snapshots taken over time (each a Report of collectSnapshot) as analysis input. A pid whose comm
 * changes between snapshots is split by the analysis (commAt is filled).
 */
export function seriesFromReports(reports: Pick<Report, 'takenAt' | 'memory' | 'processes' | 'cgroups'>[]): SeriesSet {
  const n = reports.length;
  const t = reports.map((r) => isoMs(r.takenAt));
  const mem = (f: (m: MemoryInfo) => number | null) => reports.map((r) => f(r.memory));
  const system: SystemSeries = {
    t,
    availableKb: mem((m) => m.availableKb),
    swapFreeKb: mem((m) => m.swapFreeKb),
    slabUnreclaimKb: mem((m) => m.slabUnreclaimKb),
    shmemKb: mem((m) => m.shmemKb),
  };
  const byPid = new Map<number, ProcessSeries & { commAt: (string | null)[] }>();
  const empty = () => new Array<Gap>(n).fill(null);
  reports.forEach((r, i) => {
    for (const p of r.processes) {
      let s = byPid.get(p.pid);
      if (!s) {
        s = {
          pid: p.pid,
          comm: p.comm,
          commAt: new Array<string | null>(n).fill(null),
          cgroup: p.cgroup,
          rssKb: empty(),
          rssAnonKb: empty(),
          pssKb: empty(),
          swapKb: empty(),
        };
        byPid.set(p.pid, s);
      }
      s.comm = p.comm;
      s.cgroup = p.cgroup ?? s.cgroup;
      s.commAt[i] = p.comm;
      s.rssKb[i] = p.rssKb;
      s.rssAnonKb![i] = p.rssAnonKb;
      s.pssKb![i] = p.pssKb;
      s.swapKb![i] = p.swapKb;
    }
  });
  return { system, processes: [...byPid.values()], cgroups: reports.length ? reports[n - 1].cgroups : [] };
}
