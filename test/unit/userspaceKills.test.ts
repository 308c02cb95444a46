import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import { parseTimespan } from '../../src/core/parse/kernelLog/userspaceKills';
import { runFindings } from '../../src/core/analyze/findings';
import { eventWhat, renderEventsText } from '../../src/core/report/eventsText';
import { quietReport } from '../fixtures/analyze/reports';

const DIR = join(__dirname, '..', 'fixtures', 'userspace-oom');
const read = (f: string) => readFileSync(join(DIR, f), 'utf8');
const kills = (text: string): OomEvent[] => {
  const r = parseOomEvents(text);
  for (const e of r.events) assert.equal(e.kind, 'userspace-kill', JSON.stringify(e));
  return r.events;
};

// Published systemd-oomd lines (test/fixtures/userspace-oom/README.md says where each is from):
// systemd-oomd needs systemd as PID 1, which this machine does not run.
describe('systemd-oomd kills (published journal lines)', () => {
  it('memory pressure (kitty #5743): the cgroup, the monitored cgroup, 77.97% > 50.00% for 20 s, 65 processes', () => {
    const [e, ...more] = kills(read('oomd-kitty-fedora-pressure.txt'));
    assert.equal(more.length, 0);
    const u = e.userspace!;
    assert.equal(u.killer, 'systemd-oomd');
    assert.equal(u.killerPid, 970);
    assert.equal(u.reason, 'memory-pressure');
    assert.equal(u.signal, 'SIGKILL');
    assert.equal(u.cgroup, '/user.slice/user-1000.slice/user@1000.service/app.slice/app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope');
    assert.equal(u.monitoredCgroup, '/user.slice/user-1000.slice/user@1000.service');
    assert.equal(u.pressurePercent, 77.97);
    assert.equal(u.pressureLimitPercent, 50);
    assert.equal(u.pressureDurationSeconds, 20);
    assert.equal(u.processesKilled, 65);
    assert.equal(e.taskMemcg, u.cgroup);
    assert.equal(e.host, 'fedora');
    assert.equal(e.timeText, 'Dec 04 20:15:55');
    assert.equal(e.container?.runtime, 'systemd');
    assert.equal(e.victim, null);
    assert.deepEqual(e.lines, { first: 1, last: 1 });
  });

  it('memory pressure (systemd #23606): 51.07% > 50.00%, 12 processes', () => {
    const [e] = kills(read('oomd-ubuntu-vte-pressure.txt'));
    assert.equal(e.userspace!.pressurePercent, 51.07);
    assert.equal(e.userspace!.processesKilled, 12);
    assert.match(e.userspace!.cgroup!, /vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2\.scope$/);
  });

  it('v257 "Marked … for killing" under dmesg-style stamps (PR #42321): one kill; the monitor and candidate lines are not kills', () => {
    const [e, ...more] = kills(read('oomd-centos-test55-marked.txt'));
    assert.equal(more.length, 0);
    assert.equal(e.userspace!.cgroup, '/system.slice/systemd-journald.service');
    assert.equal(e.userspace!.monitoredCgroup, '/system.slice');
    assert.equal(e.userspace!.pressurePercent, 85.03);
    assert.equal(e.userspace!.pressureLimitPercent, 80);
    assert.equal(e.userspace!.pressureDurationSeconds, 2);
    assert.equal(e.userspace!.killerPid, 659);
    assert.equal(e.uptimeSeconds, 77.74967);
    assert.equal(e.userspace!.processesKilled, 1);
    assert.equal(e.lines.first, 7);
  });

  it('a kill line wrapped onto two lines, with no host (overdeck #2390)', () => {
    const [e] = kills(read('oomd-tmux-wrapped.txt'));
    assert.equal(e.userspace!.cgroup, '/user.slice/user-1000.slice/user@1000.service/app.slice/overdeck-tmux-server.service');
    assert.equal(e.userspace!.pressurePercent, 56.11);
    assert.equal(e.userspace!.processesKilled, 55);
    assert.equal(e.userspace!.killerPid, 1599);
    assert.deepEqual(e.lines, { first: 2, last: 3 });
  });

  it('the swap rule (v250+ wording, journalctl -o short-iso): both kills, bytes as printed, the time in UTC', () => {
    const es = kills(read('oomd-swap-iso-journal.txt'));
    assert.equal(es.length, 2);
    const u = es[0].userspace!;
    assert.equal(u.reason, 'swap-used');
    assert.equal(u.memoryUsedBytes, 22369452032);
    assert.equal(u.memoryTotalBytes, 24681861120);
    assert.equal(u.swapUsedBytes, 8589910016);
    assert.equal(u.swapTotalBytes, 8589930496);
    assert.equal(u.usedLimitPercent, 90);
    assert.equal(es[0].time, '2026-08-27T05:51:41.000Z'); // 15:51:41 at +10:00
    assert.equal(es[0].host, 'AVANCE-WS7');
    assert.equal(es[1].userspace!.cgroup, '/user.slice/user-1002.slice/user@1002.service/app.slice/app-org.chromium.Chromium-3905462.scope');
  });

  it("v248's swap-only wording (built from the format string in oomd-manager.c; no published sample found)", () => {
    const [e] = kills(
      'Mar 29 01:08:45 fedora systemd-oomd[1003]: Killed /user.slice/app.slice/leaky.service due to swap used (1900000000) / total (2000000000) being more than 90.00%\n',
    );
    assert.equal(e.userspace!.swapUsedBytes, 1900000000);
    assert.equal(e.userspace!.memoryUsedBytes, null);
    assert.equal(e.userspace!.usedLimitPercent, 90);
  });

  it('another program\'s "Killed … due to" is not an oomd kill', () => {
    assert.deepEqual(parseOomEvents('Jun 1 10:00:00 h cron[5]: Killed /tmp/job due to timeout\n').events, []);
  });

  it('systemd time spans', () => {
    assert.equal(parseTimespan('20s'), 20);
    assert.equal(parseTimespan('1min 30s'), 90);
    assert.equal(parseTimespan('500ms'), 0.5);
    assert.equal(parseTimespan('soon'), null);
  });
});

