// Many hosts at once (the fleet view): the single-host types reused, one row per host or pod
// with its worst signal, ranked. Minimal on purpose: the fleet issue fills it in.
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
  signals: FleetSignal[];
  /** The worst of its signals (ranked by), or null when it is fine. */
  worst: FleetSignal | null;
}

export interface FleetReport {
  version: 1;
  takenAt: string;
  windowMs: number;
  /** Where each part came from, and what was not there ("no kube-state-metrics series"): absent is never zero. */
  sources: { name: string; ok: boolean; detail: string }[];
  hosts: FleetHost[];
  /** Cross-host findings (e.g. an OOM kill inside a container that Kubernetes never showed). */
  findings: Finding[];
}
