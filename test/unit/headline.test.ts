// The headline: the one most urgent thing, the same in every view at every sample.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { headline, soonestSuspect } from '../../src/core/report/headline';
import type { LiveGrowth } from '../../src/core/analyze/growth';
import { quietReport } from '../fixtures/analyze/reports';

const NOW = Date.parse('2026-12-04T04:35:00Z');
const MIN = 60_000;

function grower(pid: number, comm: string, slopeKbPerMin: number, oomInMin: number | null): LiveGrowth {
  return {
    pid,
    comm,
    metric: 'rssKb',
    slopeKbPerMin,
    basisSlopeKbPerMin: slopeKbPerMin,
    r2: 0.99,
    samples: 30,
    projectedOomAt: oomInMin === null ? null : new Date(NOW + oomInMin * MIN).toISOString(),
    verdict: 'leak-suspect',
    lastKb: 150 * 1024,
    running: true,
  } as unknown as LiveGrowth;
}

describe('headline', () => {
  it('names the leak suspect that runs out first, with its rate and time to OOM, and the actions for it', () => {
    const r = quietReport();
    r.growth = [grower(4722, 'oomlens-leaky', 300 * 1024, 74), grower(9000, 'slowpoke', 10 * 1024, 600)];
    const h = headline(r, NOW);
    assert.equal(h.text, 'oomlens-leaky (4722) leaks 300 MiB/min, now 150 MiB: out of memory in ~1 h 14 min.');
    assert.deepEqual(
      h.actions.map((a) => [a.kind, a.pid]),
      [
        ['find-leaks', 4722],
        ['smaps', 4722],
        ['kill', 4722],
      ],
    );
  });

  it('two growers whose projections are minutes apart: the faster leak every time, however the projections wobble', () => {
    // the panel UI test's case: the test's Chromium (+220 MiB/min) and the leaker (+300 MiB/min), both ~74 min from OOM
    fc.assert(
      fc.property(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), (da, db, reversed) => {
        const list = [grower(4675, 'chromium', 220 * 1024, 74 + da), grower(4722, 'oomlens-leaky', 300 * 1024, 74 + db)];
        const s = soonestSuspect(reversed ? list.reverse() : list, NOW);
        assert.equal(s?.pid, 4722);
      }),
    );
  });

  it('a clearly sooner OOM still wins over a faster leak; stopped processes and other verdicts never headline', () => {
    assert.equal(soonestSuspect([grower(1, 'fast', 900 * 1024, 600), grower(2, 'soon', 50 * 1024, 20)], NOW)?.pid, 2);
    const gone = { ...grower(3, 'gone', 999 * 1024, 5), running: false } as LiveGrowth;
    const steady = { ...grower(4, 'steady', 999 * 1024, 5), verdict: 'steady' } as LiveGrowth;
    assert.equal(soonestSuspect([gone, steady, grower(5, 'real', 10, 300)], NOW)?.pid, 5);
    assert.equal(soonestSuspect([gone, steady], NOW), undefined);
    // none projects an OOM: the faster leak
    assert.equal(soonestSuspect([grower(6, 'a', 10, null), grower(7, 'b', 20, null)], NOW)?.pid, 7);
  });

  it('a quiet host: no alarm', () => {
    const h = headline(quietReport(), NOW);
    assert.equal(h.severity, 'ok');
    assert.deepEqual(h.actions, []);
  });
});
