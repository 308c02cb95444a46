import { strict as assert } from 'node:assert';
import { humanKb, percent, humanDuration, table } from '../../src/core/report/format';
import { memoryPicture } from '../../src/core/report/memoryPicture';

describe('formatting', () => {
  it('prints kB like free -h (binary units), null as "-"', () => {
    assert.equal(humanKb(null), '-');
    assert.equal(humanKb(0), '0');
    assert.equal(humanKb(512), '512Ki');
    assert.equal(humanKb(1536), '1.5Mi');
    assert.equal(humanKb(24683656), '23.5Gi');
    assert.equal(humanKb(200 * 1024 * 1024), '200Gi');
  });
  it('percent and durations', () => {
    assert.equal(percent(1, 4), '25.0%');
    assert.equal(percent(1, 0), '-');
    assert.equal(humanDuration(59), '0m 59s');
    assert.equal(humanDuration(3 * 86400 + 3700), '3d 1h 1m');
  });
  it('aligns tables, numbers to the right', () => {
    assert.equal(table(['A', 'BB'], [['1', 'x'], ['100', 'yy']], [true, false]), '  A  BB\n  1  x\n100  yy');
  });
  it('derives used as total - available and buff/cache as buffers + cached (free(1) since procps 3.3.10)', () => {
    const p = memoryPicture({ totalKb: 1000, availableKb: 600, freeKb: 100, buffersKb: 50, cachedKb: 450, shmemKb: 10, slabUnreclaimKb: null, committedAsKb: null, commitLimitKb: null, swapTotalKb: 200, swapFreeKb: 150 });
    assert.equal(p.usedKb, 400);
    assert.equal(p.buffCacheKb, 500);
    assert.equal(p.swapUsedKb, 50);
    assert.equal(memoryPicture({ ...p, totalKb: null, availableKb: 1, freeKb: null, buffersKb: null, cachedKb: 1, shmemKb: null, slabUnreclaimKb: null, committedAsKb: null, commitLimitKb: null, swapTotalKb: null, swapFreeKb: null }).usedKb, null);
  });
});
