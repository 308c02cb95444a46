// Many hosts at once (the fleet view): the single-host types reused, one row per host or pod
// with its worst signal, ranked. The JSON contract is docs/contracts/fleet.md.
import type { Finding, Severity } from './report';

export interface FleetSignal {
  /** The finding id the same threshold would give on one host (low-available, oom-killed…). */
  id: string;
  severity: Severity;
  value: number | null;
  text: string;
}

export interface FleetHost {
  /** As the source names it (a Prometheus instance label, an ssh_config alias). */
  instance: string;
  /** The SSH host it maps to for a drill-down, when known. */
  sshHost: string | null;
  /** The kernel's node name (node_uname_info), which Kubernetes calls the node. */
  nodename?: string | null;
  /** Set when the host could not be read (an SSH fan-out host that is down): why. */
  error?: string;
  signals: FleetSignal[];
  /** The worst of its signals (ranked by), or null when it is fine. */
  worst: FleetSignal | null;
}

/** A Kubernetes container with a memory signal (cAdvisor, kube-state-metrics, or the API). */
export interface FleetPod {
  namespace: string;
  pod: string;
  container: string;
  node: string | null;
  instance: string | null;
  signals: FleetSignal[];
  worst: FleetSignal | null;
  /** From the API: the memory limit and restarts, when known. */
  limitBytes?: number | null;
  restarts?: number | null;
  /** From the API: the pod's UID and the container's id, which name its cgroup on the node (kubepods…pod<uid>…/…<id>.scope). */
  podUid?: string | null;
  containerId?: string | null;
  /** The SSH host of its node, for "diagnose the node, find the pod's cgroup", when known. */
  nodeSshHost?: string | null;
}

export interface FleetReport {
  version: 1;
  takenAt: string;
  windowMs: number;
  /** Where each part came from, and what was not there ("no kube-state-metrics series"): absent is never zero. */
  sources: { name: string; ok: boolean; detail: string }[];
  hosts: FleetHost[];
  pods: FleetPod[];
  /** How many queries the overview asked (the same for any number of hosts). */
  queries?: number;
  /** Cross-host findings (e.g. an OOM kill inside a container that Kubernetes never showed). */
  findings: Finding[];
}
