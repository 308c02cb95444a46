import { strict as assert } from 'node:assert';
import { analyzeGrowth, analyzeSystemTrend, type GrowthDetail } from '../../src/core/analyze/growth';
import { seriesFromReports, seriesFromSamples, segmentsOf, type ProcessSeries, type SystemSeries, type Gap } from '../../src/core/analyze/series';
import { theilSen, median, medianInPlace, bucketMedians } from '../../src/core/analyze/stats';
import { analyzeReport } from '../../src/core/analyze';
import { quietReport, proc, cgroup, MiB } from '../fixtures/analyze/reports';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const MIN = 60_000;

function timeline(n: number, stepMs = MIN): number[] {
  return Array.from({ length: n }, (_, i) => T0 + i * stepMs);
}
function system(t: number[], availableKb = 4_000_000, swapFreeKb = 0): SystemSeries {
  return { t, availableKb: t.map(() => availableKb), swapFreeKb: t.map(() => swapFreeKb) };
}
function series(t: number[], f: (i: number) => Gap): Gap[] {
  return t.map((_, i) => f(i));
}
/** Deterministic noise in [-1, 1). */
function noise(seed: number): (i: number) => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s / 2147483647) * 2 - 1;
  };
}
function one(p: ProcessSeries, sys: SystemSeries, opts = {}): GrowthDetail {
  const out = analyzeGrowth([p], sys, opts);
  assert.equal(out.length, 1, JSON.stringify(out));
  return out[0];
}

