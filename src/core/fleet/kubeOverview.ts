// The Kubernetes side of the fleet, from the API objects (pods, events, nodes): containers whose
// current or last state is OOMKilled (with limits and restarts), OOMKilling (node-problem-detector)
// and SystemOOM (kubelet) events, nodes with MemoryPressure, and the cross-check: a node whose
// kernel OOM-killed while no pod on it shows OOMKilled — a child process killed inside a container.
import type { FleetPod, FleetReport, FleetSignal } from '../model/fleet';
import type { ObjectsSource, QueryOptions } from '../source/source';
import { formatBytes, plural } from '../format';
import { hiddenKillFinding } from './promOverview';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const UNITS: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  m: 1e-3,
};

/** A Kubernetes quantity ("512Mi", "1G", "129e6", "128974848") in bytes; null when it is not one. */
export function parseQuantity(q: unknown): number | null {
  if (typeof q === 'number') return q;
  const m = /^\s*([0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)\s*(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E|m)?\s*$/.exec(String(q ?? ''));
  if (!m) return null;
  const v = Number(m[1]) * (m[2] ? UNITS[m[2]] : 1);
  // Whole bytes as Kubernetes counts them (Quantity.Value() rounds up: "100m" is 1 byte), with
  // float noise ("4.03k" is 4030.0000000000005) not rounded up.
  const whole = Math.round(v);
  return Math.abs(v - whole) < 1e-6 ? whole : Math.ceil(v);
}

export interface KubeNodeState {
  name: string;
  memoryPressure: boolean;
  /** OOM events the node reported (SystemOOM, OOMKilling), in the API's retention (about 1 h by default). */
  oomEvents: { reason: string; message: string; time: string | null; count: number }[];
}

export interface KubeOverview {
  pods: FleetPod[];
  nodes: KubeNodeState[];
  findings: FleetReport['findings'];
  /** Pods by node (namespace/name), for the cross-check and the drill-down. */
  podsByNode: Map<string, string[]>;
}

export function kubeOverviewFrom(
  podsJson: unknown[],
  eventsJson: unknown[],
  nodesJson: unknown[],
  kernelKillsByNode: Map<string, number> = new Map(),
): KubeOverview {
  const pods: FleetPod[] = [];
  const podsByNode = new Map<string, string[]>();
  const oomKilledOnNode = new Set<string>();
  for (const p of podsJson.map(obj)) {
    const meta = obj(p.metadata);
    const spec = obj(p.spec);
    const ns = str(meta.namespace) ?? 'default';
    const name = str(meta.name) ?? '?';
    const node = str(spec.nodeName);
    if (node) podsByNode.set(node, [...(podsByNode.get(node) ?? []), `${ns}/${name}`]);
    const limits = new Map(arr(spec.containers).map((c) => [str(obj(c).name) ?? '', parseQuantity(obj(obj(obj(c).resources).limits).memory)]));
    for (const cs of arr(obj(p.status).containerStatuses).map(obj)) {
      const cname = str(cs.name) ?? '';
      const now = str(obj(obj(cs.state).terminated).reason);
      const last = str(obj(obj(cs.lastState).terminated).reason);
      if (now !== 'OOMKilled' && last !== 'OOMKilled') continue;
      const restarts = typeof cs.restartCount === 'number' ? cs.restartCount : null;
      const limit = limits.get(cname) ?? null;
      if (node) oomKilledOnNode.add(node);
      const signal: FleetSignal = {
        id: 'container-oom-killed',
        severity: (restarts ?? 0) >= 1 ? 'critical' : 'warning',
        value: restarts,
        text: `${now === 'OOMKilled' ? 'OOMKilled now' : 'last terminated OOMKilled'}${restarts !== null ? `, ${plural(restarts, 'restart')}` : ''}${limit !== null ? `, limit ${formatBytes(limit)}` : ', no memory limit'}`,
      };
      // For the drill-down on the node: the kernel names the pod's cgroup after its UID (kubepods…pod<uid>…), the container's after its id.
      const containerId = str(cs.containerID)?.replace(/^[a-z]+:\/\//, '') ?? null;
      pods.push({
        namespace: ns,
        pod: name,
        container: cname,
        node,
        instance: null,
        signals: [signal],
        worst: signal,
        limitBytes: limit,
        restarts,
        podUid: str(meta.uid),
        containerId,
      });
    }
  }
  const nodes = new Map<string, KubeNodeState>();
  const node = (n: string) => {
    let s = nodes.get(n);
    if (!s) nodes.set(n, (s = { name: n, memoryPressure: false, oomEvents: [] }));
    return s;
  };
  for (const n of nodesJson.map(obj)) {
    const name = str(obj(n.metadata).name);
    if (!name) continue;
    const cond = arr(obj(n.status).conditions).map(obj);
    node(name).memoryPressure = cond.some((c) => c.type === 'MemoryPressure' && c.status === 'True');
  }
  for (const e of eventsJson.map(obj)) {
    const reason = str(e.reason);
    if (reason !== 'SystemOOM' && reason !== 'OOMKilling') continue;
    const inv = obj(e.involvedObject);
    const where = (inv.kind === 'Node' ? str(inv.name) : null) ?? str(obj(e.source).host);
    if (!where) continue;
    node(where).oomEvents.push({
      reason,
      message: str(e.message) ?? '',
      time: str(e.lastTimestamp) ?? str(e.eventTime) ?? str(e.firstTimestamp),
      count: typeof e.count === 'number' ? e.count : 1,
    });
  }
  // The cross-check: the node's kernel killed (an event, or its kill counter from Prometheus) and no pod there shows it.
  const findings: FleetReport['findings'] = [];
  for (const name of new Set([...nodes.keys(), ...kernelKillsByNode.keys()])) {
    // kubelet (SystemOOM) and node-problem-detector (OOMKilling) each report the same kills: summed
    // per reporter, the larger count taken, so one kill seen by both is one.
    const byReason = new Map<string, number>();
    for (const e of nodes.get(name)?.oomEvents ?? []) byReason.set(e.reason, (byReason.get(e.reason) ?? 0) + e.count);
    const kills = Math.max(0, ...byReason.values(), kernelKillsByNode.get(name) ?? 0);
    if (kills === 0 || oomKilledOnNode.has(name)) continue;
    findings.push(hiddenKillFinding(name, null, kills, podsByNode.get(name) ?? [], victimsOf(nodes.get(name)?.oomEvents ?? [])));
  }
  return { pods, nodes: [...nodes.values()], findings, podsByNode };
}

/**
 * The victims the events name, once each: kubelet's "System OOM encountered, victim process: python3, pid: 4567"
 * and node-problem-detector's "Killed process 4567 (python3) total-vm:…" (the same kill, seen twice).
 */
export function victimsOf(events: { message: string }[]): { comm: string; pid: number | null }[] {
  const out = new Map<string, { comm: string; pid: number | null }>();
  for (const e of events) {
    const k = /victim process: ([^,]+), pid: (\d+)/.exec(e.message);
    const n = /Killed process (\d+) \(([^)]*)\)/.exec(e.message);
    const v = k ? { comm: k[1].trim(), pid: Number(k[2]) } : n ? { comm: n[2], pid: Number(n[1]) } : null;
    if (v && !out.has(`${v.pid}`)) out.set(`${v.pid}`, v);
  }
  return [...out.values()];
}

export async function kubeOverview(src: ObjectsSource, kernelKillsByNode?: Map<string, number>, opts: QueryOptions = {}): Promise<KubeOverview> {
  const [pods, events, nodes] = await Promise.all([src.list('pods', opts), src.list('events', opts), src.list('nodes', opts)]);
  return kubeOverviewFrom(pods, events, nodes, kernelKillsByNode);
}
