// One live diagnosis: the snapshot, the kernel log and the sampler folded into ONE current state
// that every view reads (the panel, the tree, the status bar, Export, the CLI's --sample and watch).
// Each frame updates it incrementally: processes by identity (pid + start time, so a reused pid is
// never merged with the process that had it), exited ones marked gone with their last values,
// memory, pressure and cgroup usage now, growth fitted again only where it moved, and kills from a
// follower of the kernel log within a sample or two. Findings are re-run every few seconds (or at
// once when a kill arrives), keyed, held against flapping, in a stable order.
import type { Host } from './host/host';
import type { CgroupInfo, ExitedProcess, Finding, LiveStatus, MemoryInfo, Pressure, ProcessInfo, Report, Samples } from './model/report';
import type { OomEvent } from './model/oomEvent';
import type { LogSourceReport } from './collect/kernelLog';
import { SeriesStore, type ProcSeries } from './collect/seriesStore';
import type { Frame, ProcSample } from './parse/sampleFrames';
import { runSampler, type SamplerResult } from './collect/sampler';
import { followKernelLog } from './collect/logFollow';
import { USER_HZ } from './collect/snapshot';
import { analyzeFindings } from './analyze/findings';
import type { GrowthOptions } from './analyze/growth';
import { GrowthTracker, type HoldOptions, type LiveGrowth } from './live/growthTracker';
import { FindingHold } from './live/findingHold';
import { readProcesses } from './live/processReader';
import { isCancelled } from './errors';

/** The report the pipeline produces: a snapshot, its kernel log, and what sampling adds. */
export interface DiagnosedReport extends Report {
  logSources?: LogSourceReport[];
  /** The usage files of the limited cgroups, and the cgroup path each one belongs to. */
  cgroupFiles?: { file: string; path: string }[];
}

export interface LiveOptions {
  intervalMs: number;
  /** Stop after this long; undefined = until stop() or the signal. */
  durationMs?: number;
  signal?: AbortSignal;
  /** Sample into this store (the extension keeps one per host); else a new one. */
  store?: SeriesStore;
  sudo?: boolean;
  /** Follow the kernel log for new kills while sampling (default true). */
  followLog?: boolean;
  /** Re-run the findings at most this often (default 2 s), and at once when a kill arrives. */
  findingsEveryMs?: number;
  hold?: Partial<HoldOptions>;
  growth?: GrowthOptions;
  /**
   * Read the cmdline, cgroup and owner of processes that appear while sampling (default true). A
   * watch turns it off: on a busy host that is one more command per sample (over SSH, a login).
   */
  readNewProcesses?: boolean;
  /** Restarts of the sampler and the log follower in a row before giving up (default 20; a watch: Infinity). */
  maxRestarts?: number;
  /** Every update of the current state. */
  onUpdate?: (u: LiveUpdate) => void;
  /** Where kills come from, once the follower knows (or why it cannot follow): the watch's "watching" line. */
  onKernelLog?: (status: string, followed: boolean) => void;
  /** Things to log (sampling gaps, the kernel-log source). */
  onNotice?: (level: 'info' | 'warn', message: string) => void;
}

export interface LiveUpdate {
  report: Report;
  /** New OOM events in this update (a kill seen while sampling). */
  newEvents: OomEvent[];
  /** The findings were re-run. */
  analysed: boolean;
}

const MAX_EXITED = 200;
const GROWTH_FINDINGS = new Set(['leak-suspect', 'grew-then-flat', 'growing']);
const MAX_EVENTS = 5000;

/** The memory picture from a frame, falling back to what the snapshot had for what it lacks. */
function memoryFrom(m: Record<string, number>, prev: MemoryInfo): MemoryInfo {
  const v = (k: string, old: number | null) => (m[k] !== undefined ? m[k] : old);
  return {
    totalKb: v('MemTotal', prev.totalKb),
    availableKb: v('MemAvailable', prev.availableKb),
    freeKb: v('MemFree', prev.freeKb),
    buffersKb: v('Buffers', prev.buffersKb),
    cachedKb: v('Cached', prev.cachedKb),
    shmemKb: v('Shmem', prev.shmemKb),
    slabUnreclaimKb: v('SUnreclaim', prev.slabUnreclaimKb),
    committedAsKb: v('Committed_AS', prev.committedAsKb),
    commitLimitKb: v('CommitLimit', prev.commitLimitKb),
    swapTotalKb: v('SwapTotal', prev.swapTotalKb),
    swapFreeKb: v('SwapFree', prev.swapFreeKb),
  };
}

