// Bounded time series for a sampling session: one shared timeline, system series, one series per
// process (and per followed cgroup). Memory stays flat however long the session runs: when the
// timeline is full, its older half is merged pairwise (halving its resolution) and recent data
// keeps full resolution. Values are whole kB (small ints in V8), null where unknown.
import type { Frame, ProcSample } from '../parse/sampleFrames';
import type { Samples } from '../model/report';

export interface ProcSeries {
  /** The process's identity: pid and start time (a reused pid is another process, another series). */
  key: string;
  pid: number;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22), null until read. */
  start: number | null;
  comm: string;
  rssKb: (number | null)[];
  rssAnonKb: (number | null)[];
  pssKb: (number | null)[];
  swapKb: (number | null)[];
  maxRssKb: number;
  /** Index of the last frame the process was seen in. */
  lastSeen: number;
}

export interface SystemSeries {
  availableKb: (number | null)[];
  swapFreeKb: (number | null)[];
  swapTotalKb: (number | null)[];
  cachedKb: (number | null)[];
  shmemKb: (number | null)[];
  slabUnreclaimKb: (number | null)[];
  psiSomeAvg10: (number | null)[];
}

export interface StoreOptions {
  /** Points kept per series (the timeline length bound). */
  capacity?: number;
  /** Process series kept at most; exited small ones are dropped first. */
  maxSeries?: number;
}

export interface StoreJSON {
  v: 1;
  intervalMs: number;
  t: number[];
  gap: number[];
  system: SystemSeries;
  procs: ProcSeries[];
  cgroups: Record<string, (number | null)[]>;
  memTotalKb: number | null;
}

const SYSTEM_KEYS: (keyof SystemSeries)[] = ['availableKb', 'swapFreeKb', 'swapTotalKb', 'cachedKb', 'shmemKb', 'slabUnreclaimKb', 'psiSomeAvg10'];

/** The same process as this series: same start time when both are known, and the same program. */
function sameProcess(s: ProcSeries, p: ProcSample): boolean {
  if (s.start !== null && p.start !== null && s.start !== p.start) return false;
  return p.comm === '' || s.comm === '' || s.comm === p.comm;
}

function mergePairs(a: (number | null)[], upTo: number, round: boolean): (number | null)[] {
  const out: (number | null)[] = [];
  let i = 0;
  for (; i + 1 < upTo; i += 2) {
    const x = a[i];
    const y = a[i + 1];
    if (x === null || x === undefined) out.push(y ?? null);
    else if (y === null || y === undefined) out.push(x);
    else out.push(round ? Math.round((x + y) / 2) : (x + y) / 2);
  }
  for (; i < a.length; i++) out.push(a[i] ?? null);
  return out;
}

export class SeriesStore {
  readonly capacity: number;
  readonly maxSeries: number;
  intervalMs = 0;
  memTotalKb: number | null = null;
  /** Epoch ms per point. */
  t: number[] = [];
  /** 1 where a point follows a gap (reconnect, pause): lines should break there. */
  gap: number[] = [];
  system: SystemSeries = { availableKb: [], swapFreeKb: [], swapTotalKb: [], cachedKb: [], shmemKb: [], slabUnreclaimKb: [], psiSomeAvg10: [] };
  /** Every process series by identity key, running or gone (until evicted). */
  procs = new Map<string, ProcSeries>();
  /** The current series of each pid. */
  private readonly byPid = new Map<number, ProcSeries>();
  cgroups = new Map<string, (number | null)[]>();
  private pendingGap = false;

  constructor(opts: StoreOptions = {}) {
    this.capacity = Math.max(16, opts.capacity ?? 2048);
    this.maxSeries = Math.max(10, opts.maxSeries ?? 500);
  }

  get length(): number {
    return this.t.length;
  }

  /** The next point follows a gap (e.g. the connection dropped and came back). */
  markGap(): void {
    this.pendingGap = true;
  }

