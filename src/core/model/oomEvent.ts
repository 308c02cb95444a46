// One OOM event: the contract of ../shared/contracts/oom-events.md. Absent facts are null.

export type OomEventKind = 'kill' | 'panic' | 'lowmemorykiller' | 'runtime' | 'container' | 'userspace-kill';
export type OomScope = 'system' | 'memcg' | 'cpuset' | 'mempolicy';

export interface OomTrigger {
  comm: string | null;
  pid: number | null;
  gfpMask: string | null;
  gfpFlags: string | null;
  order: number | null;
  oomScoreAdj: number | null;
  /** Optional: uid of the trigger task, printed by 6.x kernels ("CPU: 1 UID: 104 PID: ..."). */
  uid?: number | null;
  /** Optional: the legacy oom_adj printed by 2.6.x headers ("order=0, oom_adj=0, oom_score_adj=0"). */
  oomAdj?: number | null;
}

export interface OomVictim {
  pid: number | null;
  comm: string | null;
  uid: number | null;
  score: number | null;
  totalVmKb: number | null;
  anonRssKb: number | null;
  fileRssKb: number | null;
  shmemRssKb: number | null;
  pgtablesKb: number | null;
  oomScoreAdj: number | null;
}

export interface OomTask {
  pid: number | null;
  uid: number | null;
  tgid: number | null;
  totalVmPages: number | null;
  rssPages: number | null;
  rssAnonPages: number | null;
  rssFilePages: number | null;
  rssShmemPages: number | null;
  pgtablesBytes: number | null;
  swapEntries: number | null;
  oomScoreAdj: number | null;
  name: string | null;
  /** Optional columns of older layouts (null or absent when the kernel did not print them). */
  cpu?: number | null;
  oomAdj?: number | null;
  /** nr_ptes / nr_pmds are counts of page-table pages, not bytes (3.x/4.x kernels). */
  nrPtes?: number | null;
  nrPmds?: number | null;
}

export interface EventContainer {
  runtime: 'docker' | 'kubernetes' | 'podman' | 'lxc' | 'systemd' | 'other';
  id: string | null;
  podUid: string | null;
  qosClass: string | null;
  /** Optional: lxc container name or systemd unit, when the path names one. */
  name?: string | null;
}

/** A language runtime's own out-of-memory report (contract oom-events.md, `runtime`). */
export type RuntimeOom = OtherRuntimeOom | GoRuntimeOom;

interface RuntimeOomBase {
  message: string;
  pid: number | null;
  heapMb: number | null;
}

export interface OtherRuntimeOom extends RuntimeOomBase {
  name: 'node' | 'java' | 'python' | 'android-art';
}

/** A source line of the Go goroutine dump. */
export interface GoFrame {
  function: string;
  file: string;
  line: number;
}

/** Go prints more: where it was allocating, and how much it asked for and had. */
export interface GoRuntimeOom extends RuntimeOomBase {
  name: 'go';
  /** The first user frame of the crashing goroutine, or null when the dump is missing or all runtime. */
  frame: GoFrame | null;
  /** "cannot allocate N-byte block (M in use)": N and M, else null. */
  allocBytes: number | null;
  inUseBytes: number | null;
}

export interface ContainerState {
  name: string | null;
  pod: string | null;
  namespace: string | null;
  id: string | null;
  reason: string | null;
  oomKilled: boolean;
  exitCode: number | null;
  restartCount: number | null;
  memoryLimitBytes: number | null;
  finishedAt: string | null;
  /** Optional one-line reading, e.g. "killed by SIGKILL (possibly OOM)" for exit code 137 alone. */
  message?: string | null;
}

/** Android in-kernel lowmemorykiller details (kind "lowmemorykiller"). */
export interface LowMemoryKillerInfo {
  toFreeKb: number | null;
  cacheKb: number | null;
  limitKb: number | null;
  minOomScoreAdj: number | null;
  freeKb: number | null;
}

/**
 * A kill by a userspace OOM killer (kind "userspace-kill"): not the kernel's, so no "Killed process"
 * line exists for it. The numbers are those the killer printed; the ones a killer does not print are null.
 */
