import { strict as assert } from 'node:assert';
import { SeriesStore } from '../../src/core/collect/seriesStore';
import { FrameParser, Frame, newFrame, procSample } from '../../src/core/parse/sampleFrames';
import { sampleScript } from '../../src/core/collect/sampleScript';

function frame(i: number, procs: [number, string, number, number?][], avail = 1000): Frame {
  return {
    ...newFrame(i, i),
    mem: { MemTotal: 4000, MemAvailable: avail, SwapTotal: 100, SwapFree: 40 },
    psiSomeAvg10: 0.5,
    procs: new Map(
      procs.map(([pid, comm, rss, start]) => [
        pid,
        procSample(pid, comm, { rssKb: rss, rssAnonKb: rss, rssFileKb: 0, rssShmemKb: 0, swapKb: 0, start: start ?? null }),
      ]),
    ),
  };
}

describe('SeriesStore (bounded sampling series)', () => {
  it('aligns every series to one timeline, null where a process was absent', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[1, 'a', 10]]), 1000);
    s.add(
      frame(1, [
        [1, 'a', 11],
        [2, 'b', 5],
      ]),
      2000,
    );
    s.add(frame(2, [[2, 'b', 6]]), 3000);
    assert.deepEqual(s.current(1)!.rssKb, [10, 11, null]);
    assert.deepEqual(s.current(2)!.rssKb, [null, 5, 6]);
    const samples = s.toSamples();
    assert.deepEqual(samples.system.swapUsedKb, [60, 60, 60]);
    assert.equal(samples.t[0], new Date(1000).toISOString());
  });

  it('stays within its capacity for a simulated 24 h at 1 s, keeping recent points at full resolution', () => {
    const s = new SeriesStore({ capacity: 1024, maxSeries: 50 });
    let maxLen = 0;
    for (let i = 0; i < 86_400; i++) {
      // 40 long-lived processes plus a new short-lived one every 10 s
      const procs: [number, string, number][] = [];
      for (let p = 1; p <= 40; p++) procs.push([p, `p${p}`, 1000 + p + (i % 7)]);
      procs.push([100_000 + Math.floor(i / 10), 'short', 50]);
      s.add(frame(i, procs), i * 1000);
      maxLen = Math.max(maxLen, s.length);
    }
    assert.ok(maxLen <= 1024, `timeline grew to ${maxLen}`);
    assert.ok(s.procs.size <= 50, `${s.procs.size} series kept`);
    for (const p of s.procs.values()) assert.equal(p.rssKb.length, s.length);
    const last = s.t.slice(-100);
    for (let i = 1; i < last.length; i++) assert.equal(last[i] - last[i - 1], 1000, 'recent points keep 1 s spacing');
    assert.ok(s.t[0] < 86_400_000 / 4, 'the oldest data is still there, downsampled');
  });

  it('a reused PID with another program starts a new series', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[7, 'old', 100]]), 0);
    s.add(frame(1, [[7, 'new', 5]]), 1000);
    assert.equal(s.current(7)!.comm, 'new');
    assert.deepEqual(s.current(7)!.rssKb, [null, 5]);
  });

  it('a reused PID with the same program but another start time is another process; the first one stays, gone', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[7, 'worker', 100, 5000]]), 0);
    s.add(frame(1, [[7, 'worker', 110, 5000]]), 1000);
    s.add(frame(2, [[7, 'worker', 20, 9000]]), 2000);
    const now = s.current(7)!;
    assert.equal(now.start, 9000);
    assert.deepEqual(now.rssKb, [null, null, 20]);
    const old = [...s.procs.values()].find((p) => p.start === 5000)!;
    assert.deepEqual(old.rssKb, [100, 110, null]);
    assert.equal(s.isRunning(old), false);
    assert.equal(s.isRunning(now), true);
    assert.notEqual(old.key, now.key);
    // The contract's samples are keyed by pid: the latest process under it.
    assert.deepEqual(s.toSamples().processes['7'].rssKb, [null, null, 20]);
    assert.equal(s.toSamples().processes['7'].start, 9000);
  });

  it('a start time read late (the first frame missed /proc/PID/stat) does not split the process', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[7, 'w', 100]]), 0);
    s.add(frame(1, [[7, 'w', 110, 5000]]), 1000);
    assert.equal(s.procs.size, 1);
    assert.equal(s.current(7)!.start, 5000);
  });

  it('round-trips through JSON and marks the resume as a gap; garbage restores as empty', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[1, 'a', 10]]), 0);
    s.add(frame(1, [[1, 'a', 12]]), 1000);
    const back = SeriesStore.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    assert.deepEqual(back.current(1)!.rssKb, [10, 12]);
    back.add(frame(2, [[1, 'a', 14]]), 5000);
    assert.deepEqual(back.gap, [0, 0, 1]);
    for (const junk of [
      null,
      1,
      'x',
      {},
      { v: 1, t: [1], procs: [], system: {} },
      { v: 1, t: [1, 2], procs: [{ pid: 1, rssKb: [1] }], system: s.toJSON().system },
    ]) {
      assert.doesNotThrow(() => SeriesStore.fromJSON(junk));
    }
    assert.equal(SeriesStore.fromJSON({ v: 1, t: [1], procs: [], system: {} }).length, 0);
  });

  it('restore says why a store is unusable (so it is kept aside, not overwritten); bad values become null and sampling goes on', () => {
    const s = new SeriesStore();
    s.add(frame(0, [[1, 'a', 10]]), 0);
    s.add(frame(1, [[1, 'a', 12]]), 1000);
    const good = s.toJSON();
    assert.equal(SeriesStore.restore(JSON.parse(JSON.stringify(good))).problem, null);
    assert.match(SeriesStore.restore({ ...good, v: 2 }).problem!, /version 2, not 1/);
    assert.match(SeriesStore.restore({ ...good, t: ['x', 1000] }).problem!, /not times/);
    assert.match(SeriesStore.restore({ v: 1 }).problem!, /lacks/);
    // A valid store with one bad value: restored, the value is null, and the next samples still add.
    const bad = JSON.parse(JSON.stringify(good));
    bad.procs[0].rssKb[0] = 'NaN';
    const r = SeriesStore.restore(bad);
    assert.equal(r.problem, null);
    assert.deepEqual(r.store.current(1)!.rssKb, [null, 12]);
    assert.doesNotThrow(() => r.store.add(frame(2, [[1, 'a', 14]]), 5000));
    assert.deepEqual(r.store.current(1)!.rssKb, [null, 12, 14]);
  });

  it('parses the sampler frames from chunks split anywhere', () => {
    const text =
      '@@oomlens frame 0 12.50\nMemTotal:       4000 kB\nMemAvailable:   1000 kB\npressure/memory:some avg10=1.25 avg60=0.00 avg300=0.00 total=1\n' +
      '42/status:Name:\tleaky\n42/status:VmRSS:\t  2048 kB\n42/status:RssAnon:\t  2000 kB\n7/status:Name:\tkthreadd\n42/smaps_rollup:Pss:   1500 kB\n' +
      '/sys/fs/cgroup/memory/t/memory.usage_in_bytes:1048576\n@@oomlens done\n@@oomlens end\n';
    const frames: Frame[] = [];
    const p = new FrameParser((f) => frames.push(f));
    for (let i = 0; i < text.length; i += 5) p.push(text.slice(i, i + 5));
    assert.equal(frames.length, 1);
    assert.ok(p.ended);
    const f = frames[0];
    assert.equal(f.uptimeSeconds, 12.5);
    assert.equal(f.mem.MemAvailable, 1000);
    assert.equal(f.psiSomeAvg10, 1.25);
    assert.deepEqual([f.procs.get(42)!.comm, f.procs.get(42)!.rssKb, f.procs.get(42)!.rssAnonKb, f.procs.get(42)!.pssKb], ['leaky', 2048, 2000, 1500]);
    assert.equal(f.procs.get(7)!.rssKb, null);
    assert.equal(f.cgroups.get('/sys/fs/cgroup/memory/t/memory.usage_in_bytes'), 1048576);
  });

  it('the sampler script quotes cgroup paths and stops after its count', () => {
    const s = sampleScript({ intervalMs: 1000, count: 3, cgroupFiles: ["/sys/fs/cgroup/x'; rm -rf /;'/memory.current"] });
    assert.ok(s.includes(`'/sys/fs/cgroup/x'\\''; rm -rf /;'\\''/memory.current'`));
    assert.ok(s.includes('[ $n -ge 3 ] && break'));
    assert.ok(s.includes('sleep 1.000'));
  });
});