describe('earlyoom kills (recorded from the real earlyoom 1.7 here)', () => {
  it('a real kill: pid, name, uid, badness, VmRSS, its limits and what it last saw, the exit', () => {
    const [e, ...more] = kills(read('earlyoom-1.7-kill.txt'));
    assert.equal(more.length, 0);
    // The file's lines 7-10, read by hand.
    assert.deepEqual(
      { pid: e.victim!.pid, comm: e.victim!.comm, uid: e.victim!.uid },
      {
        pid: 2,
        comm: 'leakychild',
        uid: 0,
      },
    );
    const u = e.userspace!;
    assert.equal(u.killer, 'earlyoom');
    assert.equal(u.reason, 'low-memory');
    assert.equal(u.signal, 'SIGTERM');
    assert.equal(u.badness, 971);
    assert.equal(u.vmRssKb, 169 * 1024);
    assert.equal(u.memLimitPercent, 97.47);
    assert.equal(u.swapLimitPercent, 10);
    assert.equal(u.memAvailablePercent, 97.43);
    assert.equal(u.swapFreePercent, 0);
    assert.equal(u.exitedAfterSeconds, 0.1);
    assert.equal(e.lines.first, 9);
  });

  it('--dryrun: the same "sending" line followed by "dryrun, not actually sending any signal" is no kill', () => {
    const text = read('earlyoom-1.7-dryrun.txt');
    assert.match(text, /sending SIGTERM to process \d+/);
    assert.deepEqual(parseOomEvents(text).events, []);
    // Without the start banner too: the line after the "sending" line decides.
    const body = text
      .split('\n')
      .filter((l) => !l.startsWith('dryrun mode'))
      .join('\n');
    assert.deepEqual(parseOomEvents(body).events, []);
  });

  it('"Could not find a process to kill" and "kill failed" are not kills', () => {
    assert.deepEqual(
      parseOomEvents('low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%\nCould not find a process to kill. Sleeping 1 second.\n').events,
      [],
    );
    const r = parseOomEvents('sending SIGTERM to process 1234 uid 1000 "firefox": badness 700, VmRSS 2100 MiB\nkill failed: No such process\n');
    assert.deepEqual(r.events, []);
    assert.match(r.warnings[0], /^line 2: earlyoom could not kill/);
  });

  it('in the journal: the tag gives the killer pid; escalation to SIGKILL; a quoted name with quotes', () => {
    const text = [
      'Jun 20 12:47:02 laptop earlyoom[812]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%',
      'Jun 20 12:47:02 laptop earlyoom[812]: sending SIGTERM to process 1234 uid 1000 "my "web" app": badness 700, VmRSS 2100 MiB',
      'Jun 20 12:47:02 laptop kernel: usb 1-1: new high-speed USB device number 5 using xhci_hcd',
      'Jun 20 12:47:03 laptop earlyoom[812]: escalating to SIGKILL after 1.0 seconds',
      'Jun 20 12:47:03 laptop earlyoom[812]: process exited after 1.2 seconds',
      '',
    ].join('\n');
    const [e, ...more] = kills(text);
    assert.equal(more.length, 0);
    assert.equal(e.victim!.pid, 1234);
    assert.equal(e.victim!.comm, 'my "web" app');
    assert.equal(e.victim!.uid, 1000);
    assert.equal(e.userspace!.killerPid, 812);
    assert.equal(e.userspace!.signal, 'SIGKILL');
    assert.equal(e.userspace!.exitedAfterSeconds, 1.2);
    assert.equal(e.userspace!.memLimitPercent, 10);
    assert.equal(e.host, 'laptop');
  });

  it('a kill line at the end of the input is a kill (nothing said it was a dry run)', () => {
    const [e] = kills('sending SIGKILL to process 99 uid 0 "x": badness 1000, VmRSS 5 MiB\n');
    assert.equal(e.victim!.pid, 99);
    assert.equal(e.userspace!.signal, 'SIGKILL');
  });
});