function pressureFrom(f: Frame, prev: Pressure | null): Pressure | null {
  if (f.psiSomeAvg10 === null) return prev;
  return {
    someAvg10: f.psiSomeAvg10,
    someAvg60: f.psiSomeAvg60 ?? prev?.someAvg60 ?? 0,
    fullAvg10: f.psiFullAvg10 ?? prev?.fullAvg10 ?? 0,
    fullAvg60: f.psiFullAvg60 ?? prev?.fullAvg60 ?? 0,
  };
}

/** The same kill seen twice (the snapshot's read and the follower): same victim and time. */
function sameEvent(a: OomEvent, b: OomEvent): boolean {
  if (a.kind !== b.kind || a.victim?.pid !== b.victim?.pid || a.victim?.comm !== b.victim?.comm || a.trigger?.pid !== b.trigger?.pid) return false;
  if (a.uptimeSeconds !== null && b.uptimeSeconds !== null) return Math.abs(a.uptimeSeconds - b.uptimeSeconds) < 0.001;
  const ta = a.time ? Date.parse(a.time) : NaN;
  const tb = b.time ? Date.parse(b.time) : NaN;
  return Number.isFinite(ta) && Number.isFinite(tb) && Math.abs(ta - tb) <= 2000;
}

export class LiveDiagnosis {
  readonly store: SeriesStore;
  private readonly base: DiagnosedReport;
  private readonly bootMs: number | null;
  private readonly abort = new AbortController();
  private readonly growth: GrowthTracker;
  private readonly hold = new FindingHold();
  /** Full process info per identity (the store's keys). */
  private readonly info = new Map<string, ProcessInfo>();
  private readonly snapshotByPid = new Map<number, ProcessInfo>();
  private readonly cgroupPathOf = new Map<string, string>();
  private running = new Map<string, ProcSeries>();
  private exited: ExitedProcess[] = [];
  private events: OomEvent[];
  private memory: MemoryInfo;
  private pressure: Pressure | null;
  private oomKills: number | null;
  private cgroups: CgroupInfo[];
  private findings: Finding[];
  private growthList: LiveGrowth[] = [];
  private tooNew: number[] = [];
  private lastFindingsAt = 0;
  private findingsDue = true;
  private pendingRead = new Map<string, number>();
  private reading = false;
  private status: LiveStatus;
  private current: Report;
  private frames = 0;
  /** The time of the last frame (the host's clock): holds and ages are measured on it. */
  private nowT = 0;
  /** Cost of the last frame's update, ms (for the bench). */
  lastUpdateMs = 0;

  constructor(
    private readonly host: Host,
    base: DiagnosedReport,
    private readonly opts: LiveOptions,
  ) {
    this.base = base;
    this.store = opts.store ?? new SeriesStore();
    this.bootMs = base.host.bootTime ? Date.parse(base.host.bootTime) : null;
    this.growth = new GrowthTracker(opts.hold, opts.growth);
    for (const p of base.processes) this.snapshotByPid.set(p.pid, p);
    for (const c of base.cgroupFiles ?? []) this.cgroupPathOf.set(c.file, c.path);
    this.events = [...base.events];
    this.memory = base.memory;
    this.pressure = base.pressure;
    this.oomKills = base.oomKillsSinceBoot;
    this.cgroups = base.cgroups;
    this.findings = this.hold.update(base.findings, Date.parse(base.takenAt) || Date.now());
    this.status = {
      state: 'sampling',
      intervalMs: opts.intervalMs,
      startedAt: new Date().toISOString(),
      lastSampleAt: null,
      samples: 0,
      tooNew: [],
      kernelLog: null,
    };
    this.current = this.compose();
    opts.signal?.addEventListener('abort', () => this.abort.abort(), { once: true });
  }

  /** The current state (without the samples: see fullReport). */
  get report(): Report {
    return this.current;
  }

  /** The current state with every sampled series (for Export and the CLI's JSON). */
  fullReport(): Report {
    return { ...this.current, samples: this.samples() };
  }

