// One fleet host over a window (the drill-down of the fleet view), as core/fleet/hostSeries builds it
// from Prometheus and the panel's timeline draws it: one time axis, kB and % of time, kill markers.

export interface HostKill {
  timeMs: number;
  /** How many kills the counter rose by in that step. */
  count: number;
}

export interface HostSeries {
  version: 1;
  instance: string;
  startMs: number;
  endMs: number;
  stepSeconds: number;
  /** Epoch ms per point, ascending; every series below has one value (or null) per point. */
  t: number[];
  memTotalKb: number | null;
  usedKb: (number | null)[];
  availableKb: (number | null)[];
  swapUsedKb: (number | null)[];
  psiSomePct: (number | null)[];
  psiFullPct: (number | null)[];
  kills: HostKill[];
  /** Series Prometheus had nothing for ("PSI", "swap"…): absent, never drawn as zero. */
  absent: string[];
}
