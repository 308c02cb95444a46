// Stacks are bounded as valgrind's --num-callers bounds them: the first MAX_SITE_FRAMES frames
// (innermost first) plus the first frame in the user's code when it lies beyond them, with the
// number cut in framesOmitted. Deep trees are walked without recursion, and a deep chain where
// every frame allocates reads in linear time and memory.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { boundFrames, firstUserFrame, MAX_SITE_FRAMES, parseLeakReport } from '../../src/core/parse/leaks';
import type { LeakFrame } from '../../src/core/model/leakReport';
import { deepHeapProfile, deepMassif, manyLsanSites, manyMemcheckSites } from '../../bench/lib/genLeaks';
import { MAX_SITES_KEPT } from '../../src/core/parse/leaks/siteList';

const ROOT = join(__dirname, '..', '..');

describe('leak parsers: bounded stacks', () => {
  it('boundFrames keeps the first 24 and the first user frame beyond them, and counts the cut', () => {
    assert.equal(MAX_SITE_FRAMES, 24);
    const sys = (i: number): LeakFrame => ({ function: `sys${i}`, file: null, line: null, object: '/usr/lib/x86_64-linux-gnu/libc.so.6' });
    const user = (i: number): LeakFrame => ({ function: `u${i}`, file: '/src/app.c', line: i, object: null });
    const short = [sys(0), user(1)];
    assert.deepEqual(boundFrames(short), { frames: short, omitted: 0 });
    const deep = [...Array.from({ length: 30 }, (_, i) => sys(i)), user(30), user(31), sys(32)];
    const b = boundFrames(deep);
    assert.equal(b.frames.length, 25);
    assert.deepEqual(
      b.frames.map((f) => f.function),
      [...Array.from({ length: 24 }, (_, i) => `sys${i}`), 'u30'],
    );
    assert.equal(b.omitted, 33 - 25);
    // a user frame among the first 24: nothing more is added
    const early = [user(0), ...Array.from({ length: 40 }, (_, i) => sys(i + 1))];
    assert.equal(boundFrames(early).frames.length, 24);
    assert.equal(boundFrames(early).omitted, 17);
  });

  it('a deep .heapprofile chain: every site has at most 24 frames, innermost first, with framesOmitted', () => {
    const r = parseLeakReport(deepHeapProfile(3000));
    assert.equal(r.tool, 'node-heap-profile');
    assert.equal(r.sites.length, 3000);
    // the heaviest site is the innermost node (selfSize 1000 + 3000)
    const top = r.sites[0];
    assert.equal(top.bytes, 4000);
    assert.equal(top.frames.length, 24);
    assert.deepEqual(
      top.frames.slice(0, 3).map((f) => f.function),
      ['f3000', 'f2999', 'f2998'],
    );
    assert.equal(top.framesOmitted, 3000 - 24);
    // a shallow node keeps its whole stack and has no framesOmitted
    const shallow = r.sites.find((s) => s.frames[0].function === 'f10')!;
    assert.equal(shallow.frames.length, 10);
    assert.equal(shallow.framesOmitted, undefined);
    assert.equal(r.summary.liveBytes, 3000 * 1000 + (3000 * 3001) / 2);
  });

  it('the first user frame survives the cut when the innermost frames are Node internals', () => {
    const r = parseLeakReport(deepHeapProfile(200, { systemTop: 40 }));
    const top = r.sites[0];
    assert.equal(top.frames[0].file, 'node:internal/streams/readable');
    assert.equal(top.frames.length, 25);
    // the 40 innermost frames are f200..f161: the first user frame is f160, kept as the 25th
    assert.deepEqual(firstUserFrame(top), { function: 'f160', file: '/app/rec.js', line: 161, object: null, column: 4 });
    assert.equal(top.framesOmitted, 200 - 25);
  });

  it('a deep massif tree (5,000 nodes: its indentation makes the file quadratic in depth) is walked without recursion; frames bounded, first user frame kept', () => {
    const r = parseLeakReport(deepMassif(5000, { systemTop: 30 }));
    assert.equal(r.tool, 'valgrind-massif');
    assert.equal(r.sites.length, 5000);
    for (const s of r.sites) assert.ok(s.frames.length <= 25);
    const deepest = r.sites.find((s) => s.framesOmitted === 5000 - 25)!;
    assert.ok(deepest, 'the leaf site has 5,000 frames of which 25 are kept');
    assert.equal(deepest.frames[0].function, 'f1');
    // frames 1..30 are in a system library: the first user frame, f31 (deep.c:31), comes after the 24 kept
    assert.deepEqual(firstUserFrame(deepest), { function: 'f31', file: 'deep.c', line: 31, object: null, address: '0x1001F' });
    assert.equal(r.summary.liveBytes, 8 * 5000);
    assert.equal(
      r.sites.reduce((a, s) => a + s.bytes, 0),
      8 * 5000,
    );
  });

  it('memcheck text with --num-callers=40: 24 frames kept, 16 counted as cut', () => {
    const r = parseLeakReport(manyMemcheckSites(3, 40));
    assert.equal(r.sites.length, 3);
    for (const s of r.sites) {
      assert.equal(s.frames.length, 24);
      assert.equal(s.framesOmitted, 16);
    }
  });

  it('a 20,000-frame .heapprofile chain reads in under 2 s and 300 MB (measured in a child process)', function () {
    this.timeout(60_000);
    const script = `
      const { parseLeakReport } = require('./src/core/parse/leaks');
      const { deepHeapProfile } = require('./bench/lib/genLeaks');
      const text = deepHeapProfile(20000);
      const t0 = performance.now();
      const r = parseLeakReport(text);
      const ms = performance.now() - t0;
      const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]);
      process.stdout.write(JSON.stringify({ ms, mb: hwm / 1024, sites: r.sites.length, frames: Math.max(...r.sites.slice(0, 100).map((s) => s.frames.length)) }));`;
    const res = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const m = JSON.parse(res.stdout) as { ms: number; mb: number; sites: number; frames: number };
    assert.equal(m.sites, 20000);
    assert.equal(m.frames, 24);
    assert.ok(m.ms < 2000, `read in ${Math.round(m.ms)} ms`);
    assert.ok(m.mb < 300, `peak RSS ${Math.round(m.mb)} MB (includes the 20,000-frame input and tsx)`);
  });
});

