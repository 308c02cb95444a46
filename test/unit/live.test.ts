// The live diagnosis (core/live.ts) against a scripted host (named so: no real processes here):
// what every view reads while sampling runs.
import { strict as assert } from 'node:assert';
import { LiveDiagnosis, type DiagnosedReport, type LiveUpdate } from '../../src/core/live';
import type { Report } from '../../src/core/model/report';
import type { LiveGrowth } from '../../src/core/live/growthTracker';
import { quietReport, proc, MiB } from '../fixtures/analyze/reports';
import { ScriptedHost, type FakeFrame, type FakeProc } from './helpers/scriptedHost';

const BOOT_UPTIME = 86400 * 12; // quietReport's takenAt is 12 days after its boot time

function base(extra: Partial<DiagnosedReport> = {}): DiagnosedReport {
  const r = quietReport();
  return {
    ...r,
    processes: [
      proc({ pid: 1500, comm: 'python3', cmdline: 'python3 leak.py', rssKb: 20 * MiB, start: 5000, cgroup: '/ux-test' }),
      proc({ pid: 900, comm: 'postgres', rssKb: 180 * MiB, start: 100 }),
      proc({ pid: 77, comm: 'worker', cmdline: 'worker --first', rssKb: 10 * MiB, start: 4000 }),
    ],
    cgroups: [],
    cgroupFiles: [],
    ...extra,
  };
}

/** Frames at 1 s: the leaker grows 2 MiB/s for `grow` seconds, then stays flat. */
function frames(from: number, n: number, opts: { grow?: number; extra?: (i: number) => FakeProc[]; worker?: boolean } = {}): FakeFrame[] {
  const out: FakeFrame[] = [];
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const leak = 20 * MiB + Math.min(i, opts.grow ?? Infinity) * 2 * MiB;
    out.push({
      uptime: BOOT_UPTIME + i,
      procs: [
        { pid: 1500, comm: 'python3', rssKb: leak, start: 5000 },
        { pid: 900, comm: 'postgres', rssKb: 180 * MiB + (i % 3) * 8, start: 100 },
        ...(opts.worker === false ? [] : [{ pid: 77, comm: 'worker', rssKb: 10 * MiB, start: 4000 }]),
        ...(opts.extra?.(i) ?? []),
      ],
    });
  }
  return out;
}

function start(host: ScriptedHost, b: DiagnosedReport, hold = {}): { live: LiveDiagnosis; updates: LiveUpdate[]; done: Promise<unknown> } {
  const updates: LiveUpdate[] = [];
  const live = new LiveDiagnosis(host, b, { intervalMs: 1000, followLog: false, findingsEveryMs: 0, hold, onUpdate: (u) => updates.push(u) });
  const done = live.run();
  return { live, updates, done };
}

const growthOf = (r: Report, pid: number) => r.growth.find((g) => g.pid === pid) as LiveGrowth | undefined;