export interface UserspaceKill {
  killer: 'systemd-oomd' | 'earlyoom' | 'nohang' | 'oomd';
  /** The killer daemon's pid, from its log tag ("systemd-oomd[840]:"), or null. */
  killerPid: number | null;
  /**
   * "memory-pressure": oomd, a monitored cgroup's memory pressure above its limit for its duration;
   * "swap-used": oomd, memory and swap used above SwapUsedLimit; "low-memory": earlyoom, available
   * memory and free swap at or below its limits.
   */
  reason: 'memory-pressure' | 'swap-used' | 'low-memory';
  /** "SIGTERM" | "SIGKILL" (systemd-oomd always sends SIGKILL to the whole cgroup). */
  signal: string | null;
  /** systemd-oomd: the cgroup it killed (a unit's cgroup), and the monitored cgroup that was over its limit. */
  cgroup: string | null;
  monitoredCgroup: string | null;
  /** systemd-oomd pressure rule: PSI avg10 percent, the limit, and how long it had to hold (seconds). */
  pressurePercent: number | null;
  pressureLimitPercent: number | null;
  pressureDurationSeconds: number | null;
  /** systemd-oomd swap rule: system memory and swap, used and total, and the limit percent. */
  memoryUsedBytes: number | null;
  memoryTotalBytes: number | null;
  swapUsedBytes: number | null;
  swapTotalBytes: number | null;
  usedLimitPercent: number | null;
  /** earlyoom: its limits ("at or below SIGTERM limits: mem 10.00%, swap 10.00%"). */
  memLimitPercent: number | null;
  swapLimitPercent: number | null;
  /** earlyoom: available memory and free swap (percent of total) in its last report before the kill. */
  memAvailablePercent: number | null;
  swapFreePercent: number | null;
  /** earlyoom: the victim's badness (its oom_score, moved by --prefer/--avoid) and VmRSS. */
  badness: number | null;
  vmRssKb: number | null;
  /** earlyoom: seconds until the victim exited ("process exited after 0.3 seconds"). */
  exitedAfterSeconds: number | null;
  /** systemd's "systemd-oomd killed N process(es) in this unit."; oomd's "Killed N: pid(comm) …". */
  processesKilled: number | null;
  /** oomd (facebookincubator): the ruleset, its detector group that fired, the kill plugin, and the killed cgroup's memory.current. */
  ruleset?: string | null;
  detectorGroup?: string | null;
  plugin?: string | null;
  cgroupUsageBytes?: number | null;
  /** The kill line as printed (prefixes stripped). */
  message: string;
}

export interface OomEvent {
  kind: OomEventKind;
  scope: OomScope | null;
  time: string | null;
  timeText: string | null;
  uptimeSeconds: number | null;
  host: string | null;
  trigger: OomTrigger | null;
  constraint: string | null;
  memcg: string | null;
  taskMemcg: string | null;
  memcgUsage: { usageKb: number | null; limitKb: number | null; failcnt: number | null } | null;
  victim: OomVictim | null;
  selected: { pid: number | null; comm: string | null; score: number | null } | null;
  reaped: { pid: number | null; comm: string | null; anonRssKb: number | null; fileRssKb: number | null; shmemRssKb: number | null } | null;
  tasks: OomTask[];
  container: EventContainer | null;
  panic: string | null;
  runtime: RuntimeOom | null;
  containerState: ContainerState | null;
  lines: { first: number; last: number };
  /** Optional: lowmemorykiller record details (kind "lowmemorykiller"). */
  lowMemoryKiller?: LowMemoryKillerInfo | null;
  /** Optional: the userspace killer's facts (kind "userspace-kill"). */
  userspace?: UserspaceKill | null;
  /** Task-table rows past the cap (20,000) that were counted, not kept. */
  tasksOmitted?: number;
}

export interface OomEventsResult {
  events: OomEvent[];
  warnings: string[];
  source: { kind: string; path?: string; detail?: string };
}