  /** The series a timeline draws: the host, cgroups, and the processes worth a line. */
  timelineSamples(maxProcesses = 24): Samples {
    const wanted = new Set<string>();
    for (const g of this.growthList) if (g.verdict !== 'steady' || g.plateau) wanted.add(`${g.pid}@${g.start ?? ''}`);
    const keys = [...this.store.procs.values()].filter((s) => wanted.has(`${s.pid}@${s.start ?? ''}`)).map((s) => s.key);
    const biggest = [...this.store.procs.values()].sort((a, b) => b.maxRssKb - a.maxRssKb).map((s) => s.key);
    const only = new Set([...keys, ...biggest].slice(0, maxProcesses));
    return this.samples(only);
  }

  private samples(only?: Set<string>): Samples {
    const s = this.store.toSamples(only);
    // Followed cgroups by their path (as in report.cgroups), not by their control file.
    s.cgroups = Object.fromEntries(Object.entries(s.cgroups ?? {}).map(([file, v]) => [this.cgroupPathOf.get(file) ?? file, v]));
    return s;
  }

  /** Samples until the duration is over, stop() or the signal. */
  async run(): Promise<SamplerResult> {
    const signal = this.abort.signal;
    const follower =
      this.opts.followLog === false
        ? null
        : followKernelLog(this.host, {
            signal,
            sudo: this.opts.sudo,
            bootTimeMs: this.bootMs ?? undefined,
            notBeforeMs: (Date.parse(this.base.takenAt) || Date.now()) - 2000,
            maxRestarts: this.opts.maxRestarts,
            onEvent: (e) => this.addEvents([e]),
            onSource: (s) => {
              this.status.kernelLog = s.source === 'none' ? `not followed: ${s.detail}` : `following ${s.source}${s.detail ? ` (${s.detail})` : ''}`;
              this.opts.onNotice?.(s.source === 'none' ? 'warn' : 'info', `kernel log of ${this.host.name}: ${this.status.kernelLog}`);
              this.opts.onKernelLog?.(this.status.kernelLog, s.source !== 'none');
            },
            onGap: (reason, retry) =>
              this.opts.onNotice?.('warn', `following the kernel log of ${this.host.name} stopped (${reason}); again in ${Math.round(retry / 1000)} s`),
          }).catch((e) => {
            if (!isCancelled(e)) this.opts.onNotice?.('warn', `following the kernel log failed: ${(e as Error).message}`);
            return null;
          });
    let res: SamplerResult;
    try {
      res = await runSampler(this.host, this.store, {
        intervalMs: this.opts.intervalMs,
        durationMs: this.opts.durationMs,
        signal,
        cgroupFiles: [...this.cgroupPathOf.keys()],
        bootTimeMs: this.bootMs ?? undefined,
        maxRestarts: this.opts.maxRestarts,
        onFrame: (f, t) => this.update(f, t), // the sampler has added it to the store
        onGap: (reason, retry) =>
          this.opts.onNotice?.('warn', `sampling ${this.host.name} interrupted (${reason}); retried after ${Math.round(retry / 1000)} s`),
      });
    } finally {
      this.abort.abort();
      await follower;
    }
    this.status.state = res.stoppedBy === 'duration' ? 'ended' : 'stopped';
    this.status.reason = res.stoppedBy === 'signal' ? 'stopped' : res.stoppedBy === 'duration' ? 'the sampling time is over' : 'the host stopped answering';
    this.analyse(this.nowT || Date.now(), true);
    this.emit([], true);
    return res;
  }

  stop(): void {
    this.abort.abort();
  }

  /** New OOM events (from the follower, or a log read after sampling). Duplicates are dropped. */
  addEvents(evs: OomEvent[]): OomEvent[] {
    const fresh = evs.filter((e) => !this.events.some((x) => sameEvent(x, e)));
    if (fresh.length === 0) return [];
    this.events = [...this.events, ...fresh].slice(-MAX_EVENTS);
    this.findingsDue = true;
    this.analyse(this.nowT || Date.now(), true);
    this.emit(fresh, true);
    return fresh;
  }

  /** Adds a frame from a sampler of one's own (benches, tests) and folds it into the state. */
  ingest(f: Frame, t: number): void {
    this.store.add(f, t);
    this.update(f, t);
  }

