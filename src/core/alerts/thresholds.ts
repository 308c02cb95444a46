// The numbers behind the alert rules, the earlyoom line and the systemd-oomd drop-in: the same
// thresholds our findings use (imported, never copied), generic or tuned to a diagnosed host.
import { formatKb, formatShare } from '../format';
import type { Report } from '../model/report';
import { CRITICAL_FRACTION as AVAILABLE_CRITICAL, WARN_FRACTION as AVAILABLE_WARN } from '../analyze/findings/lowAvailable';
import { SWAP_CRITICAL_FRACTION, SWAP_WARN_FRACTION } from '../analyze/findings/swapHeavy';
import { PSI_FULL_AVG60_CRITICAL, PSI_SOME_AVG60_WARN } from '../analyze/findings/memoryPressure';
import { CRITICAL_FRACTION as SLAB_CRITICAL, WARN_FRACTION as SLAB_WARN } from '../analyze/findings/slabUnreclaimable';
import { NEAR_LIMIT_FRACTION } from '../analyze/findings/containerNearLimit';
import { COMMIT_WARN_FRACTION } from '../analyze/findings/overcommitStrict';

/**
 * Major page faults per second that mean thrashing. No finding measures fault rates (a snapshot
 * has no rate), so this is the community's number (awesome-prometheus-alerts'
 * HostMemoryUnderMemoryPressure).
 */
export const MAJOR_FAULTS_PER_SECOND = 1000;
/** How far ahead the projected-exhaustion rule looks, and over how much history. */
export const EXHAUSTION_HORIZON_HOURS = 4;

/** Durations are Prometheus durations ("5m"); fractions are 0..1. */
export interface AlertThresholds {
  /** The diagnosed host the numbers are tuned to; null for the generic set. */
  host: { name: string; memTotalKb: number | null; swapTotalKb: number | null } | null;
  available: { warn: number; critical: number; warnFor: string; criticalFor: string };
  /** null: the host has no swap, so no swap rule. */
  swap: { warn: number; critical: number; warnFor: string; criticalFor: string } | null;
  oomKill: { window: string };
  /** PSI as a share of wall time (rate of the stall counters); null: the kernel has no PSI. */
  psi: { someWarn: number; fullCritical: number; window: string; for: string } | null;
  exhaustion: { window: string; horizonHours: number; for: string };
  slab: { warn: number; critical: number; for: string };
  majorFaults: { perSecond: number; window: string; for: string };
  /** cAdvisor rules; null when tuned to a host with no memory-limited cgroup. */
  container: { nearLimit: number; for: string } | null;
  /** kube-state-metrics rules; null when tuned to a host with no Kubernetes pod. */
  kubernetes: { window: string; catchUpWindow: string; nodeKillFor: string } | null;
  /** Strict overcommit (vm.overcommit_memory = 2) only: Committed_AS / CommitLimit. */
  commit: { warn: number; for: string } | null;
  /** Why the set differs from the generic one (for a comment in the file and the CLI). */
  notes: string[];
}

export function genericThresholds(): AlertThresholds {
  return {
    host: null,
    available: { warn: AVAILABLE_WARN, critical: AVAILABLE_CRITICAL, warnFor: '5m', criticalFor: '2m' },
    swap: { warn: SWAP_WARN_FRACTION, critical: SWAP_CRITICAL_FRACTION, warnFor: '10m', criticalFor: '2m' },
    oomKill: { window: '5m' },
    psi: { someWarn: PSI_SOME_AVG60_WARN / 100, fullCritical: PSI_FULL_AVG60_CRITICAL / 100, window: '1m', for: '2m' },
    exhaustion: { window: '1h', horizonHours: EXHAUSTION_HORIZON_HOURS, for: '15m' },
    slab: { warn: SLAB_WARN, critical: SLAB_CRITICAL, for: '15m' },
    majorFaults: { perSecond: MAJOR_FAULTS_PER_SECOND, window: '5m', for: '5m' },
    container: { nearLimit: NEAR_LIMIT_FRACTION, for: '5m' },
    // The kubelet restarts an OOMKilled container after a back-off of up to 5 min: the "no
    // container was OOMKilled" rule looks back further and waits that long before it fires.
    kubernetes: { window: '10m', catchUpWindow: '15m', nodeKillFor: '5m' },
    commit: null,
    notes: [],
  };
}

/**
 * The thresholds tuned to a diagnosed host: rules for what it has (swap, PSI, limited cgroups,
 * Kubernetes pods, strict overcommit) and none for what it lacks; without swap a shortage turns
 * into an OOM kill within seconds, so the critical MemAvailable rule waits less.
 */
export function thresholdsForHost(report: Report): AlertThresholds {
  const t = genericThresholds();
  const m = report.memory;
  t.host = { name: report.host.name, memTotalKb: m.totalKb, swapTotalKb: m.swapTotalKb };
  if (m.swapTotalKb === 0) {
    t.swap = null;
    t.available.criticalFor = '1m';
    t.notes.push(`${report.host.name} has no swap: no swap rules, and the critical MemAvailable rule fires after 1m instead of 2m (no cushion before a kill).`);
  } else if (m.swapTotalKb) {
    t.notes.push(
      `${report.host.name} has ${formatKb(m.swapTotalKb)} of swap: the swap rules fire above ${formatKb(m.swapTotalKb * SWAP_WARN_FRACTION)} and ${formatKb(m.swapTotalKb * SWAP_CRITICAL_FRACTION)} used.`,
    );
  }
  if (m.totalKb) {
    t.notes.push(
      `MemTotal ${formatKb(m.totalKb)}: warning below ${formatKb(m.totalKb * t.available.warn)} available (${formatShare(t.available.warn)}), critical below ${formatKb(m.totalKb * t.available.critical)} (${formatShare(t.available.critical)}).`,
    );
  }
  if (!report.pressure) {
    t.psi = null;
    t.notes.push(`${report.host.name} reports no pressure stall information (/proc/pressure/memory): no PSI rules.`);
  }
  const limited = report.cgroups.filter((c) => c.path !== '/' && c.limitKb != null);
  if (!limited.length) {
    t.container = null;
    t.notes.push('No memory-limited cgroup on this host: no cAdvisor container rule.');
  } else {
    t.notes.push(
      `${limited.length} memory-limited cgroup${limited.length === 1 ? '' : 's'} (e.g. ${limited[0].path}, limit ${formatKb(limited[0].limitKb)}): the cAdvisor rule covers them.`,
    );
  }
  if (!report.processes.some((p) => p.container?.runtime === 'kubernetes')) {
    t.kubernetes = null;
    t.notes.push('No Kubernetes pod on this host: no kube-state-metrics rules.');
  }
  if (report.settings?.overcommitMemory === 2) {
    t.commit = { warn: COMMIT_WARN_FRACTION, for: '5m' };
    t.notes.push('Strict overcommit (vm.overcommit_memory = 2): a Committed_AS / CommitLimit rule, since allocations fail there first.');
  }
  return t;
}
