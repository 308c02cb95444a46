import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSnapshotFrames, parseSnapshotOutput, foreignStderr } from '../../src/core/parse/snapshotFrames';
import { buildReport } from '../../src/core/collect/snapshot';
import { snapshotScript } from '../../src/core/collect/snapshotScript';
import { FRAME } from '../../src/core/parse/frame';
import type { Host } from '../../src/core/host/host';

const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8');
const host = { name: 'fixture-host', via: 'ssh' } as Host;

describe('snapshot frames -> report', () => {
  const raw = parseSnapshotFrames(fixture);
  const r = buildReport(raw, host);

  it('reads meminfo exactly as the file says', () => {
    const line = fixture.split('\n').find((l) => l.startsWith('meminfo:MemTotal:'))!;
    assert.equal(r.memory.totalKb, Number(/(\d+) kB/.exec(line)![1]));
    assert.equal(r.memory.swapTotalKb, 0);
    assert.equal(r.host.via, 'ssh');
    assert.equal(r.host.kernel, raw.meta.kernel);
    assert.ok(raw.complete);
  });

  it('keeps per-file failures, and gives null (not 0) where smaps_rollup was not readable', () => {
    const pid1 = r.processes.find((p) => p.pid === 1)!;
    assert.ok(raw.errors.some((e) => e.path === '1/smaps_rollup' && e.reason === 'Permission denied'));
    assert.equal(pid1.pssKb, null);
    assert.equal(pid1.ussKb, null);
    assert.ok(pid1.rssKb! > 0);
    assert.ok(r.warnings.some((w) => /smaps_rollup not readable for 1 process/.test(w)));
  });

  it('computes USS = Private_Clean + Private_Dirty and sorts by RSS', () => {
    const withRollup = r.processes.filter((p) => p.ussKb !== null);
    assert.ok(withRollup.length >= 5);
    const p = withRollup[0];
    const clean = Number(new RegExp(`^${p.pid}/smaps_rollup:Private_Clean:\\s+(\\d+)`, 'm').exec(fixture)![1]);
    const dirty = Number(new RegExp(`^${p.pid}/smaps_rollup:Private_Dirty:\\s+(\\d+)`, 'm').exec(fixture)![1]);
    assert.equal(p.ussKb, clean + dirty);
    for (let i = 1; i < r.processes.length; i++) assert.ok((r.processes[i - 1].rssKb ?? -1) >= (r.processes[i].rssKb ?? -1));
  });

  it('leaves kernel threads without RSS and resolves users from passwd', () => {
    const kthreadd = r.processes.find((p) => p.comm === 'kthreadd');
    assert.ok(kthreadd, 'the fixture has the kernel thread kthreadd');
    assert.equal(kthreadd.rssKb, null);
    assert.ok(r.processes.every((p) => p.uid !== 0 || p.user === 'root'));
  });

  it('turns NULs in cmdline into spaces', () => {
    assert.ok(r.processes.some((p) => p.cmdline && / /.test(p.cmdline) && !p.cmdline.includes('\0')));
  });

  it('never throws on garbage, truncation or an empty answer', () => {
    for (const text of ['', 'garbage\n\0\0', fixture.slice(0, 5000), fixture.replace(/@@oomlens end/, '')]) {
      const rep = buildReport(parseSnapshotFrames(text), host);
      assert.equal(rep.version, 1);
    }
    assert.equal(parseSnapshotFrames(fixture.slice(0, 5000)).complete, false);
    assert.ok(buildReport(parseSnapshotFrames(fixture.slice(0, 20000)), host).warnings.some((w) => /did not finish/.test(w)));
  });

  it('a cmdline with a newline inside stays with its process', () => {
    const text = `${FRAME} procs\n42/status:Name:\tx\n42/status:VmRSS:\t10 kB\n42/cmdline:a\0line one\nline two\0\n43/status:Name:\ty\n${FRAME} end\n`;
    const rep = buildReport(parseSnapshotFrames(text), host);
    assert.equal(rep.processes.find((p) => p.pid === 42)!.cmdline, 'a line one\nline two');
  });

  it('argv keeps argument boundaries; exe is where /proc/PID/exe points (ls -l), with spaces and "(deleted)" kept', () => {
    const text =
      `${FRAME} procs\n42/status:Name:\tx\n42/cmdline:/usr/bin/my app\0--name=a b\0\n43/status:Name:\ty\n43/cmdline:y\0\n44/status:Name:\tkworker\n` +
      `${FRAME} exe\nlrwxrwxrwx 1 root root 0 Dec  3 12:00 42/exe -> /usr/bin/my app\nlrwxrwxrwx 1 app  app  0 Dec  3 12:00 43/exe -> /opt/y (deleted)\n${FRAME} end\n`;
    const rep = buildReport(parseSnapshotFrames(text), host);
    const by = (pid: number) => rep.processes.find((p) => p.pid === pid)!;
    assert.deepEqual([by(42).argv, by(42).exe], [['/usr/bin/my app', '--name=a b'], '/usr/bin/my app']);
    assert.deepEqual([by(43).argv, by(43).exe], [['y'], '/opt/y (deleted)']);
    assert.deepEqual([by(44).argv, by(44).exe], [null, null], 'a kernel thread has neither');
  });

  it("the two streams of the collector: processes of both halves merge; complete only when both ended; sudo's words are told apart", () => {
    const out = `${FRAME} meta\nkernel 6.1\n${FRAME} files\nmeminfo:MemTotal: 1000 kB\n${FRAME} procs\n12/status:Name:\ta\n12/status:VmRSS:\t10 kB\n${FRAME} end\n`;
    const err = `${FRAME} meta\nnow 1700000000\n${FRAME} procs\n17/status:Name:\tb\n17/smaps_rollup:Pss:\t5 kB\ngrep: 19/status: No such file or directory\n${FRAME} cgroups\n/sys/fs/cgroup/x/memory.max:max\n${FRAME} end\n`;
    const raw = parseSnapshotOutput(out, err);
    assert.deepEqual([...raw.procs.keys()].sort(), [12, 17]);
    assert.equal(raw.procs.get(17)!.rollup!.Pss, '5 kB');
    assert.deepEqual({ kernel: raw.meta.kernel, now: raw.meta.now }, { kernel: '6.1', now: '1700000000' });
    assert.deepEqual(raw.cgroupFiles.get('/sys/fs/cgroup/x/memory.max'), ['max']);
    assert.deepEqual(raw.errors, [{ path: '19/status', reason: 'No such file or directory' }]);
    assert.equal(raw.complete, true);
    assert.equal(parseSnapshotOutput(out, err.replace(`${FRAME} end\n`, '')).complete, false, 'the background half did not finish');
    assert.equal(parseSnapshotOutput(out.replace(`${FRAME} end\n`, ''), err).complete, false);
    assert.deepEqual(foreignStderr(`sudo: a password is required\n${err}`), ['sudo: a password is required']);
  });

  it('the generated script has no bash-isms', () => {
    const s = snapshotScript();
    for (const bashism of ['[[', '$(<', '<<<', 'function ', 'local ', '${!', '&>', 'source ']) assert.ok(!s.includes(bashism), bashism);
  });
});
