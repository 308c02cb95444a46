// memory-pressure: PSI (/proc/pressure/memory). some avg60 > 10 or full avg10 > 5 -> warning; full
// avg60 > 10 (every task stalled 10 % of a whole minute) -> critical.
import type { Finding, Remedy } from '../../model/report';
import type { FindingContext } from './context';
import { formatShare } from '../../format';
import { addSwapFile, lookAtMemory } from './remedies';

/** PSI thresholds, in percent of the averaging window (PSI values are percentages already). */
export const PSI_SOME_AVG60_WARN = 10;
export const PSI_FULL_AVG10_WARN = 5;
export const PSI_FULL_AVG60_CRITICAL = 10;

const psi = (v: number) => formatShare(v / 100);

export function memoryPressure(ctx: FindingContext): Finding[] {
  const p = ctx.report.pressure;
  if (!p) return [];
  const warn = p.someAvg60 > PSI_SOME_AVG60_WARN || p.fullAvg10 > PSI_FULL_AVG10_WARN;
  const crit = p.fullAvg60 > PSI_FULL_AVG60_CRITICAL;
  if (!warn && !crit) return [];
  const remedies: Remedy[] = [{ title: 'Watch memory pressure', commands: ['cat /proc/pressure/memory'], changesHost: false }, lookAtMemory()];
  if (ctx.report.memory.swapTotalKb === 0) remedies.push(addSwapFile());
  return [
    {
      id: 'memory-pressure',
      severity: crit ? 'critical' : 'warning',
      title: `Tasks stall waiting for memory: some ${psi(p.someAvg60)} / full ${psi(p.fullAvg60)} of the last minute (PSI)`,
      detail: `Pressure stall information: at least one task waited on memory (reclaim, swap-in, refaults) ${psi(p.someAvg10)} of the last 10 s and ${psi(p.someAvg60)} of the last 60 s; all tasks at once ${psi(p.fullAvg10)} / ${psi(p.fullAvg60)}. The host is thrashing before any OOM kill: it is slow now, and an OOM is near if demand keeps rising.`,
      pids: [],
      evidence: { ...p, thresholds: { someAvg60: PSI_SOME_AVG60_WARN, fullAvg10: PSI_FULL_AVG10_WARN, criticalFullAvg60: PSI_FULL_AVG60_CRITICAL } },
      remedies,
    },
  ];
}
