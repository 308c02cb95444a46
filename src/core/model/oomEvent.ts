// One OOM event: the contract of ../shared/contracts/oom-events.md. Absent facts are null.

export type OomEventKind = 'kill' | 'panic' | 'lowmemorykiller' | 'runtime' | 'container';
export type OomScope = 'system' | 'memcg' | 'cpuset' | 'mempolicy';

export interface OomTrigger {
  comm: string | null;
  pid: number | null;
  gfpMask: string | null;
  gfpFlags: string | null;
  order: number | null;
  oomScoreAdj: number | null;
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
}

export interface EventContainer {
  runtime: 'docker' | 'kubernetes' | 'podman' | 'lxc' | 'systemd' | 'other';
  id: string | null;
  podUid: string | null;
  qosClass: string | null;
}

export interface RuntimeOom {
  name: 'node' | 'java' | 'python' | 'go' | 'android-art';
  message: string;
  pid: number | null;
  heapMb: number | null;
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
}

export interface OomEventsResult {
  events: OomEvent[];
  warnings: string[];
  source: { kind: string; path?: string; detail?: string };
}
