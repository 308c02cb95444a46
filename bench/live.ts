// bench/live: the live diagnosis's update cost per sample at ~500 processes, against the way the
// extension did it before (the whole report re-analysed from a copy of every series), in the same
// run; and the memory of a simulated 24 h session at 1 s (the extension host's share: the store,
// the live state, the growth tracker, the findings).
// Run: npx tsx --expose-gc bench/live.ts   (BENCH_LIVE_HOURS=24 by default; fewer for a quick look)
import { LiveDiagnosis, type DiagnosedReport } from '../src/core/live';
import { newFrame, procSample, type Frame } from '../src/core/parse/sampleFrames';
import { analyzeReport } from '../src/core/analyze';
import type { Host } from '../src/core/host/host';
import { quietReport } from '../test/fixtures/analyze/reports';

const PROCS = 500;
const HOURS = Number(process.env.BENCH_LIVE_HOURS ?? 24);
const noHost: Host = {
  name: 'bench',
  via: 'local',
  exec: async () => ({ stdout: '', stderr: '', code: 0, signal: null, timedOut: false }),
  close: async () => {},
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  return process.memoryUsage().heapUsed / 1048576;
};

/** ~500 processes: most steady, 3 leaking, 1 plateauing, a short-lived job every 30 s. */
function frame(i: number): Frame {
  const f = newFrame(i, 1000 + i);
  f.mem = { MemTotal: 24_000_000, MemAvailable: 20_000_000 - i * 2, MemFree: 10_000_000, SwapTotal: 0, SwapFree: 0, Cached: 3_000_000 };
  f.psiSomeAvg10 = 0;
  for (let p = 1; p <= PROCS - 5; p++) {
    f.procs.set(
      p,
      procSample(p, `p${p}`, {
        rssKb: 2000 + p + (i % 7),
        rssAnonKb: 1500 + p + (i % 5),
        rssFileKb: 500,
        rssShmemKb: 0,
        swapKb: 0,
        start: 100 + p,
        pssKb: i % 10 === 0 ? 1800 : null,
      }),
    );
  }
  for (let k = 0; k < 3; k++) {
    const pid = 9000 + k;
    const kb = 50_000 + (i % 20_000) * (k + 1) * 20;
    f.procs.set(pid, procSample(pid, `leak${k}`, { rssKb: kb, rssAnonKb: kb - 1000, rssFileKb: 1000, rssShmemKb: 0, swapKb: 0, start: 500 + k }));
  }
  const flat = 30_000 + Math.min(i, 600) * 100;
  f.procs.set(9100, procSample(9100, 'plateau', { rssKb: flat, rssAnonKb: flat, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, start: 600 }));
  const job = 100_000 + Math.floor(i / 30);
  f.procs.set(job, procSample(job, 'cron-job', { rssKb: 8000, rssAnonKb: 7000, rssFileKb: 1000, rssShmemKb: 0, swapKb: 0, start: 1000 + i - (i % 30) }));
  return f;
}

function base(): DiagnosedReport {
  const r = quietReport();
  return { ...r, host: { ...r.host, bootTime: new Date(0).toISOString() }, takenAt: new Date(1000_000).toISOString(), cgroupFiles: [] };
}

const t = (i: number) => (1000 + i) * 1000;

// 1. Cost per sample, steady state (after 10 min of samples), vs the old full re-analysis.
const live = new LiveDiagnosis(noHost, base(), { intervalMs: 1000, followLog: false });
for (let i = 0; i < 600; i++) live.ingest(frame(i), t(i));
const costs: number[] = [];
const fits: number[] = [];
for (let i = 600; i < 900; i++) {
  const s = performance.now();
  live.ingest(frame(i), t(i));
  costs.push(performance.now() - s);
  fits.push((live as unknown as { growth: { lastFits: number } }).growth.lastFits);
}
const old: number[] = [];
for (let k = 0; k < 15; k++) {
  const s = performance.now();
  // What the extension did every 2 s: copy every series out of the store and re-analyse it all.
  analyzeReport({ ...live.report, samples: live.store.toSamples(), growth: [], findings: [] });
  old.push(performance.now() - s);
}
const perSample = median(costs);
const p95 = [...costs].sort((a, b) => a - b)[Math.floor(costs.length * 0.95)];
console.log(
  `live update per sample at ${live.report.processes.length} processes: median ${perSample.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, ${median(fits)} growth fits per sample (of ${live.report.processes.length})`,
);
console.log(
  `old full re-analysis (every 2 s before): median ${median(old).toFixed(1)} ms; per sample at 1 s the live update costs ${(perSample / (median(old) / 2)).toFixed(2)}× the old share (${((perSample / 1000) * 100).toFixed(2)} % of a core at 1 s)`,
);
const r = live.report;
console.log(
  `state after 15 min: ${r.growth.filter((g) => g.verdict === 'leak-suspect').length} leak suspects, findings ${r.findings.map((f) => f.id).join(', ')}`,
);

// 2. Memory over a simulated day at 1 s.
const day = new LiveDiagnosis(noHost, base(), { intervalMs: 1000, followLog: false });
const frames = HOURS * 3600;
const marks: string[] = [];
const h0 = heapMb();
const s0 = performance.now();
for (let i = 0; i < frames; i++) {
  day.ingest(frame(i), t(i));
  if ((i + 1) % (3 * 3600) === 0) marks.push(`${(i + 1) / 3600} h: ${heapMb().toFixed(1)} MB`);
}
console.log(
  `simulated ${HOURS} h at 1 s (${frames} samples in ${((performance.now() - s0) / 1000).toFixed(0)} s): heap before ${h0.toFixed(1)} MB; ${marks.join(', ')}`,
);
console.log(`  kept: ${day.store.length} points, ${day.store.procs.size} series, ${day.report.exited?.length ?? 0} exited processes listed`);
