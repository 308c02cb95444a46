import { strict as assert } from 'node:assert';
import { ratePerMin, watchTable } from '../../src/cli/commands/watch';
import { SeriesStore } from '../../src/core/collect/seriesStore';

describe('oom-lens watch table', () => {
  it('growth per minute over the last minute, null with one point or a gap at the end', () => {
    const t = [0, 30_000, 60_000, 90_000];
    assert.equal(ratePerMin(t, [100, 200, 300, 400], 60_000), 200);
    assert.equal(ratePerMin([0], [5], 60_000), null);
    assert.equal(ratePerMin(t, [100, 200, 300, null], 60_000), null);
    assert.equal(ratePerMin(t, [100, null, 300, 400], 60_000), 200, 'stops at a gap');
  });

  it('lists the biggest processes with their growth', () => {
    const s = new SeriesStore();
    for (let i = 0; i < 3; i++) {
      s.add({ index: i, uptimeSeconds: i, mem: { MemTotal: 8_000_000, MemAvailable: 4_000_000 }, psiSomeAvg10: null, cgroups: new Map(),
        procs: new Map([[7, { pid: 7, comm: 'leaky', rssKb: 1000 + i * 1024, rssAnonKb: 900, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pssKb: null }],
          [8, { pid: 8, comm: 'small', rssKb: 10, rssAnonKb: 10, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, pssKb: null }]]) }, i * 1000);
    }
    const out = watchTable(s, 1);
    assert.match(out, /available 3\.8Gi of 7\.6Gi {2}\(3 samples\)/);
    assert.match(out, /^ *7 {2}leaky .*\+60\.0Mi\/min$/m);
    assert.ok(!out.includes('small'), 'only the top 1');
  });
});
