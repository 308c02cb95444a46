// The diagnosis pipeline behind "Diagnose OOM on Host…" and `oom-lens diagnose`: step by step,
// cancellable, reporting progress. Front ends only render what this returns.
import type { Host } from './host/host';
import { CancelledError } from './errors';
import { analyzeReport } from './analyze';
import { collectSnapshot } from './collect/snapshot';
import { readKernelLog } from './collect/kernelLog';
import type { SeriesStore } from './collect/seriesStore';
import { LiveDiagnosis, type DiagnosedReport, type LiveUpdate } from './live';
import type { RawSnapshot } from './parse/snapshotFrames';
import { formatDuration } from './format';
import { parseCgroupMounts, relativeCgroupPath } from './parse/cgroupFiles';

export type { DiagnosedReport } from './live';

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
  /** Watch growth for this long (ms) after the snapshot, through the live diagnosis; 0/undefined = no sampling. */
  sampleMs?: number;
  intervalMs?: number;
  /** Sample into this store; else a new one. */
  store?: SeriesStore;
  /** Each update of the live state while sampling. */
  onLive?: (u: LiveUpdate) => void;
}

/** The usage files of the given cgroups (paths relative to their hierarchy), found in the snapshot. */
function limitedCgroupUsageFiles(raw: RawSnapshot, paths: string[]): { file: string; path: string }[] {
  const want = new Set(paths);
  const mounts = parseCgroupMounts(raw.files.get('self/mounts'));
  const out: { file: string; path: string }[] = [];
  for (const file of raw.cgroupFiles.keys()) {
    const m = /^(.*)\/memory\.(current|usage_in_bytes)$/.exec(file);
    if (!m) continue;
    const path = relativeCgroupPath(m[1], mounts);
    if (want.has(path)) out.push({ file, path });
  }
  return out.slice(0, 50);
}

/**
 * Snapshot and kernel log (two commands at once), analysed; then, when asked to sample, the live
 * diagnosis (core/live.ts) for that long, which follows the kernel log for kills meanwhile.
 */
export async function diagnose(host: Host, opts: DiagnoseOptions = {}): Promise<DiagnosedReport> {
  opts.onStep?.(`Reading memory and processes of ${host.name}…`);
  const wantLog = opts.kernelLog !== false;
  const earlyLog = wantLog ? readKernelLog(host, { signal: opts.signal, timeoutMs: opts.timeoutMs, sudo: opts.sudo }) : null;
  earlyLog?.catch(() => {
    /* awaited below */
  });
  const { report, raw } = await collectSnapshot(host, { signal: opts.signal, rollup: opts.rollup, timeoutMs: opts.timeoutMs, sudo: opts.sudo });
  const out: DiagnosedReport = report;
  out.cgroupFiles = limitedCgroupUsageFiles(
    raw,
    report.cgroups.filter((c) => c.limitKb !== null).map((c) => c.path),
  );
  if (earlyLog) {
    opts.onStep?.(`Reading the kernel log of ${host.name}…`);
    const log = await earlyLog;
    out.events = log.events;
    out.logSources = log.sources;
    out.warnings.push(...log.warnings, ...log.fixes.map((f) => `to read the kernel log: ${f}`));
  }
  opts.onStep?.('Analysing…');
  const analysed: DiagnosedReport = { ...analyzeReport(out), logSources: out.logSources, cgroupFiles: out.cgroupFiles };
  if (!opts.sampleMs || opts.sampleMs <= 0) return analysed;
  const intervalMs = opts.intervalMs ?? 1000;
  opts.onStep?.(`Watching growth on ${host.name} for ${formatDuration(opts.sampleMs)} (every ${formatDuration(intervalMs)})…`);
  const live = new LiveDiagnosis(host, analysed, {
    intervalMs,
    durationMs: opts.sampleMs,
    signal: opts.signal,
    store: opts.store,
    sudo: opts.sudo,
    followLog: wantLog,
    onUpdate: opts.onLive,
    onNotice: (level, m) => {
      if (level === 'warn') analysed.warnings.push(m);
    },
  });
  const res = await live.run();
  if (res.stoppedBy === 'signal' && live.store.length < 2) throw new CancelledError();
  return { ...live.fullReport(), logSources: analysed.logSources, cgroupFiles: analysed.cgroupFiles };
}
