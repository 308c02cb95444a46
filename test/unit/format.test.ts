// The one number and time formatter every front end uses (src/core/format.ts).
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  binaryStepKb,
  formatBytes,
  formatDuration,
  formatKb,
  formatKbSigned,
  formatPercent,
  formatRate,
  formatShare,
  formatTime,
  localTimeFormatter,
  plural,
  secondsToMs,
} from '../../src/core/format';
import { table } from '../../src/core/report/table';
import { memoryPicture } from '../../src/core/report/memoryPicture';

describe('formatting: one formatter for every surface', () => {
  it('sizes in IEC units with the same rounding: three significant digits, no trailing zeros', () => {
    assert.equal(formatKb(null), '-');
    assert.equal(formatKb(0), '0 B');
    assert.equal(formatKb(512), '512 KiB');
    assert.equal(formatKb(1024), '1 MiB');
    assert.equal(formatKb(1536), '1.5 MiB');
    assert.equal(formatKb(27034), '26.4 MiB');
    assert.equal(formatKb(315 * 1024 + 300), '315 MiB');
    assert.equal(formatKb(24683656), '23.5 GiB');
    assert.equal(formatKb(200 * 1024 * 1024), '200 GiB');
    assert.equal(formatKb(1024 * 1024 - 1), '1 GiB', '1023.999 MiB carries to 1 GiB, never "1024 MiB"');
    assert.equal(formatBytes(800), '800 B');
    assert.equal(formatBytes(207155), '202 KiB', 'three significant digits');
    assert.equal(formatBytes(1536), '1.5 KiB');
  });

  it('signed sizes and rates use a real minus sign', () => {
    assert.equal(formatKbSigned(2048), '+2 MiB');
    assert.equal(formatKbSigned(-300), '−300 KiB');
    assert.equal(formatRate(2674461.22), '+2.55 GiB/min');
    assert.equal(formatKb(1.25 * 1024 * 1024), '1.25 GiB', 'a 256 MiB tick above 1 GiB prints exactly');
    assert.equal(formatRate(null), '-');
  });

  it('percentages: whole numbers from 10 %, one decimal below, never "0.0%" for something', () => {
    assert.equal(formatPercent(1, 4), '25%');
    assert.equal(formatPercent(1, 0), '-');
    assert.equal(formatPercent(0, 5), '0%');
    assert.equal(formatShare(0.0042), '0.4%');
    assert.equal(formatShare(0.0004), '<0.1%');
    assert.equal(formatShare(0.999), '100%');
  });

  it('durations: "28 s", "3 min 12 s", "2 h 5 min", "3 d 1 h"', () => {
    assert.equal(formatDuration(450), '450 ms');
    assert.equal(formatDuration(28_000), '28 s');
    assert.equal(formatDuration(28_400), '28 s');
    assert.equal(formatDuration(192_000), '3 min 12 s');
    assert.equal(formatDuration(180_000), '3 min');
    assert.equal(formatDuration(2 * 3600_000 + 5 * 60_000), '2 h 5 min');
    assert.equal(formatDuration(secondsToMs(3 * 86400 + 3700)), '3 d 1 h');
    assert.equal(formatDuration(null), '-');
  });

  it('plurals', () => {
    assert.equal(plural(1, 'point'), '1 point');
    assert.equal(plural(2, 'point'), '2 points');
    assert.equal(plural(1, 'sample'), '1 sample');
    assert.equal(plural(3, 'process'), '3 processes');
    assert.equal(plural(0, 'kill'), '0 kills');
    assert.equal(plural(1500, 'row'), '1,500 rows');
  });

  it('times: one text format, seconds cut (never rounded), so one instant reads the same everywhere', () => {
    assert.equal(formatTime('2026-12-02T07:18:22.900Z'), '2026-12-02 07:18:22 UTC');
    assert.equal(formatTime(Date.parse('2026-12-02T07:18:22.100Z')), '2026-12-02 07:18:22 UTC');
    assert.equal(formatTime(null), 'an unknown time');
    const local = localTimeFormatter('en-GB');
    assert.match(local('2026-12-02T07:18:22.900Z'), /^\d\d:\d\d:22$/, '24 h, cut to the second');
  });

  it('binary axis steps are powers of two, at most n steps, and every tick label is exact', () => {
    assert.equal(binaryStepKb(1024 * 1024, 4), 256 * 1024); // 1 GiB in 4: 256 MiB
    assert.equal(binaryStepKb(1.8 * 1024 * 1024, 5), 512 * 1024, '1.8 GiB: 512 MiB steps, not 256 MiB ones labelled "1.3 GiB"');
    assert.equal(binaryStepKb(6.7 * 1024 * 1024, 5), 2 * 1024 * 1024);
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e12, noNaN: true }), fc.integer({ min: 2, max: 10 }), (max, n) => {
        const s = binaryStepKb(max, n);
        return Number.isInteger(Math.log2(s)) && s * n >= max && (s === 1 || (s / 2) * n < max);
      }),
    );
    // Ticks of such a step print exactly: 0, 512 MiB, 1 GiB, 1.5 GiB, 2 GiB.
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => formatKb(i * 512 * 1024)),
      ['0 B', '512 MiB', '1 GiB', '1.5 GiB', '2 GiB'],
    );
  });

  it('aligns tables, numbers to the right', () => {
    assert.equal(
      table(
        ['A', 'BB'],
        [
          ['1', 'x'],
          ['100', 'yy'],
        ],
        [true, false],
      ),
      '  A  BB\n  1  x\n100  yy',
    );
  });

  it('derives used as total - available and buff/cache as buffers + cached (free(1) since procps 3.3.10)', () => {
    const p = memoryPicture({
      totalKb: 1000,
      availableKb: 600,
      freeKb: 100,
      buffersKb: 50,
      cachedKb: 450,
      shmemKb: 10,
      slabUnreclaimKb: null,
      committedAsKb: null,
      commitLimitKb: null,
      swapTotalKb: 200,
      swapFreeKb: 150,
    });
    assert.equal(p.usedKb, 400);
    assert.equal(p.buffCacheKb, 500);
    assert.equal(p.swapUsedKb, 50);
    assert.equal(
      memoryPicture({
        ...p,
        totalKb: null,
        availableKb: 1,
        freeKb: null,
        buffersKb: null,
        cachedKb: 1,
        shmemKb: null,
        slabUnreclaimKb: null,
        committedAsKb: null,
        commitLimitKb: null,
        swapTotalKb: null,
        swapFreeKb: null,
      }).usedKb,
      null,
    );
  });
});
