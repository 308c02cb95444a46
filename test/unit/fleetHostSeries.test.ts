// The fleet drill-down (core/fleet/hostSeries): the range queries it asks for one instance, how
// the answers land on the timeline's axis, and the timeline model the panel draws from them. Prometheus here is a fake MetricsSource that
// answers each PromQL from a table of series (FakeMetrics).
import { strict as assert } from 'node:assert';
import type { MetricsSource, Sample, SeriesPoints } from '../../src/core/source/source';
import { hostSeries, killsFromCounter, promString, stepFor, type HostSeries } from '../../src/core/fleet/hostSeries';
import { hostTimelineModel } from '../../webview/timeline/hostModel';

type Asked = { promql: string; start: number; end: number; step: number };

/** A fake MetricsSource: range queries answered by the first metric name found in the PromQL. */
class FakeMetrics implements MetricsSource {
  readonly name = 'fake metrics';
  asked: Asked[] = [];
  constructor(private readonly series: Record<string, (tMs: number) => number | null>) {}
  async query(): Promise<Sample[]> {
    throw new Error('the drill-down asks only range queries');
  }
  async queryRange(promql: string, start: number, end: number, step: number): Promise<SeriesPoints[]> {
    this.asked.push({ promql, start, end, step });
    const name = Object.keys(this.series).find((n) => promql.includes(n));
    if (!name) return [];
    const points: [number, number][] = [];
    for (let t = start; t <= end; t += step * 1000) {
      const v = this.series[name](t);
      if (v !== null) points.push([t, v]);
    }
    return [{ labels: {}, points }];
  }
  async close(): Promise<void> {}
}

const GiB = 2 ** 30;
const END = Date.parse('2026-11-30T00:00:00Z');
const DAY = 24 * 3600_000;

describe('fleet drill-down: hostSeries over a fake MetricsSource (FakeMetrics)', () => {
  it('escapes the instance as a PromQL string literal', () => {
    assert.equal(promString('node-1:9100'), '"node-1:9100"');
    assert.equal(promString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  });

  it('keeps a day under ~300 points (5 min steps), short windows at 15 s or more', () => {
    assert.equal(stepFor(DAY), 300);
    assert.ok(DAY / 1000 / stepFor(DAY) + 1 <= 300);
    assert.equal(stepFor(10 * 60_000), 15);
    assert.equal(stepFor(2 * 3600_000), 25);
    assert.equal(stepFor(7 * DAY), 2040);
  });

  it('counts kills where the counter rose, not at a reset (a reboot)', () => {
    assert.deepEqual(
      killsFromCounter([
        [1, 3],
        [2, 3],
        [3, 5],
        [4, 0],
        [5, 0],
        [6, 1],
      ]),
      [
        { timeMs: 3, count: 2 },
        { timeMs: 6, count: 1 },
      ],
    );
  });

  it('asks six range queries for that instance only, and maps them to kB, % and kill markers on one axis', async () => {
    const killsAt = [END - 200 * 300_000, END - 50 * 300_000];
    const fake = new FakeMetrics({
      node_memory_MemTotal_bytes: () => 16 * GiB,
      node_memory_MemAvailable_bytes: (t) => (t === END - 60 * 300_000 ? 0.05 : 0.5) * 16 * GiB,
      node_memory_SwapTotal_bytes: () => GiB / 4,
      node_pressure_memory_waiting_seconds_total: () => 0.2,
      node_pressure_memory_stalled_seconds_total: () => 0.1,
      node_vmstat_oom_kill: (t) => 3 + (t >= killsAt[0] ? 2 : 0) + (t >= killsAt[1] ? 3 : 0),
    });
    const hs = await hostSeries(fake, { instance: 'node-013:9100', startMs: END - DAY, endMs: END });
    assert.equal(fake.asked.length, 6);
    for (const a of fake.asked) assert.match(a.promql, /\{instance="node-013:9100"\}/, a.promql);
    assert.equal(hs.stepSeconds, 300);
    assert.equal(hs.t.length, 289);
    assert.equal(hs.t[0], END - DAY);
    assert.equal(hs.t[hs.t.length - 1], END);
    assert.equal(hs.memTotalKb, 16 * 1024 * 1024);
    const low = hs.t.indexOf(END - 60 * 300_000);
    assert.equal(hs.availableKb[low], 0.05 * 16 * 1024 * 1024);
    assert.equal(hs.usedKb[low], 0.95 * 16 * 1024 * 1024);
    // The fake's swap query matches SwapTotal first: a quarter GiB "used" on every point.
    assert.equal(hs.swapUsedKb[0], 256 * 1024);
    assert.equal(hs.psiSomePct[0], 0.2);
    assert.equal(hs.psiFullPct[0], 0.1);
    assert.deepEqual(hs.kills, [
      { timeMs: killsAt[0], count: 2 },
      { timeMs: killsAt[1], count: 3 },
    ]);
    assert.deepEqual(hs.absent, []);
  });

  it('says which series were absent (no PSI, no swap) and draws them as gaps, not zeros', async () => {
    const fake = new FakeMetrics({ node_memory_MemTotal_bytes: () => GiB, node_memory_MemAvailable_bytes: () => GiB / 2 });
    const hs = await hostSeries(fake, { instance: 'x', startMs: END - 3600_000, endMs: END });
    assert.deepEqual(hs.absent, ['swap', 'PSI', 'OOM kill counter']);
    assert.ok(hs.psiSomePct.every((v) => v === null));
    assert.ok(hs.swapUsedKb.every((v) => v === null));
    assert.deepEqual(hs.kills, []);
  });

  it('counts a kill on the window’s first point (the counter is read one step earlier)', async () => {
    const start = END - 3600_000;
    const fake = new FakeMetrics({ node_vmstat_oom_kill: (t) => (t >= start ? 1 : 0) });
    const hs = await hostSeries(fake, { instance: 'x', startMs: start, endMs: END });
    assert.deepEqual(hs.kills, [{ timeMs: start, count: 1 }]);
  });
});

describe('fleet drill-down in the panel: hostTimelineModel', () => {
  it('draws the series the host has, PSI on its own axis, and a kill marker per counter rise', () => {
    const n = [1, 2, 3];
    const hs: HostSeries = {
      version: 1,
      instance: 'node-013:9100',
      startMs: END - 2 * 300_000,
      endMs: END,
      stepSeconds: 300,
      t: [END - 600_000, END - 300_000, END],
      memTotalKb: 10,
      usedKb: n,
      availableKb: n,
      swapUsedKb: [0, 0, 0],
      psiSomePct: [null, 5, 6],
      psiFullPct: [null, null, null],
      kills: [{ timeMs: END - 300_000, count: 3 }],
      absent: ['PSI full'],
    };
    const m = hostTimelineModel(hs);
    assert.deepEqual(
      m.series.map((s) => [s.id, s.group]),
      [
        ['sys.used', 'system'],
        ['sys.available', 'system'],
        ['psi.some', 'psi'],
      ],
      'no swap line when none is used, no PSI full line when it is absent',
    );
    assert.ok(Number.isNaN(m.series[2].y[0]), 'an unknown point is a gap');
    assert.deepEqual(
      m.kills.map((k) => [k.x, k.label, k.where]),
      [[END - 300_000, '3 OOM kills', 'node-013:9100']],
    );
    assert.ok(m.range[0] < hs.startMs && m.range[1] > hs.endMs);
    assert.equal(m.initialView, m.range, 'the whole window at first (not zoomed)');
  });
});
