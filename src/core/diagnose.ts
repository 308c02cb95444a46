// The diagnosis pipeline behind "Diagnose OOM on Host…" and `oom-lens diagnose`: step by step,
// cancellable, reporting progress. Front ends only render what this returns.
import type { Host } from './host/host';
import type { Report } from './model/report';
import { collectSnapshot } from './collect/snapshot';
import { readKernelLog, LogSourceReport } from './collect/kernelLog';

export interface DiagnoseOptions {
  signal?: AbortSignal;
  /** Called at the start of each step, with a short message for a progress UI. */
  onStep?: (message: string) => void;
  /** Read smaps_rollup (PSS/USS/swap) of every process. */
  rollup?: boolean;
  timeoutMs?: number;
  /** Read the kernel log for OOM events (default true). */
  kernelLog?: boolean;
}

/** The report plus what the kernel-log step found out about its sources. */
export interface DiagnosedReport extends Report {
  logSources?: LogSourceReport[];
}

export async function diagnose(host: Host, opts: DiagnoseOptions = {}): Promise<DiagnosedReport> {
  opts.onStep?.(`Reading memory and processes of ${host.name}…`);
  // The kernel log is its own command: start it alongside the snapshot, not after it.
  const logPromise = opts.kernelLog === false ? null : readKernelLog(host, { signal: opts.signal, timeoutMs: opts.timeoutMs });
  logPromise?.catch(() => { /* awaited below */ });
  const { report } = await collectSnapshot(host, { signal: opts.signal, rollup: opts.rollup, timeoutMs: opts.timeoutMs });
  const out: DiagnosedReport = report;
  if (logPromise) {
    opts.onStep?.(`Reading the kernel log of ${host.name}…`);
    const log = await logPromise;
    out.events = log.events;
    out.logSources = log.sources;
    out.warnings.push(...log.warnings, ...log.fixes.map((f) => `to read the kernel log: ${f}`));
  }
  return out;
}
