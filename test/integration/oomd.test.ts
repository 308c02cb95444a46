// The real oomd (facebookincubator/oomd, Debian package 0.5.0) kills a cgroup the test made, and
// both things it prints are read as one OOM event: its own log (stderr) and the line it writes to
// the kernel log (here --kmsg-override to a file, so the host's dmesg stays clean for the other
// tests). Its rule is "the test's cgroup exists" -> kill_by_pressure among that cgroup's children
// only: the test's victim is the only process it can pick.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingDependency, skipLoudly, which } from './helpers';
import { growBinary } from './support/oomKill';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

/** Where a cgroup2 hierarchy is mounted (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
function cgroup2Mount(): string | null {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const f = line.split(' ');
    if (f[2] === 'cgroup2') return f[1];
  }
  return null;
}

function waitFor(p: ChildProcess, out: () => string, re: RegExp, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (re.test(out()) || Date.now() - t0 > ms || p.exitCode !== null) {
        clearInterval(tick);
        resolve();
      }
    }, 100);
  });
}

describe('oomd: a real userspace OOM kill (Debian oomd 0.5.0), read as an OOM event', function () {
  this.timeout(60_000);
  let dir = '';
  let cg = '';

  before(function () {
    if (!which('oomd')) missingDependency(this, 'oomd (Debian package oomd) is not installed');
    if (!which('gcc')) missingDependency(this, 'gcc is needed to build the child');
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root to make a cgroup');
    const mount = cgroup2Mount();
    if (!mount) skipLoudly(this, 'no cgroup2 hierarchy is mounted on this host');
    dir = mkdtempSync(join(tmpdir(), 'oomlens-oomd-'));
    cg = join(mount, `oomlens-oomd-${process.pid}`);
    mkdirSync(join(cg, 'victim.scope'), { recursive: true });
  });

  after(() => {
    for (const d of [join(cg, 'victim.scope'), cg]) {
      for (let i = 0; i < 30 && d && existsSync(d); i++) {
        try {
          rmdirSync(d);
        } catch {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
        }
      }
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('oomd kills the cgroup: its log and its kernel-log line are one userspace-kill with the pid, the cgroup, the rule and the plugin', async () => {
    const victim = join(dir, 'oomlens-od');
    copyFileSync(growBinary(), victim);
    chmodSync(victim, 0o755);
    const name = cg.slice(cg.lastIndexOf('/') + 1);
    const child = spawn('sh', ['-c', `echo $$ > ${join(cg, 'victim.scope', 'cgroup.procs')} && exec "$0" 1 100 2`, victim], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    const conf = join(dir, 'oomd.json');
    writeFileSync(
      conf,
      JSON.stringify({
        rulesets: [
          {
            name: 'oomlens test',
            detectors: [['victim exists', { name: 'exists', args: { cgroup: `${name}/victim.scope` } }]],
            actions: [{ name: 'kill_by_pressure', args: { cgroup: `${name}/*`, resource: 'memory' } }],
          },
        ],
      }),
    );
    const kmsg = join(dir, 'kmsg');
    const mount = cg.slice(0, cg.lastIndexOf('/'));
    const oomd = spawn('oomd', ['--config', conf, '--cgroup-fs', mount, '--interval', '1', '--kmsg-override', kmsg, '--runtime-dir', join(dir, 'run')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    oomd.stdout!.on('data', (b: Buffer) => (log += b.toString('utf8')));
    oomd.stderr!.on('data', (b: Buffer) => (log += b.toString('utf8')));
    await waitFor(oomd, () => log, /killer:kill_by_pressure v2/, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    oomd.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    assert.equal(child.signalCode, 'SIGKILL', `the victim was killed by oomd: ${log}`);

    const fromLog = parseOomEvents(log).events;
    assert.equal(fromLog.length, 1, `one kill from oomd's log: ${JSON.stringify(fromLog)}\n${log}`);
    const e = fromLog[0];
    assert.equal(e.kind, 'userspace-kill');
    assert.deepEqual([e.victim?.pid, e.victim?.comm], [child.pid, 'oomlens-od']);
    const u = e.userspace!;
    assert.deepEqual(
      [u.killer, u.signal, u.cgroup, u.ruleset, u.detectorGroup, u.plugin, u.processesKilled, u.reason],
      ['oomd', 'SIGKILL', `/${name}/victim.scope`, 'oomlens test', 'victim exists', 'kill_by_pressure', 1, 'memory-pressure'],
    );
    assert.equal(e.taskMemcg, `/${name}/victim.scope`);

    // the kernel-log line alone (what dmesg shows): the same kill, without a pid
    const kline = readFileSync(kmsg, 'utf8');
    assert.match(kline, /^oomd kill: /);
    const fromKmsg = parseOomEvents(`[ 1234.567890] ${kline}`).events;
    assert.equal(fromKmsg.length, 1, JSON.stringify(fromKmsg));
    assert.deepEqual(
      [fromKmsg[0].userspace?.cgroup, fromKmsg[0].userspace?.plugin, fromKmsg[0].uptimeSeconds],
      [`/${name}/victim.scope`, 'kill_by_pressure', 1234.56789],
    );
    // both in one input (a journal that holds oomd's log and the kernel's): still one kill
    assert.equal(parseOomEvents(`${log}\n${kline}`).events.length, 1);
  });
});