describe('leak parsers: bounded site lists', () => {
  it('LeakSanitizer with 50,000 leak stacks: the 20,000 largest are listed, the totals count all 50,000, the cut is said', () => {
    const r = parseLeakReport(manyLsanSites(50_000, 3));
    assert.equal(r.sites.length, MAX_SITES_KEPT);
    // sizes are 16 + i: the largest (i = 49,999) first, the smallest kept is i = 30,000
    assert.equal(r.sites[0].bytes, 16 + 49_999);
    assert.equal(r.sites[MAX_SITES_KEPT - 1].bytes, 16 + 30_000);
    const all = Array.from({ length: 50_000 }, (_, i) => 16 + i).reduce((a, b) => a + b, 0);
    assert.equal(r.summary.definitelyLostBytes, all);
    assert.equal(r.summary.definitelyLostBlocks, 50_000);
    assert.equal(r.details?.sitesDropped, 30_000);
    assert.ok(
      r.warnings.some((w) => w === '30000 smaller leak sites not listed: only the 20000 largest are (the totals count all 50000)'),
      r.warnings.join('\n'),
    );
  });

  it('valgrind text with 30,000 loss records (read whole, then bounded): the 20,000 largest listed, the 10,000 others counted', () => {
    const r = parseLeakReport(manyMemcheckSites(30_000, 2));
    assert.equal(r.sites.length, MAX_SITES_KEPT);
    assert.equal(r.details?.sitesDropped, 10_000);
    assert.ok(r.warnings.some((w) => /^10000 smaller leak sites not listed/.test(w)));
  });

  it('valgrind XML with 45,000 records: streamed into at most 2 × 20,000 kept, 20,000 listed; definitely lost bytes of all 45,000', () => {
    const recs = Array.from(
      { length: 45_000 },
      (_, i) =>
        `<error><unique>0x${i.toString(16)}</unique><tid>1</tid><kind>Leak_DefinitelyLost</kind><xwhat><text>${8 + i} bytes in 1 blocks are definitely lost in loss record ${i + 1} of 45000</text><leakedbytes>${8 + i}</leakedbytes><leakedblocks>1</leakedblocks></xwhat><stack><frame><ip>0x1</ip><fn>f${i}</fn><dir>/src</dir><file>a.c</file><line>${1 + (i % 100)}</line></frame></stack></error>`,
    );
    const xml = `<?xml version="1.0"?>\n<valgrindoutput><protocolversion>4</protocolversion><protocoltool>memcheck</protocoltool><pid>7</pid><status><state>RUNNING</state></status>${recs.join('\n')}<status><state>FINISHED</state></status></valgrindoutput>\n`;
    const r = parseLeakReport(xml);
    assert.equal(r.sites.length, MAX_SITES_KEPT);
    assert.equal(r.sites[0].bytes, 8 + 44_999);
    assert.equal(
      r.summary.definitelyLostBytes,
      Array.from({ length: 45_000 }, (_, i) => 8 + i).reduce((a, b) => a + b, 0),
    );
    assert.equal(r.details?.sitesDropped, 25_000);
  });
});
