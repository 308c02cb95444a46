// The watch's event detector (core/watch/watchEvents.ts): one event per kill, a leak suspect told
// once, threshold crossings with hysteresis (a value jittering around a threshold tells once).
import { strict as assert } from 'node:assert';
import { WatchDetector, memoryLevel, cgroupLevel, CLEAR_MARGIN, type WatchEvent } from '../../src/core/watch/watchEvents';
import { WARN_FRACTION, CRITICAL_FRACTION } from '../../src/core/analyze/findings/lowAvailable';
import { NEAR_LIMIT_FRACTION } from '../../src/core/analyze/findings/containerNearLimit';
import { LiveDiagnosis, type DiagnosedReport, type LiveUpdate } from '../../src/core/live';
import type { Report } from '../../src/core/model/report';
import { quietReport, killEvent, cgroup, proc, MiB } from '../fixtures/analyze/reports';
import { ScriptedHost, type FakeFrame } from './helpers/scriptedHost';

const T0 = Date.parse('2026-11-25T22:11:31.000Z');

function withAvailable(r: Report, fraction: number): Report {
  return { ...r, memory: { ...r.memory, availableKb: Math.round(fraction * (r.memory.totalKb as number)) } };
}

describe('watch events: the detector behind `watch --events` and "Watch Host…"', () => {
  it('uses the findings’ thresholds (15 % / 10 % of MemAvailable, 90 % of a cgroup limit) and clears 5 points past them', () => {
    assert.equal(WARN_FRACTION, 0.15);
    assert.equal(CRITICAL_FRACTION, 0.1);
    assert.equal(NEAR_LIMIT_FRACTION, 0.9);
    assert.equal(CLEAR_MARGIN, 0.05);
    assert.equal(memoryLevel('ok', 0.149), 'warning');
    assert.equal(memoryLevel('warning', 0.19), 'warning', 'not cleared until above 20 %');
    assert.equal(memoryLevel('warning', 0.201), 'ok');
    assert.equal(memoryLevel('ok', 0.16), 'ok');
    assert.equal(memoryLevel('warning', 0.099), 'critical');
    assert.equal(memoryLevel('critical', 0.14), 'critical', 'critical holds until above 15 %');
    assert.equal(memoryLevel('critical', 0.16), 'warning');
    assert.equal(cgroupLevel('ok', 0.9), 'warning');
    assert.equal(cgroupLevel('warning', 0.86), 'warning');
    assert.equal(cgroupLevel('warning', 0.84), 'ok');
  });

  it('MemAvailable jittering around 15 % tells once, and once more when it really recovers', () => {
    const d = new WatchDetector('web-1');
    const base = quietReport();
    const events: WatchEvent[] = [];
    // 0.16, 0.145, 0.155, 0.148, 0.152 … for 60 samples: across the threshold every sample.
    for (let i = 0; i < 60; i++) events.push(...d.update(withAvailable(base, i === 0 ? 0.16 : i % 2 ? 0.145 : 0.155), [], T0 + i * 5000));
    assert.deepEqual(
      events.map((e) => e.type === 'memory' && `${e.previous}->${e.level}`),
      ['ok->warning'],
    );
    const first = events[0];
    assert.equal(first.type, 'memory');
    assert.equal(first.severity, 'warning');
    assert.match(first.message, /^Memory low on web-1: MemAvailable 14% \(1\.16 GiB of 8 GiB\), below 15%$/);
    assert.equal(first.type === 'memory' && first.availablePercent, 14.5);
    assert.equal(first.time, new Date(T0 + 5000).toISOString());
    // Jitter around 20 % clears once.
    const back: WatchEvent[] = [];
    for (let i = 0; i < 20; i++) back.push(...d.update(withAvailable(base, i % 2 ? 0.195 : 0.205), [], T0 + 400_000 + i * 5000));
    assert.deepEqual(
      back.map((e) => e.type === 'memory' && `${e.previous}->${e.level}:${e.severity}`),
      ['warning->ok:info'],
    );
  });

  it('a fall straight to critical is one event; critical -> warning -> ok as it recovers', () => {
    const d = new WatchDetector('h');
    const base = quietReport();
    const seq = [0.5, 0.05, 0.12, 0.14, 0.16, 0.17, 0.19, 0.21, 0.3];
    const got = seq.flatMap((f, i) => d.update(withAvailable(base, f), [], T0 + i * 1000)).map((e) => e.type === 'memory' && e.level);
    assert.deepEqual(got, ['critical', 'warning', 'ok']);
    assert.equal(d.memoryState, 'ok');
  });

  it('a cgroup crossing 90 % of its limit, jittering there, tells once; clears below 85 %', () => {
    const d = new WatchDetector('h');
    const r = quietReport();
    const at = (share: number): Report => ({ ...r, cgroups: [cgroup('/app', 100 * MiB, Math.round(share * 100 * MiB))] });
    const got: WatchEvent[] = [];
    for (const s of [0.5, 0.91, 0.89, 0.92, 0.88, 0.9, 0.86, 0.84, 0.89, 0.5]) got.push(...d.update(at(s), [], T0));
    assert.deepEqual(
      got.map((e) => e.type === 'cgroup' && `${e.cgroup}:${e.level}`),
      ['/app:warning', '/app:ok'],
    );
    assert.equal(got[0].type === 'cgroup' && got[0].usagePercent, 91);
    assert.equal(got[0].message, 'cgroup /app on h is near its limit: 91 MiB of 100 MiB (91%)');
    // The quiet report's docker cgroup (9 % of its limit) never told anything.
    assert.ok(!got.some((e) => e.type === 'cgroup' && e.cgroup !== '/app'));
  });

  it('one event per kill, even when the same kill is handed over again (a reconnect, the snapshot and the follower)', () => {
    const d = new WatchDetector('web-1');
    const r = quietReport();
    const k1 = killEvent({
      scope: 'memcg',
      time: '2026-11-25T22:12:00.000Z',
      uptimeSeconds: 1000.5,
      memcg: '/oomlens-test',
      victim: { pid: 4242, comm: 'grow', anonRssKb: 65152, totalVmKb: 74184 },
    });
    const k2 = killEvent({ uptimeSeconds: 1003.1, victim: { pid: 4243, comm: 'grow' } });
    const a = d.update(r, [k1], T0);
    const b = d.update(r, [k1, k2], T0 + 1000);
    const c = d.update(r, [k2], T0 + 2000);
    assert.equal(a.length, 1);
    assert.deepEqual(a[0], {
      v: 1,
      type: 'oom-kill',
      host: 'web-1',
      time: '2026-11-25T22:12:00.000Z',
      severity: 'critical',
      message: 'OOM kill on web-1: grow (4242), anon-rss 63.6 MiB, cgroup /oomlens-test',
      kind: 'kill',
      scope: 'memcg',
      pid: 4242,
      comm: 'grow',
      anonRssKb: 65152,
      totalVmKb: 74184,
      cgroup: '/oomlens-test',
    });
    assert.deepEqual(
      b.map((e) => e.type === 'oom-kill' && e.pid),
      [4243],
    );
    assert.equal(b[0].time, new Date(T0 + 1000).toISOString(), 'no kernel time: when the watch saw it');
    assert.deepEqual(c, []);
    assert.equal(d.killCount, 2);
    // A runtime OOM (a Java heap) is not a kill of the host's OOM killer.
    assert.deepEqual(d.update(r, [{ ...k1, kind: 'runtime', uptimeSeconds: 2000 }], T0), []);
  });

  it('a leak suspect from the live diagnosis is told once, through a pause and a resume of its growth', async () => {
    const BOOT_UPTIME = 86400 * 12; // quietReport's takenAt is 12 days after its boot time
    const b0 = quietReport();
    const base: DiagnosedReport = {
      ...b0,
      processes: [proc({ pid: 1500, comm: 'python3', rssKb: 20 * MiB, start: 5000 }), proc({ pid: 900, comm: 'postgres', rssKb: 180 * MiB, start: 100 })],
      cgroups: [],
      cgroupFiles: [],
    };
    const host = new ScriptedHost();
    const d = new WatchDetector('scripted');
    const events: WatchEvent[] = [];
    const verdicts: string[] = [];
    const live = new LiveDiagnosis(host, base, {
      intervalMs: 1000,
      followLog: false,
      findingsEveryMs: 0,
      hold: { suspectHoldMs: 5000 },
      onUpdate: (u: LiveUpdate) => {
        const v = u.report.growth.find((g) => g.pid === 1500)?.verdict ?? 'none';
        if (verdicts.at(-1) !== v) verdicts.push(v);
        events.push(...d.update(u.report, u.newEvents, Date.parse(u.report.live?.lastSampleAt ?? u.report.takenAt)));
      },
    });
    const done = live.run();
    // Grows 2 MiB/s for 40 s, flat for 30 s (the hold ends), grows again for 40 s.
    const leak = (i: number) => 20 * MiB + (i < 40 ? i : i < 70 ? 40 : i - 30) * 2 * MiB;
    const frames: FakeFrame[] = Array.from({ length: 110 }, (_, i) => ({
      uptime: BOOT_UPTIME + i,
      procs: [
        { pid: 1500, comm: 'python3', rssKb: leak(i), start: 5000 },
        { pid: 900, comm: 'postgres', rssKb: 180 * MiB + (i % 3) * 8, start: 100 },
      ],
    }));
    host.push(...frames);
    await host.drained();
    live.stop();
    await done;
    // The growth tracker did let go of it while it was flat, and named it again when it resumed.
    assert.ok(verdicts.filter((v) => v === 'leak-suspect').length >= 2, verdicts.join(' -> '));
    const suspects = events.filter((e) => e.type === 'leak-suspect');
    assert.equal(suspects.length, 1, JSON.stringify(suspects));
    const s = suspects[0];
    assert.ok(s.type === 'leak-suspect' && s.pid === 1500 && s.comm === 'python3' && s.start === 5000);
    assert.ok(s.type === 'leak-suspect' && s.rateKbPerMin > 100 * 1024 && s.rateKbPerMin < 140 * 1024, `rate ${s.type === 'leak-suspect' && s.rateKbPerMin}`);
    assert.match(s.message, /^Leak suspect on scripted: python3 \(1500\) grows \+1\d\d(\.\d)? MiB\/min steadily/);
    assert.ok(!events.some((e) => e.type === 'memory'), 'MemAvailable at 50 % tells nothing');
  });
});
