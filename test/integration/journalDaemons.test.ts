// The userspace OOM killers' journal for real: a REAL systemd-journald (Debian's systemd package;
// systemd is not PID 1 here, so journald runs on its own) in a private mount namespace whose
// /run/systemd and /run/log are tmpfs, so the host's /run is untouched. It imports the kernel's
// ring buffer like any journald, and takes earlyoom's lines through systemd-cat -t earlyoom (the
// identifier earlyoom's unit logs under). The diagnosis' kernel-log read and the live follow run
// inside that namespace (nsenter -m) exactly as on a host with journald.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readKernelLog } from '../../src/core/collect/kernelLog';
import { followKernelLog } from '../../src/core/collect/logFollow';
import type { Host } from '../../src/core/host/host';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { shQuote } from '../../src/core/shell';
import { missingDependency, rewritingLocalHost, skipLoudly, which } from './helpers';

const JOURNALD = ['/lib/systemd/systemd-journald', '/usr/lib/systemd/systemd-journald'].find((p) => existsSync(p));

const earlyoomKill = (pid: number, name: string) => [
  'low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%',
  `sending SIGTERM to process ${pid} uid 1000 "${name}": badness 700, VmRSS 2100 MiB`,
  'process exited after 0.3 seconds',
];

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  for (const t0 = Date.now(); Date.now() - t0 < ms; await new Promise((r) => setTimeout(r, 100))) if (cond()) return true;
  return cond();
}

describe('the userspace OOM killers in a REAL journald (private mount namespace)', function () {
  this.timeout(90_000);
  let keeper: ChildProcess | null = null;
  let host: Host;
  const log = (lines: string[]) => {
    // one systemd-cat per line, as a daemon logs them one by one
    for (const l of lines) {
      const r = spawnSync('nsenter', ['-t', String(keeper!.pid), '-m', '--', 'systemd-cat', '-t', 'earlyoom'], { input: l + '\n' });
      assert.equal(r.status, 0, String(r.stderr));
    }
  };

  before(async function () {
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root for a mount namespace and journald');
    if (!JOURNALD || !which('journalctl') || !which('systemd-cat'))
      missingDependency(this, 'systemd-journald, journalctl and systemd-cat (Debian package systemd) are not installed');
    if (!which('nsenter') || !which('unshare')) missingDependency(this, 'nsenter and unshare (util-linux) are not installed');
    const setup = [
      'mkdir -p /run/systemd /run/log',
      'mount -t tmpfs oomlens-journal /run/systemd',
      'mount -t tmpfs oomlens-journal /run/log',
      'mkdir -p /run/systemd/journal',
      `${JOURNALD} </dev/null >/dev/null 2>&1 &`,
      'for i in $(seq 1 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done',
      'echo ready',
      // the namespace lives as long as this shell; journald dies with it (SIGKILL to the group)
      'exec sleep 600',
    ].join('\n');
    keeper = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', setup], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    let out = '';
    keeper.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    assert.ok(await until(() => out.includes('ready'), 15_000), 'journald did not start');
    // this machine inside the namespace of the keeper (its mounts: the private journal)
    const pid = keeper.pid!;
    host = rewritingLocalHost('journal-ns', (c, o) => [`exec nsenter -t ${pid} -m -- sh -c ${shQuote(c)}`, o]);
  });

  after(() => {
    if (keeper?.pid) {
      try {
        process.kill(-keeper.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });

  it("the diagnosis' kernel-log read: the journal source holds the kernel's messages, the oom-daemons source earlyoom's kill", async () => {
    log(earlyoomKill(4321, 'firefox'));
    const r = await readKernelLog(host);
    const journal = r.sources.find((s) => s.source === 'journal');
    assert.ok(journal && journal.ok && journal.lines > 0, JSON.stringify(r.sources));
    const daemons = r.sources.find((s) => s.source === 'oom-daemons');
    assert.ok(daemons, JSON.stringify(r.sources));
    assert.deepEqual([daemons.ok, daemons.lines, daemons.events], [true, 3, 1], daemons.detail);
    const kill = r.events.find((e) => e.userspace?.killer === 'earlyoom');
    assert.deepEqual([kill?.victim?.pid, kill?.victim?.comm, kill?.userspace?.signal, kill?.userspace?.exitedAfterSeconds], [4321, 'firefox', 'SIGTERM', 0.3]);
    assert.match(kill?.time ?? '', /^\d{4}-\d{2}-\d{2}T/, 'the journal gives it a wall clock');
  });

  it('the live follow (journalctl -b -f … + SYSLOG_IDENTIFIER=…): a NEW earlyoom kill arrives as an event within 5 s; the one before the follow does not', async () => {
    const events: OomEvent[] = [];
    const sources: string[] = [];
    const ac = new AbortController();
    const done = followKernelLog(host, { signal: ac.signal, onEvent: (e) => events.push(e), onSource: (s) => sources.push(s.source) });
    try {
      assert.ok(await until(() => sources.length > 0, 10_000), 'no source');
      assert.equal(sources[0], 'journal');
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      log(earlyoomKill(5555, 'chromium'));
      assert.ok(
        await until(() => events.some((e) => e.victim?.pid === 5555), 5000),
        `no event for the new kill: ${JSON.stringify(events.map((e) => [e.kind, e.victim?.pid]))}`,
      );
      console.log(`      earlyoom kill event ${Date.now() - t0} ms after it was logged`);
      assert.ok(!events.some((e) => e.victim?.pid === 4321), 'the kill logged before the follow started is not new');
    } finally {
      ac.abort();
      await done.catch(() => undefined);
    }
  });
});
