import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { analyzeGrowth } from '../../src/core/analyze/growth';
import type { Gap, ProcessSeries, SystemSeries } from '../../src/core/analyze/series';

const VERDICTS = new Set(['leak-suspect', 'growing', 'steady', 'shrinking']);
const T0 = Date.parse('2026-11-25T10:00:00.000Z');

/** A series shape: base + slope·i, an optional plateau, noise, spikes, gaps. */
const shape = fc.record({
  n: fc.integer({ min: 0, max: 200 }),
  stepMs: fc.integer({ min: 1, max: 600_000 }),
  base: fc.double({ min: 0, max: 1e8, noNaN: true }),
  slope: fc.double({ min: -1e5, max: 1e5, noNaN: true }),
  plateauAt: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
  noise: fc.double({ min: 0, max: 0.5, noNaN: true }),
  gapEvery: fc.option(fc.integer({ min: 2, max: 20 }), { nil: null }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  withAnon: fc.boolean(),
});

/** Sizes a kernel prints (≥ 1 kB or 0): 1e-165 kB squared underflows, which is floating point, not the analysis. */
const kernelSized = shape.map((s) => ({ ...s, base: s.base < 1 ? 0 : s.base, slope: Math.abs(s.slope) < 1e-3 ? 0 : s.slope }));

type Shape = {
  n: number;
  stepMs: number;
  base: number;
  slope: number;
  plateauAt: number | null;
  noise: number;
  gapEvery: number | null;
  seed: number;
  withAnon: boolean;
};

function build(s: Shape, scale = 1): { p: ProcessSeries; sys: SystemSeries } {
  let r = s.seed;
  const rnd = () => {
    r = (r * 16807) % 2147483647;
    return (r / 2147483647) * 2 - 1;
  };
  const t = Array.from({ length: s.n }, (_, i) => T0 + i * s.stepMs);
  const stop = s.plateauAt === null ? Infinity : Math.floor(s.plateauAt * s.n);
  const val = (i: number): Gap => {
    if (s.gapEvery !== null && i % s.gapEvery === 0) return null;
    const v = Math.max(0, s.base + s.slope * Math.min(i, stop)) * (1 + s.noise * rnd());
    return v * scale;
  };
  const rss = t.map((_, i) => val(i));
  const anon = s.withAnon ? rss.map((v) => (v === null ? null : v / 2)) : undefined;
  return { p: { pid: 1, comm: 'x', rssKb: rss, rssAnonKb: anon }, sys: { t, availableKb: t.map(() => 1e6 * scale), swapFreeKb: t.map(() => 0) } };
}

describe('analyze: growth properties (fast-check)', () => {
  it('never throws, and every verdict is one of the four, whatever the series', () => {
    const gap = fc.oneof(fc.constant(null), fc.double(), fc.integer(), fc.constant(NaN), fc.constant(Infinity));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.double(), fc.constant(NaN), fc.integer({ min: T0, max: T0 + 1e9 })), { maxLength: 60 }),
        fc.array(
          fc.record({
            pid: fc.integer(),
            comm: fc.string(),
            rssKb: fc.array(gap, { maxLength: 70 }),
            rssAnonKb: fc.option(fc.array(gap, { maxLength: 70 }), { nil: undefined }),
            pssKb: fc.option(fc.array(gap, { maxLength: 70 }), { nil: undefined }),
            commAt: fc.option(fc.array(fc.option(fc.constantFrom('a', 'b'), { nil: null }), { maxLength: 70 }), { nil: undefined }),
          }),
          { maxLength: 5 },
        ),
        (t, procs) => {
          const out = analyzeGrowth(procs, { t, availableKb: t.map(() => 1000), swapFreeKb: t.map(() => null) });
          for (const g of out) {
            assert.ok(VERDICTS.has(g.verdict));
            assert.ok(Number.isFinite(g.slopeKbPerMin) && Number.isFinite(g.r2) && g.r2 >= 0 && g.r2 <= 1);
            assert.ok(g.projectedOomAt === null || !Number.isNaN(Date.parse(g.projectedOomAt)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on shaped series (plateaus, noise, gaps), and verdicts stay in the set', () => {
    fc.assert(
      fc.property(shape, (s) => {
        const { p, sys } = build(s);
        for (const g of analyzeGrowth([p], sys)) assert.ok(VERDICTS.has(g.verdict));
      }),
      { numRuns: 300 },
    );
  });

  it('scaling a series by a constant does not change its verdict (relative thresholds; absolute floors off)', () => {
    // Powers of two scale every difference, slope and sum of squares exactly in floating point, so
    // the comparison is exact; the absolute floors (kB, kB/min) are the only non-relative thresholds.
    const noFloors = { minChangeKb: 0, minSlopeKbPerMin: 0 };
    fc.assert(
      fc.property(kernelSized, fc.integer({ min: -6, max: 12 }), (s, k) => {
        const a = build(s);
        const b = build(s, 2 ** k);
        const va = analyzeGrowth([a.p], a.sys, noFloors).map((g) => g.verdict);
        const vb = analyzeGrowth([b.p], b.sys, noFloors).map((g) => g.verdict);
        assert.deepEqual(vb, va);
      }),
      { numRuns: 400 },
    );
  });

  it('… and for arbitrary constants too (0.001 to 1000), for sizes a kernel prints (no subnormal doubles)', () => {
    const noFloors = { minChangeKb: 0, minSlopeKbPerMin: 0 };
    fc.assert(
      fc.property(kernelSized, fc.double({ min: 0.001, max: 1000, noNaN: true }), (s, c) => {
        const a = build(s);
        const b = build(s, c);
        assert.deepEqual(
          analyzeGrowth([b.p], b.sys, noFloors).map((g) => g.verdict),
          analyzeGrowth([a.p], a.sys, noFloors).map((g) => g.verdict),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('with the default floors, scaling up never turns a leak suspect into something else', () => {
    fc.assert(
      fc.property(shape, fc.integer({ min: 1, max: 10 }), (s, k) => {
        const a = build(s);
        const b = build(s, 2 ** k);
        const va = analyzeGrowth([a.p], a.sys).map((g) => g.verdict);
        const vb = analyzeGrowth([b.p], b.sys).map((g) => g.verdict);
        va.forEach((v, i) => {
          if (v === 'leak-suspect') assert.equal(vb[i], 'leak-suspect');
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a clean linear rise of ≥ 10 % (≥ 3 MiB) over an hour with enough samples is always a leak suspect, a clean fall always shrinking', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 400 }),
        fc.double({ min: 30_000, max: 1e7, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        (n, base, relPerHour) => {
          const step = 3_600_000 / (n - 1);
          const t = Array.from({ length: n }, (_, i) => T0 + i * step);
          const perMin = (base * relPerHour) / 60;
          const up = analyzeGrowth([{ pid: 1, comm: 'x', rssKb: t.map((ti) => base + ((ti - T0) / 60_000) * perMin) }], {
            t,
            availableKb: t.map(() => 1e9),
            swapFreeKb: t.map(() => 0),
          });
          assert.equal(up[0].verdict, 'leak-suspect', up[0].reason);
          const down = analyzeGrowth([{ pid: 1, comm: 'x', rssKb: t.map((ti) => base * (1 + relPerHour) - ((ti - T0) / 60_000) * perMin) }], {
            t,
            availableKb: t.map(() => 1e9),
            swapFreeKb: t.map(() => 0),
          });
          assert.equal(down[0].verdict, 'shrinking', down[0].reason);
        },
      ),
      { numRuns: 200 },
    );
  });
});
