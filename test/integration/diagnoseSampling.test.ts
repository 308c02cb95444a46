// The whole diagnosis with sampling, on this machine, through the built CLI: a process that leaks
// steadily is a leak suspect and one that allocated once and stays flat is not; a REAL OOM kill in a
// test cgroup during the sampling is an oom-killed finding, with the victim's samples before it.
import { strict as assert } from 'node:assert';
import { spawnSync, ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CLI, requireBuiltCli, isRoot, skipLoudly, which, missingDependency } from './helpers';
import { growBinary, createMemcg, removeMemcg, memcgRoot, startGrower, startGrowerIn, MemcgInfo } from './support/oomKill';

describe('diagnose --sample 30s --interval 1s: the live diagnosis through the CLI (real processes, real OOM kill)', function () {
  this.timeout(180_000);
  let leaker: ChildProcess, flat: ChildProcess;
  let cg: MemcgInfo | null = null;
  let victimPid = 0;
  let report: {
    growth: { pid: number; verdict: string }[];
    findings: { id: string; pids: number[]; evidence: Record<string, unknown> }[];
    samples: { t: string[]; processes: Record<string, { rssKb: (number | null)[] }> };
    events: { victim: { pid: number } | null; time: string | null }[];
    processes: { pid: number; rssKb: number | null }[];
    exited: { pid: number; goneAt: string }[];
    live: { state: string; samples: number; kernelLog: string | null; lastSampleAt: string };
  };
  let leakerRssAtEnd = 0;

  before(async function () {
    requireBuiltCli();
    if (!which('gcc')) missingDependency(this, 'gcc is not installed (apt-get install gcc libc6-dev)');
    const bin = growBinary();
    leaker = (await startGrower(bin, ['1', '250', '2000'])).child; // +4 MiB/s, steadily
    flat = (await startGrower(bin, ['40', '10', '40'])).child; // 40 MiB at once, then flat
    if (isRoot && memcgRoot()) {
      cg = createMemcg(64);
      const grower = await startGrowerIn(cg, bin, ['2', '500']); // +4 MiB/s until the 64 MiB limit: killed after ~16 s
      victimPid = grower.pid;
    } else {
      console.warn('\n    ⚠ the OOM-kill part of this test needs root and a memory cgroup controller: only the growth part runs\n');
    }
    const r = spawnSync(process.execPath, [CLI, 'diagnose', '--sample', '30s', '--interval', '1s', '--json'], {
      encoding: 'utf8',
      timeout: 120_000,
      maxBuffer: 256 << 20,
    });
    leakerRssAtEnd = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${leaker.pid}/status`, 'utf8'))![1]);
    assert.equal(r.status, 0, r.stderr);
    report = JSON.parse(r.stdout);
  });

  after(() => {
    leaker?.kill('SIGKILL');
    flat?.kill('SIGKILL');
    if (cg) removeMemcg(cg);
  });

  it('flags the steady leaker as leak-suspect, with a finding naming it', () => {
    const g = report.growth.find((x) => x.pid === leaker.pid);
    assert.equal(g?.verdict, 'leak-suspect', JSON.stringify(g));
    assert.ok(report.findings.some((f) => f.id === 'leak-suspect' && f.pids.includes(leaker.pid!)));
  });

  it("the processes are the last sample's, not the first snapshot's: the leaker's RSS is its RSS at the end", () => {
    const p = report.processes.find((x) => x.pid === leaker.pid)!;
    const series = report.samples.processes[String(leaker.pid)].rssKb;
    assert.equal(p.rssKb, series[series.length - 1], 'the table value is the last sample');
    // 4 MiB/s: the CLI exited within a second or two of its last sample.
    assert.ok(
      leakerRssAtEnd - p.rssKb! >= 0 && leakerRssAtEnd - p.rssKb! < 12 * 1024,
      `RSS ${p.rssKb} kB at the end of sampling vs ${leakerRssAtEnd} kB right after`,
    );
    assert.ok(p.rssKb! - series[0]! > 80 * 1024, 'it grew over the session, and the report says so');
    assert.equal(report.live.state, 'ended');
    assert.ok(report.live.samples >= 25, `${report.live.samples} samples`);
  });

  it('does not flag the process that allocated once and stayed flat', () => {
    const g = report.growth.find((x) => x.pid === flat.pid);
    assert.notEqual(g?.verdict, 'leak-suspect', JSON.stringify(g));
    assert.ok(!report.findings.some((f) => f.id === 'leak-suspect' && f.pids.includes(flat.pid!)));
    const rss = report.samples.processes[String(flat.pid)].rssKb.filter((v): v is number => v !== null);
    assert.ok(rss.length >= 15 && Math.max(...rss) - Math.min(...rss) < 2048, 'it really was flat');
  });

  it('the real OOM kill during sampling is an oom-killed finding, with the victim sampled before it', function () {
    if (!cg) skipLoudly(this, 'needs root and a memory cgroup controller');
    const e = report.events.find((x) => x.victim?.pid === victimPid);
    assert.ok(e, `no event for the victim ${victimPid}`);
    const f = report.findings.find((x) => x.id === 'oom-killed' && (x.pids.includes(victimPid) || JSON.stringify(x.evidence).includes(`"pid":${victimPid}`)));
    assert.ok(f, `no oom-killed finding for ${victimPid}: ${JSON.stringify(report.findings.map((x) => [x.id, x.pids]))}`);
    const series = report.samples.processes[String(victimPid)]?.rssKb;
    assert.ok(series, 'the victim is in the samples');
    const killAt = Date.parse(e.time!);
    const before = series.map((v, i) => ({ v, t: Date.parse(report.samples.t[i]) })).filter((p) => p.v !== null && p.t <= killAt + 1000);
    assert.ok(before.length >= 5, `only ${before.length} samples of the victim before the kill`);
    assert.ok(before[before.length - 1].v! > before[0].v!, 'the victim grew up to the kill');
    const after = series.map((v, i) => ({ v, t: Date.parse(report.samples.t[i]) })).filter((p) => p.t > killAt + 2000);
    assert.ok(
      after.every((p) => p.v === null),
      'no samples of the victim after its death',
    );
    // The kill came in while sampling (the kernel log was read before it): the follower saw it.
    assert.match(report.live.kernelLog ?? '', /^following /);
    assert.ok(!report.processes.some((p) => p.pid === victimPid), 'the victim is not a current process');
    assert.ok(
      report.exited.some((p) => p.pid === victimPid),
      'it is listed as exited',
    );
  });
});