describe('analyze: robust statistics', () => {
  it('Theil–Sen recovers the slope of a line and ignores spikes a least-squares fit would follow', () => {
    const x = Float64Array.from({ length: 40 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => 1000 + 5 * v);
    y[10] = 1e9;
    y[30] = -1e9;
    y[31] = 0;
    const fit = theilSen(x, y, 40);
    assert.ok(Math.abs(fit.slope - 5) < 1e-9, String(fit.slope));
    assert.ok(Math.abs(fit.intercept - 1000) < 1e-6);
  });

  it('r² is 1 on a line, 0 on a constant, in [0, 1] always', () => {
    const x = Float64Array.from({ length: 10 }, (_, i) => i);
    assert.equal(
      theilSen(
        x,
        Float64Array.from(x, (v) => 3 * v + 1),
        10,
      ).r2,
      1,
    );
    assert.equal(theilSen(x, new Float64Array(10).fill(7), 10).r2, 0);
    const n = noise(3);
    const fit = theilSen(
      x,
      Float64Array.from(x, () => n(0)),
      10,
    );
    assert.ok(fit.r2 >= 0 && fit.r2 <= 1);
  });

  it('median and quickselect agree with sorting, for odd and even lengths and duplicates', () => {
    const n = noise(11);
    for (let len = 1; len < 60; len++) {
      const vals = Array.from({ length: len }, () => Math.round(n(0) * 5));
      const s = [...vals].sort((a, b) => a - b);
      const expect = len % 2 ? s[(len - 1) / 2] : (s[len / 2 - 1] + s[len / 2]) / 2;
      assert.ok(median(vals) === expect, `len ${len}: ${vals}`); // === : -0 and 0 are the same median
      assert.ok(medianInPlace(Float64Array.from(vals), len) === expect);
    }
  });

  it('bucketing keeps short series as they are and reduces long ones to the cap', () => {
    const x = Float64Array.from({ length: 3600 }, (_, i) => i);
    const y = Float64Array.from(x, (v) => 2 * v);
    assert.equal(bucketMedians(x, y, 50, 64).n, 50);
    const b = bucketMedians(x, y, 3600, 64);
    assert.equal(b.n, 64);
    assert.ok(Math.abs(theilSen(x, y, 3600, 64).slope - 2) < 1e-9);
  });
});

describe('analyze: growth verdicts', () => {
  const t = timeline(60); // one hour, one sample a minute
  const sys = system(t);

  it('a steady leak is a leak suspect, with the slope and fit behind it', () => {
    const g = one({ pid: 10, comm: 'leaky', rssKb: series(t, (i) => 200_000 + 1500 * i) }, sys);
    assert.equal(g.verdict, 'leak-suspect');
    assert.equal(g.slopeKbPerMin, 1500);
    assert.equal(g.r2, 1);
    assert.equal(g.samples, 60);
    assert.equal(g.metric, 'rssKb');
    assert.ok(g.projectedOomAt);
  });

  it('a noisy leak (±2 % jitter, a few GC dips) is still a leak suspect', () => {
    const n = noise(5);
    const g = one({ pid: 11, comm: 'java', rssKb: series(t, (i) => (300_000 + 2000 * i) * (1 + 0.02 * n(i)) - (i % 17 === 0 ? 40_000 : 0)) }, sys);
    assert.equal(g.verdict, 'leak-suspect', g.reason);
  });

  it('allocate once, then flat: steady', () => {
    const g = one({ pid: 12, comm: 'once', rssKb: series(t, (i) => (i < 3 ? 10_000 : 900_000)) }, sys);
    assert.equal(g.verdict, 'steady', g.reason);
    assert.equal(g.projectedOomAt, null);
  });

  it('grew, then plateaued for the last third: not a leak suspect', () => {
    const g = one({ pid: 13, comm: 'warmup', rssKb: series(t, (i) => 100_000 + 3000 * Math.min(i, 35)) }, sys);
    assert.notEqual(g.verdict, 'leak-suspect', g.reason);
    assert.equal(g.verdict, 'steady');
    assert.match(g.reason, /plateau/);
    assert.ok(g.recentSlopeKbPerMin !== null && Math.abs(g.recentSlopeKbPerMin) < 1);
  });

  it('shrinking', () => {
    const g = one({ pid: 14, comm: 'shrink', rssKb: series(t, (i) => 800_000 - 5000 * i) }, sys);
    assert.equal(g.verdict, 'shrinking');
    assert.ok(g.slopeKbPerMin < 0);
    assert.equal(g.projectedOomAt, null);
  });

  it('noisy but flat (±10 %): steady', () => {
    const n = noise(7);
    const g = one({ pid: 15, comm: 'noisy', rssKb: series(t, () => 500_000 * (1 + 0.1 * n(0))) }, sys);
    assert.equal(g.verdict, 'steady', g.reason);
  });

  it('page cache: RSS grows through file pages while anonymous memory is flat -> not a leak (based on anon)', () => {
    const g = one(
      {
        pid: 16,
        comm: 'indexer',
        rssKb: series(t, (i) => 100_000 + 8000 * i),
        rssAnonKb: series(t, () => 80_000),
      },
      sys,
    );
    assert.equal(g.verdict, 'steady');
    assert.equal(g.basis, 'rssAnonKb');
    assert.equal(g.slopeKbPerMin, 8000); // the metric (RSS) is still reported as it is
    assert.match(g.reason, /page cache/);
    assert.equal(g.projectedOomAt, null);
  });

  it('anonymous growth inside a flat RSS (pages move file -> anon) is judged on anon', () => {
    const g = one(
      {
        pid: 17,
        comm: 'app',
        rssKb: series(t, (i) => 400_000 + 1000 * i),
        rssAnonKb: series(t, (i) => 100_000 + 1000 * i),
        pssKb: series(t, (i) => 380_000 + 1000 * i),
      },
      sys,
    );
    assert.equal(g.metric, 'pssKb');
    assert.equal(g.basis, 'rssAnonKb');
    assert.equal(g.verdict, 'leak-suspect');
  });

  it('a leak that is being swapped out still shows when swap is sampled (anon + swap)', () => {
    const g = one(
      {
        pid: 18,
        comm: 'swapped',
        rssKb: series(t, (i) => 300_000 + Math.min(i, 20) * 2000),
        rssAnonKb: series(t, (i) => 200_000 + Math.min(i, 20) * 2000),
        swapKb: series(t, (i) => Math.max(0, i - 20) * 2000),
      },
      sys,
    );
    assert.equal(g.basis, 'rssAnonKb+swapKb');
    assert.equal(g.verdict, 'leak-suspect', g.reason);
  });

  it('small absolute growth of a tiny process is not a leak (absolute floors)', () => {
    const g = one({ pid: 19, comm: 'tiny', rssKb: series(t, (i) => 1000 + 5 * i) }, sys); // +300 kB in an hour
    assert.equal(g.verdict, 'steady', g.reason);
  });

  it('too few samples or too short a window: growing, never a leak suspect', () => {
    const short = timeline(12, 1000); // 11 s, under the 15 s minimum
    const g = one({ pid: 20, comm: 'fast', rssKb: series(short, (i) => 100_000 + 2000 * i) }, system(short));
    assert.equal(g.verdict, 'growing');
    assert.match(g.reason, /too short/);
    const few = timeline(6);
    const g2 = one({ pid: 21, comm: 'few', rssKb: series(few, (i) => 100_000 + 20_000 * i) }, system(few));
    assert.equal(g2.verdict, 'growing');
    assert.match(g2.reason, /only 6 samples/);
  });

  it('options move the thresholds', () => {
    const short = timeline(12, 1000); // 11 s: under the default 15 s
    const p = { pid: 22, comm: 'fast', rssKb: series(short, (i) => 100_000 + 2000 * i) };
    assert.equal(one(p, system(short)).verdict, 'growing');
    assert.equal(one(p, system(short), { minDurationMs: 10_000 }).verdict, 'leak-suspect');
  });
});

describe('analyze: gaps, pid reuse, edge cases', () => {
  it('two samples: a trend but no leak verdict', () => {
    const t = timeline(2);
    const g = one({ pid: 1, comm: 'a', rssKb: [100_000, 150_000] }, system(t));
    assert.equal(g.verdict, 'growing');
    assert.equal(g.samples, 2);
    assert.equal(g.slopeKbPerMin, 50_000);
  });

  it('one sample, constant series, all-null series, empty timeline', () => {
    const t = timeline(30);
    assert.equal(one({ pid: 1, comm: 'a', rssKb: [500, ...new Array(29).fill(null)] }, system(t)).verdict, 'steady');
    const c = one({ pid: 2, comm: 'c', rssKb: t.map(() => 123_456) }, system(t));
    assert.equal(c.verdict, 'steady');
    assert.equal(c.slopeKbPerMin, 0);
    assert.equal(c.r2, 0);
    assert.deepEqual(analyzeGrowth([{ pid: 3, comm: 'z', rssKb: t.map(() => null) }], system(t)), []);
    assert.deepEqual(analyzeGrowth([{ pid: 4, comm: 'z', rssKb: [] }], system([])), []);
  });

  it('gaps (a reconnect, unreadable samples) do not break the fit: time, not index, is the x axis', () => {
    const t = [...timeline(20), ...timeline(20).map((v) => v + 60 * MIN)]; // a one-hour hole in the middle
    const rss = t.map((ti, i) => (i % 7 === 3 ? null : 100_000 + ((ti - T0) / MIN) * 1000));
    const g = one({ pid: 1, comm: 'gappy', rssKb: rss }, system(t));
    assert.equal(g.slopeKbPerMin, 1000);
    assert.equal(g.verdict, 'leak-suspect');
    assert.equal(g.samples, rss.filter((v) => v !== null).length);
  });

  it('a process that exited during the window gets no projection; one that started late is analyzed from its start', () => {
    const t = timeline(60);
    const exited = one({ pid: 5, comm: 'gone', rssKb: series(t, (i) => (i < 40 ? 100_000 + 2000 * i : null)) }, system(t));
    assert.equal(exited.running, false);
    assert.equal(exited.projectedOomAt, null);
    assert.equal(exited.verdict, 'leak-suspect');
    const late = one({ pid: 6, comm: 'late', rssKb: series(t, (i) => (i < 20 ? null : 100_000 + 2000 * (i - 20))) }, system(t));
    assert.equal(late.firstAt, new Date(t[20]).toISOString());
    assert.equal(late.running, true);
    assert.ok(late.projectedOomAt);
  });

  it('pid reuse: a comm change (or a start-time change) splits the series into two processes', () => {
    const t = timeline(60);
    const rss = series(t, (i) => (i < 30 ? 100_000 + 5000 * i : i === 30 ? null : 20_000));
    const commAt = t.map((_, i) => (i < 30 ? 'worker' : i === 30 ? null : 'bash'));
    const out = analyzeGrowth([{ pid: 77, comm: 'bash', commAt, rssKb: rss }], system(t));
    assert.equal(out.length, 2);
    const first = out.find((g) => g.segment === 0)!;
    const second = out.find((g) => g.segment === 1)!;
    assert.equal(first.comm, 'worker');
    assert.equal(first.running, false);
    assert.equal(second.comm, 'bash');
    assert.equal(second.verdict, 'steady');
    const startAt = t.map((_, i) => (i < 30 ? 1111 : 2222));
    const segs = segmentsOf({ pid: 77, comm: 'x', startAt, rssKb: t.map(() => 1) }, t.length);
    assert.deepEqual(
      segs.map((s) => [s.from, s.to]),
      [
        [0, 29],
        [30, 59],
      ],
    );
  });

  it('NaN, Infinity, out-of-order timestamps and ragged arrays are skipped, not thrown', () => {
    const t = timeline(30);
    t[10] = NaN;
    t[11] = t[5];
    const rss: Gap[] = series(t, (i) => 100_000 + 1000 * i);
    rss[3] = NaN;
    rss[4] = Infinity;
    const out = analyzeGrowth([{ pid: 1, comm: 'x', rssKb: rss.slice(0, 25), pssKb: [1, 2] }], system(t));
    assert.equal(out.length, 1);
    assert.ok(Number.isFinite(out[0].slopeKbPerMin));
  });
});

describe('analyze: projected time to OOM', () => {
  it('against MemAvailable + SwapFree at the end of the window, for a known slope', () => {
    const t = timeline(60);
    const sys: SystemSeries = { t, availableKb: t.map((_, i) => 2_000_000 - 1000 * i), swapFreeKb: t.map(() => 200_000) };
    const g = one({ pid: 1, comm: 'leak', rssKb: series(t, (i) => 500_000 + 1000 * i) }, sys);
    // headroom at the end: 2 000 000 − 59 000 + 200 000 = 2 141 000 kB at 1000 kB/min -> 2141 min after the last sample
    assert.equal(g.headroomKb.system, 2_141_000);
    assert.equal(g.projectedOomAt, new Date(t[59] + 2141 * MIN).toISOString());
    assert.equal(g.projectedBy, 'system');
  });

  it('against the cgroup limit (limit − usage) when the process has one, whichever comes first', () => {
    const t = timeline(60);
    const g = one(
      { pid: 1, comm: 'leak', cgroup: '/kubepods/pod1/c1', rssKb: series(t, (i) => 400_000 + 1000 * i), rssAnonKb: series(t, (i) => 300_000 + 2000 * i) },
      system(t, 10_000_000),
      { cgroups: [cgroup('/kubepods/pod1', 1_000_000, 940_000), cgroup('/kubepods', 50_000_000, 1_000_000)] },
    );
    // basis = anon at 2000 kB/min; nearest tight limit leaves 60 000 kB -> 30 min
    assert.equal(g.basisSlopeKbPerMin, 2000);
    assert.equal(g.headroomKb.cgroup, 60_000);
    assert.equal(g.projectedCgroupOomAt, new Date(t[59] + 30 * MIN).toISOString());
    assert.equal(g.projectedOomAt, g.projectedCgroupOomAt);
    assert.equal(g.projectedBy, 'cgroup');
    assert.equal(g.projectedSystemOomAt, new Date(t[59] + 5000 * MIN).toISOString());
  });

  it('the host trend: MemAvailable + SwapFree falling steadily is projected to zero', () => {
    const t = timeline(60);
    const tr = analyzeSystemTrend({ t, availableKb: t.map((_, i) => 1_000_000 - 5000 * i), swapFreeKb: t.map(() => 100_000) });
    assert.equal(tr.slopeKbPerMin, -5000);
    assert.equal(tr.headroomKb, 1_000_000 - 5000 * 59 + 100_000);
    assert.equal(tr.projectedOomAt, new Date(t[59] + ((1_000_000 - 5000 * 59 + 100_000) / 5000) * MIN).toISOString());
    assert.equal(analyzeSystemTrend(system(t)).projectedOomAt, null);
  });
});

describe('analyze: series from the report and from snapshots', () => {
  it('seriesFromSamples reads the contract samples block (swap used -> swap free) and analyzeReport fills growth and findings', () => {
    const r = quietReport();
    const t = timeline(60).map((v) => new Date(v).toISOString());
    r.samples = {
      intervalMs: MIN,
      t,
      system: { availableKb: t.map((_, i) => 6_000_000 - 3000 * i), swapUsedKb: t.map(() => 60 * MiB) },
      processes: { 1500: { rssKb: t.map((_, i) => 120 * MiB + 3000 * i), pssKb: t.map((_, i) => 110 * MiB + 3000 * i) } },
    };
    const s = seriesFromSamples(r.samples, r);
    assert.equal(s.system.swapFreeKb[0], 2 * 1024 * 1024 - 60 * MiB);
    assert.equal(s.processes[0].comm, 'python3');
    const out = analyzeReport(r);
    assert.equal(out.growth.length, 1);
    assert.equal(out.growth[0].verdict, 'leak-suspect');
    assert.equal(out.growth[0].metric, 'pssKb');
    assert.ok(out.findings.some((f) => f.id === 'leak-suspect' && f.pids[0] === 1500));
  });

  it('seriesFromSamples reads the extras a sampler adds: comm, anon, swap, slab, and the followed cgroup usage', () => {
    const r = { ...quietReport(), cgroups: [cgroup('/app', 1000 * MiB, 100 * MiB)] };
    const t = timeline(3).map((v) => new Date(v).toISOString());
    const s = seriesFromSamples(
      {
        intervalMs: MIN,
        t,
        system: { availableKb: [1, 2, 3], swapUsedKb: [null, 0, 0], slabUnreclaimKb: [5, 6, 7] },
        processes: { 42: { rssKb: [1, 2, 3], pssKb: [null, null, null], comm: 'worker', rssAnonKb: [1, 1, 1], swapKb: [0, 0, 0] } },
        cgroups: { '/app': [200 * MiB, 300 * MiB, null] },
      },
      r,
    );
    assert.equal(s.processes[0].comm, 'worker');
    assert.deepEqual(s.processes[0].rssAnonKb, [1, 1, 1]);
    assert.deepEqual(s.system.slabUnreclaimKb, [5, 6, 7]);
    assert.equal(s.system.swapFreeKb[0], null);
    assert.equal(s.cgroups![0].usageKb, 300 * MiB);
  });

  it('seriesFromReports aligns processes across snapshots and keeps pid reuse visible', () => {
    const base = quietReport();
    const reports = [0, 1, 2, 3].map((i) => ({
      ...base,
      takenAt: new Date(T0 + i * MIN).toISOString(),
      processes: [proc({ pid: 9, comm: i < 2 ? 'old' : 'new', rssKb: 1000 + i })],
    }));
    const s = seriesFromReports(reports);
    assert.equal(s.processes.length, 1);
    assert.deepEqual(s.processes[0].commAt, ['old', 'old', 'new', 'new']);
    const g = analyzeGrowth(s.processes, s.system);
    assert.deepEqual(g.map((x) => x.comm).sort(), ['new', 'old']);
  });
});

describe('analyze: performance', () => {
  it('500 processes × 3600 samples (rss, anon, pss) in well under a second', function () {
    this.timeout(20_000);
    const t = timeline(3600, 1000);
    const n = noise(42);
    const procs: ProcessSeries[] = Array.from({ length: 500 }, (_, p) => ({
      pid: 100 + p,
      comm: `p${p}`,
      rssKb: t.map((_, i) => 100_000 + (p % 3) * i * 10 + n(0) * 1000),
      rssAnonKb: t.map((_, i) => 50_000 + (p % 3) * i * 10 + n(0) * 500),
      pssKb: t.map((_, i) => (i % 97 === 0 ? null : 90_000 + (p % 3) * i * 10)),
    }));
    analyzeGrowth(procs.slice(0, 20), system(t)); // warm up the JIT
    // CPU time, not wall time: other test tiers or builds may share the machine's cores.
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    const out = analyzeGrowth(procs, system(t));
    const wall = performance.now() - started;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    assert.equal(out.length, 500);
    assert.ok(cpuMs < 1000, `took ${cpuMs.toFixed(0)} ms of CPU (${wall.toFixed(0)} ms wall)`);
    assert.ok(out.filter((g) => g.verdict === 'leak-suspect').length > 300);
  });
});
