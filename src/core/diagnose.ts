// The diagnosis pipeline behind "Diagnose OOM on Host…" and `oom-lens diagnose`: step by step,
// cancellable, reporting progress. Front ends only render what this returns.
import type { Host } from './host/host';
import type { Report } from './model/report';
import { collectSnapshot } from './collect/snapshot';

export interface DiagnoseOptions {
  signal?: AbortSignal;
  /** Called at the start of each step, with a short message for a progress UI. */
  onStep?: (message: string) => void;
  /** Read smaps_rollup (PSS/USS/swap) of every process. */
  rollup?: boolean;
  timeoutMs?: number;
}

export async function diagnose(host: Host, opts: DiagnoseOptions = {}): Promise<Report> {
  opts.onStep?.(`Reading memory and processes of ${host.name}…`);
  const { report } = await collectSnapshot(host, { signal: opts.signal, rollup: opts.rollup, timeoutMs: opts.timeoutMs });
  return report;
}