  private update(f: Frame, t: number): void {
    const started = performance.now();
    this.frames++;
    this.nowT = t;
    this.memory = memoryFrom(f.mem, this.memory);
    this.pressure = pressureFrom(f, this.pressure);
    if (f.oomKills !== null) {
      if (this.oomKills !== null && f.oomKills > this.oomKills) this.findingsDue = true;
      this.oomKills = f.oomKills;
    }
    this.updateCgroups(f);
    const exited = this.updateProcesses(f, t);
    const tooNew = this.growth.update(this.store, [...this.running.values()], exited, (k) => this.info.get(k)?.cgroup ?? null, this.cgroups);
    this.tooNew = [...tooNew].map((k) => this.running.get(k)?.pid).filter((p): p is number => p !== undefined);
    this.collectGrowth(t);
    this.status.samples = this.store.length;
    this.status.lastSampleAt = new Date(t).toISOString();
    if (exited.length) this.findingsDue = true;
    const analysed = this.analyse(t, false);
    if (this.frames % 100 === 0) this.prune();
    this.lastUpdateMs = performance.now() - started;
    this.emit([], analysed);
  }

  private updateCgroups(f: Frame): void {
    if (f.cgroups.size === 0) return;
    const usage = new Map<string, number>();
    for (const [file, bytes] of f.cgroups) {
      const p = this.cgroupPathOf.get(file);
      if (p) usage.set(p, Math.round(bytes / 1024));
    }
    this.cgroups = this.cgroups.map((c) =>
      usage.has(c.path) ? { ...c, usageKb: usage.get(c.path)!, peakKb: c.peakKb === null ? null : Math.max(c.peakKb, usage.get(c.path)!) } : c,
    );
  }

  /** Folds a frame into the process table; returns the series that exited with it. */
  private updateProcesses(f: Frame, t: number): ProcSeries[] {
    const now = new Map<string, ProcSeries>();
    for (const p of f.procs.values()) {
      if (p.rssKb === null) continue;
      const s = this.store.current(p.pid);
      if (!s || !this.store.isRunning(s)) continue;
      now.set(s.key, s);
      this.info.set(s.key, this.merge(s, p));
    }
    const exited: ProcSeries[] = [];
    for (const [key, s] of this.running) {
      if (now.has(key)) continue;
      exited.push(s);
      const last = this.info.get(key);
      if (last) this.exited.unshift({ ...last, goneAt: new Date(t).toISOString(), maxRssKb: s.maxRssKb || last.rssKb });
      this.info.delete(key);
      this.pendingRead.delete(key);
    }
    if (this.exited.length > MAX_EXITED) this.exited.length = MAX_EXITED;
    this.running = now;
    this.readNewProcesses();
    return exited;
  }

  /**
   * The info of a sampled process: the snapshot's (same identity) or what the frame tells, with
   * the frame's values. Updated in place: one object per process for the whole session (a copy of
   * 500 processes every second was most of the cost of a sample).
   */
  private merge(s: ProcSeries, p: ProcSample): ProcessInfo {
    let info = this.info.get(s.key);
    if (!info) {
      const snap = this.snapshotByPid.get(p.pid);
      const same = snap && (snap.start == null || s.start === null || snap.start === s.start) && snap.comm === s.comm;
      info = same ? { ...snap! } : this.minimalInfo(s);
      if (!same) this.pendingRead.set(s.key, this.frames);
    }
    if (p.comm) info.comm = p.comm;
    info.rssKb = p.rssKb;
    info.rssAnonKb = p.rssAnonKb;
    info.rssFileKb = p.rssFileKb;
    info.rssShmemKb = p.rssShmemKb;
    if (p.swapKb !== null) info.swapKb = p.swapKb;
    if (p.pssKb !== null) info.pssKb = p.pssKb;
    if (p.oomScore !== null) info.oomScore = p.oomScore;
    info.start = s.start ?? info.start ?? null;
    return info;
  }

  private minimalInfo(s: ProcSeries): ProcessInfo {
    return {
      pid: s.pid,
      ppid: null,
      uid: null,
      user: null,
      comm: s.comm,
      cmdline: null,
      state: null,
      rssKb: null,
      rssAnonKb: null,
      rssFileKb: null,
      rssShmemKb: null,
      pssKb: null,
      ussKb: null,
      swapKb: null,
      oomScore: null,
      oomScoreAdj: null,
      cgroup: null,
      container: null,
      start: s.start,
      startedAt: s.start !== null && this.bootMs !== null ? new Date(this.bootMs + (s.start / USER_HZ) * 1000).toISOString() : null,
    };
  }

