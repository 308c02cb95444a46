// The diagnosis report: the contract of ../shared/contracts/report.md. Sizes in kB unless the
// name says otherwise; absent facts are null, never 0. Add fields freely; never rename these.
import type { OomEvent } from './oomEvent';
import type { Action } from '../act/action';

export interface HostInfo {
  name: string;
  via: 'local' | 'ssh';
  kernel: string | null;
  uptimeSeconds: number | null;
  bootTime: string | null;
}

export interface MemoryInfo {
  totalKb: number | null;
  availableKb: number | null;
  freeKb: number | null;
  buffersKb: number | null;
  cachedKb: number | null;
  shmemKb: number | null;
  slabUnreclaimKb: number | null;
  committedAsKb: number | null;
  commitLimitKb: number | null;
  swapTotalKb: number | null;
  swapFreeKb: number | null;
}

export interface Pressure {
  someAvg10: number;
  someAvg60: number;
  fullAvg10: number;
  fullAvg60: number;
}

export interface VmSettings {
  overcommitMemory: number | null;
  overcommitRatio: number | null;
  swappiness: number | null;
  panicOnOom: number | null;
  oomKillAllocatingTask: number | null;
  minFreeKbytes: number | null;
}

export interface ContainerRef {
  runtime: 'docker' | 'kubernetes' | 'podman' | 'lxc' | 'systemd' | 'other';
  id: string | null;
  name: string | null;
  podUid: string | null;
}

export interface ProcessInfo {
  pid: number;
  ppid: number | null;
  uid: number | null;
  user: string | null;
  comm: string;
  cmdline: string | null;
  /** The arguments as the process holds them (cmdline split on NUL), when read. */
  argv?: string[] | null;
  /** Where /proc/PID/exe points: the program really running (argv[0] is whatever the starter chose). Null when unreadable. */
  exe?: string | null;
  state: string | null;
  rssKb: number | null;
  rssAnonKb: number | null;
  rssFileKb: number | null;
  rssShmemKb: number | null;
  pssKb: number | null;
  ussKb: number | null;
  swapKb: number | null;
  oomScore: number | null;
  oomScoreAdj: number | null;
  cgroup: string | null;
  container: ContainerRef | null;
  /** Start time in clock ticks after boot (/proc/PID/stat field 22): pid + start identify a process. */
  start?: number | null;
  /** When it started (boot time + start), ISO. */
  startedAt?: string | null;
}

/** A process that was sampled and has exited (or was killed): its last values and when it went. */
export interface ExitedProcess extends ProcessInfo {
  /** The first sample it was missing from. */
  goneAt: string;
  /** Its largest RSS while sampled. */
  maxRssKb: number | null;
}

export interface CgroupInfo {
  path: string;
  version: 1 | 2;
  limitKb: number | null;
  usageKb: number | null;
  peakKb: number | null;
  oomKills: number | null;
  failcnt: number | null;
}

export interface Samples {
  intervalMs: number;
  t: string[];
  system: {
    availableKb: (number | null)[];
    swapUsedKb: (number | null)[];
    /** Extras for the timeline (not in the contract's minimum). */
    cachedKb?: (number | null)[];
    shmemKb?: (number | null)[];
    slabUnreclaimKb?: (number | null)[];
    psiSomeAvg10?: (number | null)[];
  };
  processes: Record<
    string,
    {
      rssKb: (number | null)[];
      pssKb: (number | null)[];
      comm?: string;
      rssAnonKb?: (number | null)[];
      swapKb?: (number | null)[];
      /** Start time (clock ticks after boot) of the process these samples belong to. */
      start?: number | null;
    }
  >;
  /** MemTotal at sampling time. */
  memTotalKb?: number | null;
  /** 1 where a point follows a gap (reconnect, pause): charts break the line there. */
  gap?: number[];
  /** Followed cgroups' usage, by control file path. */
  cgroups?: Record<string, (number | null)[]>;
}

export type Verdict = 'leak-suspect' | 'growing' | 'steady' | 'shrinking';

export interface Growth {
  pid: number;
  comm: string;
  metric: 'rssKb' | 'pssKb';
  slopeKbPerMin: number;
  r2: number;
  samples: number;
  projectedOomAt: string | null;
  verdict: Verdict;
  /** Start time (clock ticks after boot) of the process, when sampled: pid + start is its identity. */
  start?: number | null;
}

export interface Remedy {
  title: string;
  commands: string[];
  changesHost: boolean;
  /** The host-changing actions these commands are rendered from (core/act/), when every input passed their checks. */
  actions?: Action[];
}

export type Severity = 'critical' | 'warning' | 'info';

export interface Finding {
  id: string;
  /**
   * This instance: the rule and its subject (a process by pid and start time, a cgroup path, a
   * unit), unique in one report and stable across re-analyses of a live session.
   */
  key?: string;
  severity: Severity;
  title: string;
  detail: string;
  pids: number[];
  evidence: Record<string, unknown>;
  remedies: Remedy[];
}

/** While a live session samples the host: what the state of the report is (Report.live). */
export interface LiveStatus {
  state: 'sampling' | 'stopped' | 'ended';
  intervalMs: number;
  startedAt: string;
  lastSampleAt: string | null;
  samples: number;
  /** Processes too new for a growth rate (fewer than the minimum samples or seconds). */
  tooNew: number[];
  /** Where new kernel messages come from while sampling, or why not. */
  kernelLog: string | null;
  /** Why sampling stopped, when it did. */
  reason?: string;
}

export interface Report {
  version: 1;
  host: HostInfo;
  takenAt: string;
  memory: MemoryInfo;
  pressure: Pressure | null;
  settings: VmSettings;
  oomKillsSinceBoot: number | null;
  processes: ProcessInfo[];
  /** While sampling: processes that exited since the snapshot, newest first (bounded). */
  exited?: ExitedProcess[];
  cgroups: CgroupInfo[];
  events: OomEvent[];
  samples?: Samples;
  growth: Growth[];
  findings: Finding[];
  warnings: string[];
  /** Present while (and after) a live session sampled the host. */
  live?: LiveStatus;
}
