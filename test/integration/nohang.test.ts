// The real nohang (Debian package, 0.2.0) kills a child, and its output is read as an OOM event.
// nohang acts only when MemAvailable is at most half of MemTotal, which a test cannot make true on
// a big host without starving it. So nohang runs in a PID and mount namespace of its own
// (unshare --pid --fork --mount-proc), where /proc/meminfo is a bind-mounted copy of the real one
// with MemAvailable at 4 % (what lxcfs does for containers): only nohang believes memory is low,
// and it sees only itself and the child. Its badness rule and min_badness make the child the only
// process it may pick even so.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingDependency, skipLoudly, which } from './helpers';
import { growBinary } from './support/oomKill';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

const CONF = '/etc/nohang/nohang.conf';

/** /proc/meminfo with MemAvailable at `pct` % of MemTotal and no free swap. */
function lowMeminfo(pct: number): string {
  const real = readFileSync('/proc/meminfo', 'utf8');
  const total = Number(/^MemTotal:\s+(\d+) kB/m.exec(real)![1]);
  const kb = (n: number) => `${String(Math.round(n)).padStart(8)} kB`;
  return real
    .replace(/^MemAvailable:.*$/m, `MemAvailable:   ${kb((total * pct) / 100)}`)
    .replace(/^MemFree:.*$/m, `MemFree:        ${kb((total * pct) / 200)}`)
    .replace(/^SwapFree:.*$/m, `SwapFree:       ${kb(0)}`);
}

function runNohang(dir: string, victim: string): Promise<{ output: string; victimPid: number | null }> {
  const conf = join(dir, 'nohang.conf');
  const text = readFileSync(CONF, 'utf8').replace(/^min_badness = .*$/m, 'min_badness = 2500');
  writeFileSync(conf, `${text}\n@BADNESS_ADJ_RE_NAME 3000 /// ^oomlens-nh$\n`);
  const meminfo = join(dir, 'meminfo');
  writeFileSync(meminfo, lowMeminfo(4));
  const inner = `mount --bind "$1" /proc/meminfo || exit 9; "$2" 1 100 2 >/dev/null & echo "victim=$!"; exec nohang --monitor -c "$3" 2>&1`;
  const p = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', 'sh', '-c', inner, 'sh', meminfo, victim, conf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      p.kill('SIGKILL');
    };
    const timer = setTimeout(finish, 30_000);
    const take = (b: Buffer) => {
      output += b.toString('utf8');
      if (/The victim (?:died|became a zombie) in|doesn't respond/.test(output)) setTimeout(finish, 300);
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('error', reject);
    p.on('exit', () => {
      clearTimeout(timer);
      const m = /^victim=(\d+)$/m.exec(output);
      resolve({ output, victimPid: m ? Number(m[1]) : null });
    });
  });
}

describe('nohang: a real userspace OOM kill (Debian nohang 0.2.0), read as an OOM event', function () {
  this.timeout(60_000);
  let dir = '';

  before(function () {
    if (!which('nohang')) missingDependency(this, 'nohang (Debian package nohang) is not installed');
    if (!which('unshare')) missingDependency(this, 'unshare (util-linux) is not installed');
    if (!which('gcc')) missingDependency(this, 'gcc is needed to build the child');
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root for a PID and mount namespace');
    dir = mkdtempSync(join(tmpdir(), 'oomlens-nohang-'));
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('nohang (its /proc/meminfo a low-memory copy in its own mount namespace) SIGTERMs the child: one userspace-kill with that pid, the thresholds, badness and RSS', async () => {
    // 15 characters at most: the name nohang matches is the kernel's comm
    const victim = join(dir, 'oomlens-nh');
    copyFileSync(growBinary(), victim);
    chmodSync(victim, 0o755);
    const r = await runNohang(dir, victim);
    assert.ok(r.victimPid, r.output);
    assert.match(r.output, /Implementing a corrective action:\n\s+Sending SIGTERM to the victim/, r.output);
    const result = parseOomEvents(r.output, { kind: 'test', detail: 'nohang output' });
    const kills = result.events.filter((e) => e.kind === 'userspace-kill');
    assert.equal(kills.length, 1, `one kill, though nohang went on checking after it: ${JSON.stringify(result.events)}`);
    assert.equal(result.events.length, 1, JSON.stringify(result.events));
    const [e] = kills;
    assert.equal(e.userspace?.killer, 'nohang');
    assert.equal(e.victim?.pid, r.victimPid);
    assert.equal(e.victim?.comm, 'oomlens-nh');
    assert.equal(e.userspace?.signal, 'SIGTERM');
    assert.equal(e.userspace?.reason, 'low-memory');
    assert.equal(e.userspace?.memAvailablePercent, 4);
    assert.equal(e.userspace?.memLimitPercent, 5);
    assert.ok((e.userspace?.badness ?? 0) >= 3000, `badness ${e.userspace?.badness} has the +3000 of the name rule`);
    assert.ok(e.userspace?.vmRssKb !== null && e.userspace!.vmRssKb! < 64 * 1024, JSON.stringify(e.userspace));
    assert.ok(e.userspace?.exitedAfterSeconds !== null && e.userspace!.exitedAfterSeconds! < 10, JSON.stringify(e.userspace));
  });
});