describe('live diagnosis (scripted host: frames and kernel lines on cue)', () => {
  it('the process table follows each sample: current RSS, new processes, exited ones marked gone (never current)', async () => {
    const host = new ScriptedHost();
    const { live, done } = start(host, base());
    host.push(...frames(0, 5));
    await host.drained();
    assert.equal(live.report.processes.find((p) => p.pid === 1500)!.rssKb, 20 * MiB + 4 * 2 * MiB, 'the last sample, not the snapshot');
    assert.equal(live.report.live!.samples, 5);
    // A process starts, and the worker exits.
    host.push(
      ...frames(5, 3, {
        worker: false,
        extra: () => [{ pid: 4242, comm: 'newcomer', rssKb: 3 * MiB, start: 9000, cmdline: 'newcomer --serve', cgroup: '/system.slice/new.service' }],
      }),
    );
    await host.drained();
    await new Promise((r) => setTimeout(r, 50)); // the read of the newcomer's /proc files
    const r = live.report;
    const fresh = r.processes.find((p) => p.pid === 4242)!;
    assert.equal(fresh.rssKb, 3 * MiB);
    assert.equal(fresh.cmdline, 'newcomer --serve', 'its command line was read');
    assert.equal(fresh.cgroup, '/system.slice/new.service');
    assert.equal(
      r.processes.some((p) => p.pid === 77),
      false,
      'an exited process is not current',
    );
    const gone = r.exited!.find((p) => p.pid === 77)!;
    assert.equal(gone.rssKb, 10 * MiB, 'with its last values');
    assert.equal(gone.goneAt, new Date(Date.parse('2026-11-13T22:11:31.000Z') + (BOOT_UPTIME + 5) * 1000).toISOString());
    assert.ok(r.live!.tooNew.includes(4242), 'three samples: too new for a rate');
    assert.equal(growthOf(r, 4242), undefined, 'no growth rate while too new');
    live.stop();
    await done;
  });

  it('pid reuse: the same pid with a new start time is another process; the first one is gone, never merged', async () => {
    const host = new ScriptedHost();
    const { live, done } = start(host, base());
    host.push(...frames(0, 12));
    host.push(...frames(12, 12).map((f) => ({ ...f, procs: f.procs.map((p) => (p.pid === 77 ? { ...p, start: 8000, rssKb: 2 * MiB } : p)) })));
    await host.drained();
    const r = live.report;
    const now = r.processes.find((p) => p.pid === 77)!;
    assert.equal(now.start, 8000);
    assert.equal(now.rssKb, 2 * MiB);
    assert.notEqual(now.cmdline, 'worker --first', "not the snapshot's info of the earlier process");
    assert.ok(
      r.exited!.some((p) => p.pid === 77 && p.start === 4000),
      'the earlier worker is gone',
    );
    const g = growthOf(r, 77);
    assert.ok(g, 'the new worker has its own growth');
    assert.notEqual(g!.verdict, 'shrinking', 'the drop from 10 MiB to 2 MiB is two processes, not a shrink');
    live.stop();
    await done;
  });

  it('hysteresis: a leak suspect that pauses stays one for a while, then becomes "grew N, now flat at X"; it is never dropped', async () => {
    const host = new ScriptedHost();
    const { live, done } = start(host, base(), { suspectHoldMs: 20_000 });
    host.push(...frames(0, 40));
    await host.drained();
    let r = live.report;
    assert.equal(growthOf(r, 1500)!.verdict, 'leak-suspect');
    assert.ok(r.findings.some((f) => f.id === 'leak-suspect' && f.pids.includes(1500)));
    // It stops growing at 40 s. Every sample from now on must still name it.
    const seen: string[] = [];
    for (let k = 40; k < 120; k += 4) {
      host.push(...frames(k, 4, { grow: 39 }));
      await host.drained();
      r = live.report;
      const f = r.findings.find((x) => (x.id === 'leak-suspect' || x.id === 'grew-then-flat') && x.pids.includes(1500));
      assert.ok(f, `at ${k + 4} s the main clue is gone: ${r.findings.map((x) => x.id).join(', ')}`);
      seen.push(f.id);
    }
    assert.equal(seen[0], 'leak-suspect', 'held as a suspect right after it paused');
    assert.equal(seen[seen.length - 1], 'grew-then-flat');
    const flat = r.findings.find((x) => x.id === 'grew-then-flat')!;
    assert.match(flat.title, /^python3 \(1500\) grew 78 MiB, now flat at 98 MiB$/);
    assert.ok(!r.findings.some((x) => x.id === 'leak-suspect' && x.pids.includes(1500)), 'not both');
    live.stop();
    await done;
  });

  it('findings keep their key and their order across samples; a kill that arrives becomes an event and a finding at once', async () => {
    const host = new ScriptedHost();
    const { live, updates, done } = start(host, base());
    host.push(...frames(0, 30));
    await host.drained();
    const before = live.report.findings.map((f) => f.key);
    assert.ok(before.every((k) => typeof k === 'string' && k.length > 0));
    assert.equal(new Set(before).size, before.length, 'keys are unique');
    host.push(...frames(30, 5));
    await host.drained();
    assert.deepEqual(
      live.report.findings.map((f) => f.key).filter((k) => before.includes(k!)),
      before,
      'the same order',
    );
    const kill = {
      ...quietReport().events[0],
      kind: 'kill',
      scope: 'memcg',
      time: '2026-11-25T22:20:00.000Z',
      timeText: null,
      uptimeSeconds: null,
      host: null,
      trigger: null,
      constraint: 'CONSTRAINT_MEMCG',
      memcg: '/ux-test',
      taskMemcg: '/ux-test',
      memcgUsage: null,
      victim: {
        pid: 31337,
        comm: 'python3',
        uid: 0,
        score: null,
        totalVmKb: null,
        anonRssKb: 60 * MiB,
        fileRssKb: 0,
        shmemRssKb: 0,
        pgtablesKb: null,
        oomScoreAdj: 0,
      },
      selected: null,
      reaped: null,
      tasks: [],
      container: null,
      panic: null,
      runtime: null,
      containerState: null,
      lines: { first: 1, last: 1 },
    } as Report['events'][number];
    const n = updates.length;
    live.addEvents([kill]);
    assert.equal(updates.length, n + 1);
    assert.deepEqual(
      updates[n].newEvents.map((e) => e.victim?.pid),
      [31337],
    );
    const r = live.report;
    assert.equal(r.events.length, 1);
    const f = r.findings.find((x) => x.id === 'oom-killed')!;
    assert.ok(f, 'a finding without waiting for the next analysis');
    assert.equal(f.evidence.runningNow, null, 'the victim is not the python3 (1500) that runs in the same cgroup: another pid');
    assert.equal(live.addEvents([kill]).length, 0, 'the same kill twice is one');
    live.stop();
    await done;
  });

  it("memory, pressure, the OOM kill counter and cgroup usage are the last sample's", async () => {
    const host = new ScriptedHost();
    const file = '/sys/fs/cgroup/memory/ux-test/memory.usage_in_bytes';
    const b = base({
      cgroups: [{ path: '/ux-test', version: 1, limitKb: 64 * MiB, usageKb: 1 * MiB, peakKb: 1 * MiB, oomKills: 0, failcnt: 0 }],
      cgroupFiles: [{ file, path: '/ux-test' }],
    });
    const { live, done } = start(host, b);
    host.push(...frames(0, 3).map((f, i) => ({ ...f, availableKb: 1_000_000 + i, oomKills: 2 + i, cgroups: { [file]: (10 + i) * 1024 * 1024 } })));
    await host.drained();
    const r = live.report;
    assert.equal(r.memory.availableKb, 1_000_002);
    assert.equal(r.oomKillsSinceBoot, 4);
    assert.equal(r.cgroups[0].usageKb, 12 * 1024);
    assert.deepEqual(live.timelineSamples().cgroups!['/ux-test'].slice(-1), [12 * 1024], "the timeline's cgroup line is named by its path");
    live.stop();
    await done;
  });

  it('the timeline gets the series worth a line, not all of them; Export gets all', async () => {
    const host = new ScriptedHost();
    const { live, done } = start(host, base());
    const many = () => Array.from({ length: 60 }, (_, k) => ({ pid: 10_000 + k, comm: `p${k}`, rssKb: 1000 + k, start: 7000 + k }));
    host.push(...frames(0, 20, { extra: many }));
    await host.drained();
    const tl = live.timelineSamples(24);
    assert.ok(Object.keys(tl.processes).length <= 24);
    assert.ok('1500' in tl.processes, 'the leak suspect is in it');
    assert.ok(Object.keys(live.fullReport().samples!.processes).length >= 63);
    live.stop();
    await done;
  });
});
