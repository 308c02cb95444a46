// Ranking a fleet: the same thresholds as the single-host findings, one signal per finding id,
// hosts ordered by their worst signal (severity, then how bad the kind is, then its value).
import type { Severity } from '../model/report';
import type { FleetHost, FleetPod, FleetSignal } from '../model/fleet';
import { CRITICAL_FRACTION, WARN_FRACTION } from '../analyze/findings/lowAvailable';
import { REPEAT_KILLS } from '../analyze/findings/oomKilled';
import { CRITICAL_WITHIN_MS } from '../analyze/findings/leakSuspect';

export const THRESHOLDS = {
  /** MemAvailable / MemTotal (lowAvailable.ts). */
  availableWarn: WARN_FRACTION,
  availableCritical: CRITICAL_FRACTION,
  /** Swap used share (swapHeavy.ts). */
  swapWarn: 0.5,
  swapCritical: 0.9,
  /** PSI, % of time (memoryPressure.ts): some > 10 warning, full > 10 critical. */
  psiSomeWarn: 10,
  psiFullCritical: 10,
  /** OOM kills in the window (oomKilled.ts): one is a warning, REPEAT_KILLS critical. */
  killsCritical: REPEAT_KILLS,
  /** Projected exhaustion (leakSuspect.ts): within this many ms is critical. */
  exhaustCriticalMs: CRITICAL_WITHIN_MS,
  /** Container working set / limit (containerNearLimit.ts). */
  containerWarn: 0.9,
} as const;

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };
/** Among equal severities, a kill outranks pressure, which outranks a low reading. */
const KIND_RANK: Record<string, number> = {
  'oom-killed': 9,
  'hidden-oom-kill': 9,
  'container-oom-killed': 8,
  'memory-pressure': 7,
  'low-available': 6,
  'projected-exhaustion': 5,
  'swap-heavy': 4,
  'container-near-limit': 3,
};

/** Larger is worse, within one kind (a smaller available share, a sooner exhaustion, is worse). */
function badness(s: FleetSignal): number {
  const v = s.value ?? 0;
  if (s.id === 'low-available') return 1 - v;
  if (s.id === 'projected-exhaustion') return -v;
  return v;
}

export function compareSignals(a: FleetSignal, b: FleetSignal): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    (KIND_RANK[b.id] ?? 0) - (KIND_RANK[a.id] ?? 0) ||
    badness(b) - badness(a) ||
    a.id.localeCompare(b.id)
  );
}

/** Signals worst first, and the worst one. */
export function withWorst<T extends { signals: FleetSignal[]; worst: FleetSignal | null }>(row: T): T {
  row.signals.sort(compareSignals);
  row.worst = row.signals[0] ?? null;
  return row;
}

/** Hosts (or pods) worst first; fine ones last, by name. */
export function rankRows<T extends FleetHost | FleetPod>(rows: T[], name: (r: T) => string): T[] {
  return rows.sort((a, b) => {
    if (a.worst && b.worst) return compareSignals(a.worst, b.worst) || b.signals.length - a.signals.length || name(a).localeCompare(name(b));
    if (a.worst || b.worst) return a.worst ? -1 : 1;
    return name(a).localeCompare(name(b));
  });
}

export const severityOf = {
  available: (f: number): Severity | null => (f < THRESHOLDS.availableCritical ? 'critical' : f < THRESHOLDS.availableWarn ? 'warning' : null),
  swap: (f: number): Severity | null => (f > THRESHOLDS.swapCritical ? 'critical' : f > THRESHOLDS.swapWarn ? 'warning' : null),
  kills: (n: number): Severity | null => (n >= THRESHOLDS.killsCritical ? 'critical' : n >= 1 ? 'warning' : null),
  psi: (somePct: number, fullPct: number): Severity | null =>
    fullPct > THRESHOLDS.psiFullCritical ? 'critical' : somePct > THRESHOLDS.psiSomeWarn ? 'warning' : null,
  exhaustion: (ms: number): Severity | null => (ms <= THRESHOLDS.exhaustCriticalMs ? 'critical' : null),
  container: (f: number): Severity | null => (f >= 1 ? 'critical' : f >= THRESHOLDS.containerWarn ? 'warning' : null),
};
