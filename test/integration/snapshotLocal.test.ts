import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { LocalHost } from '../../src/core/host/localHost';
import { collectSnapshot } from '../../src/core/collect/snapshot';
import { snapshotScript } from '../../src/core/collect/snapshotScript';
import { parseSnapshotOutput } from '../../src/core/parse/snapshotFrames';
import { buildReport } from '../../src/core/collect/snapshot';
import { startHog, which, missingDependency } from './helpers';

/** Processes that live through the snapshot (this test's own ancestors and long-running ones) must all be in it: both halves of the collector. */
function assertAllLongLived(pids: number[], before: number[]): void {
  const got = new Set(pids);
  const missing = before.filter((p) => !got.has(p) && readdirSafe(p));
  assert.deepEqual(missing, [], 'processes alive before and after the snapshot but missing from it');
  assert.ok(pids.some((p) => p % 10 <= 4) && pids.some((p) => p % 10 >= 5), 'pids from both halves (last digit 0-4 and 5-9)');
}
const readdirSafe = (pid: number) => {
  try {
    return readdirSync(`/proc/${pid}`).length > 0;
  } catch {
    return false;
  }
};
const procPids = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);

const meminfoKb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'))![1]);

describe('snapshot of this machine through LocalHost (real /proc)', () => {
  let hog: ChildProcess;
  before(async () => {
    hog = await startHog(64, 500);
  });
  after(() => {
    hog?.kill('SIGKILL');
  });

  it('matches /proc/meminfo and finds a 64 MiB process with its oom_score_adj', async () => {
    const before = procPids();
    const { report, collectMs } = await collectSnapshot(new LocalHost());
    assertAllLongLived(
      report.processes.map((x) => x.pid),
      before,
    );
    assert.equal(report.memory.totalKb, meminfoKb('MemTotal'));
    assert.equal(report.memory.swapTotalKb, meminfoKb('SwapTotal'));
    const p = report.processes.find((x) => x.pid === hog.pid);
    assert.ok(p, 'the hog is not in the process list');
    assert.ok(p.rssKb! >= 64 * 1024, `RSS ${p.rssKb} kB < 64 MiB`);
    assert.ok(p.rssAnonKb! >= 60 * 1024);
    assert.equal(p.oomScoreAdj, 500);
    assert.ok(p.oomScore! >= 500, `oom_score ${p.oomScore} should include the +500 adj`);
    assert.ok(p.pssKb! > 60 * 1024 && p.ussKb! > 60 * 1024, 'PSS/USS from smaps_rollup');
    assert.equal(p.user, process.getuid?.() === 0 ? 'root' : p.user);
    assert.ok(collectMs < 10_000);
    const ppid = report.processes.find((x) => x.pid === process.pid);
    assert.equal(ppid?.comm, 'node');
  });

  for (const shell of ['dash', 'busybox']) {
    it(`the same script runs under ${shell} with the same result`, async function () {
      const bin = which(shell);
      if (!bin) missingDependency(this, `${shell} is not installed (apt-get install ${shell})`);
      const host = new LocalHost();
      const cmd = shell === 'busybox' ? 'busybox sh -s' : 'dash -s';
      const before = procPids();
      const res = await host.exec(cmd, { stdin: snapshotScript() });
      const raw = parseSnapshotOutput(res.stdout, res.stderr);
      assert.ok(raw.complete, `${shell}: the script did not finish: ${res.stderr.slice(0, 300)}`);
      const report = buildReport(raw, host);
      assertAllLongLived(
        report.processes.map((x) => x.pid),
        before,
      );
      assert.equal(report.memory.totalKb, meminfoKb('MemTotal'));
      const p = report.processes.find((x) => x.pid === hog.pid);
      assert.equal(p?.oomScoreAdj, 500);
      assert.ok(p!.pssKb! > 60 * 1024);
    });
  }
});