  add(frame: Frame, timeMs: number): void {
    if (this.t.length >= this.capacity) this.compact();
    const i = this.t.length;
    this.t.push(timeMs);
    this.gap.push(this.pendingGap ? 1 : 0);
    this.pendingGap = false;
    const m = frame.mem;
    this.memTotalKb = m.MemTotal ?? this.memTotalKb;
    const sys = this.system;
    sys.availableKb.push(m.MemAvailable ?? null);
    sys.swapFreeKb.push(m.SwapFree ?? null);
    sys.swapTotalKb.push(m.SwapTotal ?? null);
    sys.cachedKb.push(m.Cached ?? null);
    sys.shmemKb.push(m.Shmem ?? null);
    sys.slabUnreclaimKb.push(m.SUnreclaim ?? null);
    sys.psiSomeAvg10.push(frame.psiSomeAvg10);
    for (const p of frame.procs.values()) {
      if (p.rssKb === null) continue; // kernel threads, zombies
      let s = this.byPid.get(p.pid);
      if (s && !sameProcess(s, p)) s = undefined; // pid reused (or exec'd another program): a new series; the old one stays, gone
      if (!s) {
        s = this.newSeries(p, i);
        this.byPid.set(p.pid, s);
      }
      if (s.start === null) s.start = p.start;
      if (p.comm) s.comm = p.comm;
      s.rssKb.push(p.rssKb);
      s.rssAnonKb.push(p.rssAnonKb);
      s.pssKb.push(p.pssKb);
      s.swapKb.push(p.swapKb);
      s.maxRssKb = Math.max(s.maxRssKb, p.rssKb);
      s.lastSeen = i;
    }
    // Processes not in this frame: null (exited or unreadable).
    for (const s of this.procs.values()) {
      if (s.lastSeen !== i) {
        s.rssKb.push(null);
        s.rssAnonKb.push(null);
        s.pssKb.push(null);
        s.swapKb.push(null);
      }
    }
    for (const [path, bytes] of frame.cgroups) {
      let c = this.cgroups.get(path);
      if (!c) {
        c = new Array(i).fill(null);
        this.cgroups.set(path, c);
      }
      c.push(Math.round(bytes / 1024));
    }
    for (const c of this.cgroups.values()) if (c.length === i) c.push(null);
    if (this.procs.size > this.maxSeries) this.evict(i);
  }

  private newSeries(p: ProcSample, i: number): ProcSeries {
    let key = `${p.pid}@${p.start ?? `?${p.comm}`}`;
    // exec keeps pid and start time: the program that follows gets a key of its own.
    for (let n = 2; this.procs.has(key); n++) key = `${p.pid}@${p.start ?? `?${p.comm}`}#${n}`;
    const before = () => new Array<number | null>(i).fill(null);
    const s: ProcSeries = {
      key,
      pid: p.pid,
      start: p.start,
      comm: p.comm,
      rssKb: before(),
      rssAnonKb: before(),
      pssKb: before(),
      swapKb: before(),
      maxRssKb: 0,
      lastSeen: i,
    };
    this.procs.set(key, s);
    return s;
  }

  /** The series of what runs under this pid now (or ran last), if any. */
  current(pid: number): ProcSeries | undefined {
    return this.byPid.get(pid);
  }

  /** Seen in the last frame. */
  isRunning(s: ProcSeries): boolean {
    return s.lastSeen === this.t.length - 1;
  }

  /** Drops the smallest series of processes that are gone, down to maxSeries. */
  private evict(now: number): void {
    const gone = [...this.procs.values()].filter((s) => s.lastSeen !== now).sort((a, b) => a.maxRssKb - b.maxRssKb);
    for (const s of gone) {
      if (this.procs.size <= this.maxSeries) break;
      this.drop(s);
    }
  }

  private drop(s: ProcSeries): void {
    this.procs.delete(s.key);
    if (this.byPid.get(s.pid) === s) this.byPid.delete(s.pid);
  }

  /** Halves the resolution of the older half of every series. */
  private compact(): void {
    const half = Math.floor(this.t.length / 2) & ~1;
    // A merged point starts where its first half started (bucket start), so old times do not drift.
    const t: number[] = [];
    for (let i = 0; i + 1 < half; i += 2) t.push(this.t[i]);
    this.t = t.concat(this.t.slice(half));
    const g: number[] = [];
    for (let i = 0; i + 1 < half; i += 2) g.push(this.gap[i] || this.gap[i + 1] ? 1 : 0);
    this.gap = g.concat(this.gap.slice(half));
    for (const k of SYSTEM_KEYS) this.system[k] = mergePairs(this.system[k], half, k !== 'psiSomeAvg10');
    for (const s of this.procs.values()) {
      s.rssKb = mergePairs(s.rssKb, half, true);
      s.rssAnonKb = mergePairs(s.rssAnonKb, half, true);
      s.pssKb = mergePairs(s.pssKb, half, true);
      s.swapKb = mergePairs(s.swapKb, half, true);
      s.lastSeen -= half / 2;
    }
    for (const [k, v] of this.cgroups) this.cgroups.set(k, mergePairs(v, half, true));
  }