  /** Reads the rest of what processes that appeared while sampling are (after their second frame). */
  private readNewProcesses(): void {
    if (this.reading || this.opts.readNewProcesses === false) return;
    const due = [...this.pendingRead].filter(([k, at]) => this.frames - at >= 1 && this.running.has(k)).map(([k]) => k);
    if (due.length === 0) return;
    this.reading = true;
    const pids = due.map((k) => this.running.get(k)!.pid);
    readProcesses(this.host, pids, this.bootMs, { signal: this.abort.signal, sudo: this.opts.sudo })
      .then(
        (found) => {
          for (const p of found) {
            const s = this.store.current(p.pid);
            if (!s || (p.start != null && s.start !== null && p.start !== s.start)) continue; // gone, or another process now
            const cur = this.info.get(s.key);
            // Keep the sampled values (fresher); take the rest.
            if (cur)
              Object.assign(cur, {
                ...p,
                rssKb: cur.rssKb,
                rssAnonKb: cur.rssAnonKb,
                rssFileKb: cur.rssFileKb,
                rssShmemKb: cur.rssShmemKb,
                swapKb: cur.swapKb ?? p.swapKb,
              });
          }
          this.findingsDue = true;
        },
        (e) => {
          if (!isCancelled(e)) this.opts.onNotice?.('warn', `could not read new processes on ${this.host.name}: ${(e as Error).message}`);
        },
      )
      .finally(() => {
        for (const k of due) this.pendingRead.delete(k);
        this.reading = false;
      });
  }

  private collectGrowth(t: number): void {
    const list: LiveGrowth[] = [];
    for (const s of this.running.values()) {
      const g = this.growth.growthOf(s.key, t);
      if (g) list.push(g);
    }
    const rank = { 'leak-suspect': 0, growing: 1, shrinking: 2, steady: 3 } as const;
    this.growthList = list.sort(
      (a, b) => rank[a.verdict] - rank[b.verdict] || (b.plateau ? 1 : 0) - (a.plateau ? 1 : 0) || b.basisSlopeKbPerMin - a.basisSlopeKbPerMin || a.pid - b.pid,
    );
  }

  /** Re-runs the findings when due; returns whether it did. */
  private analyse(t: number, force: boolean): boolean {
    const every = this.opts.findingsEveryMs ?? 2000;
    const verdictsChanged =
      this.growthList.some((g) => g.verdict !== 'steady' || g.plateau) !== this.findings.some((f) => f.id === 'leak-suspect' || f.id === 'grew-then-flat');
    if (!force && !this.findingsDue && !verdictsChanged && t - this.lastFindingsAt < every) {
      this.current = this.compose();
      return false;
    }
    this.lastFindingsAt = t;
    this.findingsDue = false;
    const draft = this.compose();
    const { findings, warnings } = analyzeFindings({ report: draft, now: t, system: GrowthTracker.systemView(this.store) });
    // Growth findings have their hysteresis in the growth tracker: no stale copy is held beside them.
    this.findings = this.hold.update(findings, t, (f) => GROWTH_FINDINGS.has(f.id));
    this.current = { ...draft, findings: this.findings, warnings: [...draft.warnings, ...warnings] };
    return true;
  }

  private compose(): Report {
    const b = this.base;
    const processes = this.running.size
      ? [...this.running.keys()]
          .map((k) => this.info.get(k)!)
          .filter(Boolean)
          .sort((a, c) => (c.rssKb ?? -1) - (a.rssKb ?? -1) || a.pid - c.pid)
      : b.processes;
    return {
      ...b,
      memory: this.memory,
      pressure: this.pressure,
      oomKillsSinceBoot: this.oomKills,
      processes,
      exited: this.exited,
      cgroups: this.cgroups,
      events: this.events,
      growth: this.growthList.length || this.running.size ? this.growthList : b.growth,
      findings: this.findings,
      live: { ...this.status, tooNew: this.tooNew },
    };
  }

  private emit(newEvents: OomEvent[], analysed: boolean): void {
    this.opts.onUpdate?.({ report: this.current, newEvents, analysed });
  }

  /** Forgets identities the store evicted: memory stays bounded over a long session. */
  private prune(): void {
    const keep = (k: string) => this.store.procs.has(k);
    for (const k of this.info.keys()) if (!keep(k)) this.info.delete(k);
    this.growth.prune(keep);
  }
}
