// The diagnosis pipeline behind "Diagnose OOM on Host…" and `oom-lens diagnose`: step by step,
// cancellable, reporting progress. Front ends only render what this returns.
import type { Host } from './host/host';
import { CancelledError } from './errors';
import type { Report } from './model/report';
import { analyzeReport } from './analyze';
import { collectSnapshot } from './collect/snapshot';
import { readKernelLog, LogSourceReport } from './collect/kernelLog';
import { runSampler } from './collect/sampler';
import { SeriesStore } from './collect/seriesStore';
import type { RawSnapshot } from './parse/snapshotFrames';
import { formatDuration } from './util/duration';
import { parseCgroupMounts, relativeCgroupPath } from './parse/cgroupFiles';

export interface DiagnoseOptions {
  signal?: AbortSignal;
  /** Called at the start of each step, with a short message for a progress UI. */
  onStep?: (message: string) => void;
  /** Read smaps_rollup (PSS/USS/swap) of every process. */
  rollup?: boolean;
  timeoutMs?: number;
  /** Use `sudo -n` for the kernel log and the snapshot (other users' smaps). */
  sudo?: boolean;
  /** Read the kernel log for OOM events (default true). */
  kernelLog?: boolean;
  /** Watch growth for this long (ms) after the snapshot; 0/undefined = no sampling. */
  sampleMs?: number;
  intervalMs?: number;
  /** Sample into this store (the extension keeps one per host and persists it); else a new one. */
  store?: SeriesStore;
  /** Each sampled frame, for a live view. */
  onSample?: (store: SeriesStore) => void;
}

/** The usage files of the given cgroups (paths relative to their hierarchy), found in the snapshot. */
function limitedCgroupUsageFiles(raw: RawSnapshot, paths: string[]): string[] {
  const want = new Set(paths);
  const mounts = parseCgroupMounts(raw.files.get('self/mounts'));
  const out: string[] = [];
  for (const file of raw.cgroupFiles.keys()) {
    const m = /^(.*)\/memory\.(current|usage_in_bytes)$/.exec(file);
    if (!m) continue;
    if (want.has(relativeCgroupPath(m[1], mounts))) out.push(file);
  }
  return out.slice(0, 50);
}

/** The report plus what the kernel-log step found out about its sources. */
export interface DiagnosedReport extends Report {
  logSources?: LogSourceReport[];
}

export async function diagnose(host: Host, opts: DiagnoseOptions = {}): Promise<DiagnosedReport> {
  opts.onStep?.(`Reading memory and processes of ${host.name}…`);
  // The kernel log is its own command: start it alongside the snapshot, not after it. When sampling,
  // read it after the sampling instead, so kills that happen while we watch are in the report.
  const sampling = !!opts.sampleMs && opts.sampleMs > 0;
  const readLog = () => readKernelLog(host, { signal: opts.signal, timeoutMs: opts.timeoutMs, sudo: opts.sudo });
  const wantLog = opts.kernelLog !== false;
  const earlyLog = wantLog && !sampling ? readLog() : null;
  earlyLog?.catch(() => { /* awaited below */ });
  const { report, raw } = await collectSnapshot(host, { signal: opts.signal, rollup: opts.rollup, timeoutMs: opts.timeoutMs, sudo: opts.sudo });
  const out: DiagnosedReport = report;
  if (sampling) {
    const intervalMs = opts.intervalMs ?? 1000;
    const store = opts.store ?? new SeriesStore();
    opts.onStep?.(`Watching growth on ${host.name} for ${formatDuration(opts.sampleMs!)} (every ${formatDuration(intervalMs)})…`);
    const res = await runSampler(host, store, {
      intervalMs,
      durationMs: opts.sampleMs!,
      signal: opts.signal,
      cgroupFiles: limitedCgroupUsageFiles(raw, report.cgroups.filter((c) => c.limitKb !== null).map((c) => c.path)),
      bootTimeMs: report.host.bootTime ? Date.parse(report.host.bootTime) : undefined,
      onFrame: () => opts.onSample?.(store),
      onGap: (reason, retry) => out.warnings.push(`sampling interrupted (${reason}); retried after ${formatDuration(retry)}`),
    });
    if (res.stoppedBy === 'signal' && store.length < 2) throw new CancelledError();
    out.samples = store.toSamples();
    // Name followed cgroups by their path (as in report.cgroups), not by their control file.
    const mounts = parseCgroupMounts(raw.files.get('self/mounts'));
    out.samples.cgroups = Object.fromEntries(Object.entries(out.samples.cgroups ?? {})
      .map(([file, v]) => [relativeCgroupPath(file.replace(/\/memory\.(current|usage_in_bytes)$/, ''), mounts), v]));
  }
  if (wantLog) {
    opts.onStep?.(`Reading the kernel log of ${host.name}…`);
    const log = await (earlyLog ?? readLog());
    out.events = log.events;
    out.logSources = log.sources;
    out.warnings.push(...log.warnings, ...log.fixes.map((f) => `to read the kernel log: ${f}`));
  }
  opts.onStep?.('Analysing…');
  return { ...analyzeReport(out), logSources: out.logSources };
}