describe('userspace kills in findings and the events table', () => {
  it('oom-killed names systemd-oomd, the unit, and why, with its numbers', () => {
    const events = parseOomEvents(read('oomd-kitty-fedora-pressure.txt')).events;
    const [f] = runFindings({ ...quietReport(), events }).filter((x) => x.id === 'oom-killed');
    assert.match(f.title, /^app-kitty-47f7730eb1474ba3848f1b5d6135a33f\.scope was killed by systemd-oomd$/);
    assert.match(f.detail, /memory pressure on \/user\.slice\/user-1000\.slice\/user@1000\.service was 77\.97%, above its limit of 50\.00%/);
    assert.match(f.detail, /65 processes/);
    assert.equal(f.evidence.killer, 'systemd-oomd');
    assert.ok(f.remedies.some((r) => r.commands.includes('oomctl')));
  });

  it('oom-killed names earlyoom and the process', () => {
    const events = parseOomEvents(read('earlyoom-1.7-kill.txt')).events;
    const [f] = runFindings({ ...quietReport(), events }).filter((x) => x.id === 'oom-killed');
    assert.match(f.title, /^leakychild \(2\) was killed by earlyoom: VmRSS 169(\.0)? MiB$/);
    assert.match(f.detail, /earlyoom sent SIGTERM/);
    assert.match(f.detail, /mem 97\.47%, swap 10\.00%/);
    assert.equal(f.evidence.killer, 'earlyoom');
  });

  it('the events table says who killed', () => {
    const events = parseOomEvents(read('oomd-ubuntu-vte-pressure.txt') + read('earlyoom-1.7-kill.txt')).events;
    assert.deepEqual(events.map(eventWhat), ['killed by systemd-oomd', 'killed by earlyoom']);
    const text = renderEventsText(events);
    assert.match(text, /vte-spawn-dbb4a75e-031f-480d-924b-5de5af7579d2\.scope/);
    assert.match(text, /leakychild/);
  });
});
