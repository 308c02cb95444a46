import { strict as assert } from 'node:assert';
import { watchTable } from '../../src/cli/commands/watch';
import { quietReport, proc, MiB } from '../fixtures/analyze/reports';
import type { Report } from '../../src/core/model/report';

describe('oom-lens watch table (from the live report)', () => {
  it('lists the biggest current processes with their growth, "too new" under the minimum, and kills seen while watching', () => {
    const base = quietReport();
    const r: Report = {
      ...base,
      processes: [
        proc({ pid: 7, comm: 'leaky', rssKb: 300 * MiB }),
        proc({ pid: 9, comm: 'fresh', rssKb: 100 * MiB }),
        proc({ pid: 8, comm: 'small', rssKb: 10 }),
      ],
      growth: [{ pid: 7, comm: 'leaky', metric: 'rssKb', slopeKbPerMin: 60 * 1024, r2: 0.99, samples: 30, projectedOomAt: null, verdict: 'leak-suspect' }],
      events: [
        {
          ...(base.events[0] ?? {}),
          kind: 'kill',
          time: '2026-12-02T10:00:05.000Z',
          victim: { pid: 55, comm: 'victim', anonRssKb: 64 * MiB },
        } as Report['events'][number],
      ],
      live: {
        state: 'sampling',
        intervalMs: 1000,
        startedAt: '2026-12-02T10:00:00.000Z',
        lastSampleAt: '2026-12-02T10:00:30.000Z',
        samples: 30,
        tooNew: [9],
        kernelLog: 'following dmesg',
      },
    };
    const out = watchTable(r, 2);
    assert.match(out, /^2026-12-02T10:00:30\.000Z {2}available/);
    assert.match(out, /\(30 samples\)/);
    assert.match(out, /^ *7 {2}leaky .*\+60 MiB\/min {2}leak-suspect$/m);
    assert.match(out, /^ *9 {2}fresh .*too new/m);
    assert.ok(!out.includes('small'), 'only the top 2');
    assert.match(out, /OOM kill at 2026-12-02T10:00:05\.000Z: victim \(55\), anon-rss 64 MiB/);
  });
});