  /**
   * The report's `samples` block (contract names): keyed by pid, so a pid holds the series of its
   * latest process (an earlier process under a reused pid is left out). `only` limits it to some
   * identities (the panel gets the series it draws, not all 500).
   */
  toSamples(only?: Set<string>): Samples {
    const processes: Samples['processes'] = {};
    for (const s of this.byPid.values()) {
      if (only && !only.has(s.key)) continue;
      processes[String(s.pid)] = {
        rssKb: s.rssKb.slice(),
        pssKb: s.pssKb.slice(),
        comm: s.comm,
        rssAnonKb: s.rssAnonKb.slice(),
        swapKb: s.swapKb.slice(),
        start: s.start,
      };
    }
    return {
      intervalMs: this.intervalMs,
      t: this.t.map((x) => new Date(x).toISOString()),
      system: {
        availableKb: this.system.availableKb.slice(),
        swapUsedKb: this.system.swapTotalKb.map((tot, i) => (tot === null || this.system.swapFreeKb[i] === null ? null : tot - this.system.swapFreeKb[i]!)),
        cachedKb: this.system.cachedKb.slice(),
        shmemKb: this.system.shmemKb.slice(),
        slabUnreclaimKb: this.system.slabUnreclaimKb.slice(),
        psiSomeAvg10: this.system.psiSomeAvg10.slice(),
      },
      processes,
      memTotalKb: this.memTotalKb,
      gap: this.gap.slice(),
      cgroups: Object.fromEntries([...this.cgroups].map(([k, v]) => [k, v.slice()])),
    };
  }

  toJSON(): StoreJSON {
    return {
      v: 1,
      intervalMs: this.intervalMs,
      t: this.t,
      gap: this.gap,
      system: this.system,
      procs: [...this.procs.values()],
      cgroups: Object.fromEntries(this.cgroups),
      memTotalKb: this.memTotalKb,
    };
  }

  /** Restores a persisted session; anything malformed gives an empty store (never a crash). */
  static fromJSON(j: unknown, opts: StoreOptions = {}): SeriesStore {
    return SeriesStore.restore(j, opts).store;
  }

  /**
   * Restores a persisted session and says what was wrong with it: `problem` is set when the file is
   * not a store of this version at all (the caller keeps it aside instead of overwriting it), and
   * values that are not numbers become null (a bad value must not break every later sample).
   */
  static restore(j: unknown, opts: StoreOptions = {}): { store: SeriesStore; problem: string | null } {
    const s = new SeriesStore(opts);
    const o = j as Partial<StoreJSON> | null;
    if (!o || typeof o !== 'object') return { store: s, problem: 'not a saved series store' };
    if (o.v !== 1) return { store: s, problem: `a store of version ${JSON.stringify(o.v ?? null)}, not 1` };
    if (!Array.isArray(o.t) || !Array.isArray(o.procs) || !o.system) return { store: s, problem: 'the store lacks its time, process or system series' };
    const n = o.t.length;
    const okLen = (a: unknown) => Array.isArray(a) && a.length === n;
    if (!SYSTEM_KEYS.every((k) => okLen(o.system![k]))) return { store: s, problem: 'the system series do not match the time axis' };
    const num = (a: unknown[]) => a.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)) as (number | null)[];
    if (!o.t.every((t) => typeof t === 'number' && Number.isFinite(t))) return { store: s, problem: 'the time axis holds values that are not times' };
    s.intervalMs = Number(o.intervalMs) || 0;
    s.memTotalKb = o.memTotalKb ?? null;
    s.t = o.t.slice(-s.capacity);
    const cut = n - s.t.length;
    s.gap = okLen(o.gap) ? o.gap!.slice(cut) : new Array(s.t.length).fill(0);
    for (const k of SYSTEM_KEYS) s.system[k] = num(o.system[k].slice(cut)) as never;
    for (const p of o.procs) {
      if (!p || typeof p.pid !== 'number' || !okLen(p.rssKb) || !okLen(p.rssAnonKb) || !okLen(p.pssKb) || !okLen(p.swapKb)) continue;
      const start = typeof p.start === 'number' ? p.start : null;
      const comm = typeof p.comm === 'string' ? p.comm : '';
      const key = typeof p.key === 'string' ? p.key : `${p.pid}@${start ?? `?${comm}`}`;
      if (s.procs.has(key)) continue;
      const series: ProcSeries = {
        ...p,
        key,
        start,
        comm,
        rssKb: num(p.rssKb.slice(cut)) as never,
        rssAnonKb: num(p.rssAnonKb.slice(cut)) as never,
        pssKb: num(p.pssKb.slice(cut)) as never,
        swapKb: num(p.swapKb.slice(cut)) as never,
        lastSeen: Number(p.lastSeen) - cut,
        maxRssKb: Number(p.maxRssKb) || 0,
      };
      s.procs.set(key, series);
      const cur = s.byPid.get(p.pid);
      if (!cur || cur.lastSeen < series.lastSeen) s.byPid.set(p.pid, series);
    }
    for (const [k, v] of Object.entries(o.cgroups ?? {})) if (okLen(v)) s.cgroups.set(k, num(v.slice(cut)) as never);
    // What follows a restore is after a pause.
    if (s.t.length) s.pendingGap = true;
    return { store: s, problem: null };
  }
}
