// A REAL OOM kill inside a memory cgroup this test creates, then read back from the live kernel
// log through the local Host, found among the machine's other events by pid and cgroup.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { LocalHost } from '../../src/core/host/localHost';
import { readKernelLog } from '../../src/core/collect/kernelLog';
import { isRoot, skipLoudly, which, CLI, requireBuiltCli, missingDependency, cliForOtherUsers } from './helpers';
import { realOomKill, memcgRoot } from './support/oomKill';

describe('a real OOM kill in a test memory cgroup', function () {
  this.timeout(120_000);
  let kill: Awaited<ReturnType<typeof realOomKill>> | null = null;

  before(async function () {
    if (!isRoot) skipLoudly(this, 'creating a memory cgroup needs root');
    if (!memcgRoot()) skipLoudly(this, 'this kernel has no memory cgroup controller (v1 /sys/fs/cgroup/memory or v2 memory in cgroup.controllers)');
    if (!which('gcc')) missingDependency(this, 'gcc is not installed (apt-get install gcc libc6-dev)');
    kill = await realOomKill(64);
  });

  it('the kernel killed the grower with SIGKILL and the cgroup is gone', () => {
    assert.equal(kill!.signal, 'SIGKILL');
    assert.equal(existsSync(kill!.cg.fsPath), false, 'the test cgroup was not removed');
  });

  it('the live kernel log read through LocalHost yields that event with its facts', async () => {
    const log = await readKernelLog(new LocalHost());
    assert.equal(log.unreadable, false, log.warnings.join('; '));
    const e = log.events.find((x) => x.victim?.pid === kill!.pid && x.memcg === kill!.cg.path);
    assert.ok(e, `no event for pid ${kill!.pid} in ${kill!.cg.path} among ${log.events.length}; sources: ${log.sources.map((s) => s.detail).join('; ')}`);
    assert.equal(e.kind, 'kill');
    assert.equal(e.scope, 'memcg');
    assert.equal(e.constraint, 'CONSTRAINT_MEMCG');
    assert.equal(e.victim!.comm, 'oomlens-grow');
    assert.equal(e.taskMemcg, kill!.cg.path);
    assert.equal(e.container, null);
    assert.equal(e.memcgUsage?.limitKb, 64 * 1024);
    const anon = e.victim!.anonRssKb!;
    assert.ok(anon > 56 * 1024 && anon <= 64 * 1024, `anon-rss ${anon} kB is not near the 64 MiB limit`);
    assert.ok(
      e.tasks.some((t) => t.pid === kill!.pid && t.name === 'oomlens-grow'),
      'the task table lists the victim',
    );
    assert.ok(e.time && Math.abs(Date.parse(e.time) - Date.now()) < 10 * 60_000, `wall clock from the boot time: ${e.time}`);
    const src = log.sources.find((s) => s.ok && s.events > 0);
    assert.ok(src, 'a source is credited with the events');
  });

  it('oom-lens events --json (no FILE) reports it too', function () {
    requireBuiltCli();
    const r = spawnSync(process.execPath, [CLI, 'events', '--json'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.ok(out.events.some((e: { victim: { pid: number } | null; memcg: string }) => e.victim?.pid === kill!.pid && e.memcg === kill!.cg.path));
  });
});

describe('a restricted kernel log says so (never an empty list)', () => {
  it('as user nobody with dmesg_restrict=1: unreadable with the fixes', function () {
    if (!isRoot) skipLoudly(this, 'needs root to switch to user nobody');
    const setpriv = which('setpriv');
    if (!setpriv) missingDependency(this, 'setpriv (util-linux) is not installed');
    const restrict = spawnSync('cat', ['/proc/sys/kernel/dmesg_restrict'], { encoding: 'utf8' }).stdout.trim();
    if (restrict !== '1') skipLoudly(this, `kernel.dmesg_restrict is ${restrict}: dmesg is readable by everyone here`);
    requireBuiltCli();
    const r = spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliForOtherUsers(), 'events'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const readableFiles = ['/var/log/kern.log', '/var/log/messages', '/var/log/syslog'].some(
      (f) => spawnSync(setpriv, ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', f]).status === 0,
    );
    if (readableFiles) skipLoudly(this, 'a kernel log file is readable by nobody here, so the log is not restricted');
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /could not read the kernel log .* as nobody/);
    assert.match(r.stderr, /dmesg is restricted/);
    assert.match(r.stderr, /sudo -n dmesg/);
  });
});
