// memory-pressure: PSI (/proc/pressure/memory). some avg60 > 10 or full avg10 > 5 -> warning; full
// avg60 > 10 (every task stalled 10 % of a whole minute) -> critical.
import type { Finding, Remedy } from '../../model/report';
import type { FindingContext } from './context';
import { addSwapFile, lookAtMemory } from './remedies';

export function memoryPressure(ctx: FindingContext): Finding[] {
  const p = ctx.report.pressure;
  if (!p) return [];
  const warn = p.someAvg60 > 10 || p.fullAvg10 > 5;
  const crit = p.fullAvg60 > 10;
  if (!warn && !crit) return [];
  const remedies: Remedy[] = [{ title: 'Watch memory pressure', commands: ['cat /proc/pressure/memory'], changesHost: false }, lookAtMemory()];
  if (ctx.report.memory.swapTotalKb === 0) remedies.push(addSwapFile());
  return [{
    id: 'memory-pressure',
    severity: crit ? 'critical' : 'warning',
    title: `Tasks stall waiting for memory: some ${p.someAvg60.toFixed(1)}% / full ${p.fullAvg60.toFixed(1)}% of the last minute (PSI)`,
    detail: `Pressure stall information: at least one task waited on memory (reclaim, swap-in, refaults) ${p.someAvg10.toFixed(1)}% of the last 10 s and ${p.someAvg60.toFixed(1)}% of the last 60 s; all tasks at once ${p.fullAvg10.toFixed(1)}% / ${p.fullAvg60.toFixed(1)}%. The host is thrashing before any OOM kill: it is slow now, and an OOM is near if demand keeps rising.`,
    pids: [],
    evidence: { ...p, thresholds: { someAvg60: 10, fullAvg10: 5, criticalFullAvg60: 10 } },
    remedies,
  }];
}
