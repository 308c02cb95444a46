// oomd's kills (facebookincubator/oomd): the real Debian 0.5.0 output recorded here
// (test/fixtures/userspace-oom/oomd-0.5.0-debian.txt), and its kernel-log line as dmesg shows it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

const real = readFileSync(join(__dirname, '..', 'fixtures', 'userspace-oom', 'oomd-0.5.0-debian.txt'), 'utf8');
const [log, kline] = real.split('--- the kernel-log line (--kmsg-override):\n');
const kills = (text: string) => parseOomEvents(text).events.filter((e) => e.kind === 'userspace-kill' && e.userspace?.killer === 'oomd');
const facts = (text: string) =>
  kills(text).map((e) => [
    e.victim?.pid ?? null,
    e.victim?.comm ?? null,
    e.userspace?.cgroup,
    e.userspace?.plugin,
    e.userspace?.ruleset,
    e.userspace?.detectorGroup,
    e.userspace?.processesKilled,
  ]);

const KILL = [18524, 'oomlens-od', '/oomlens-od/victim.scope', 'kill_by_pressure', 'oomlens test', 'victim exists', 1];

describe('oomd kills (userspace; its kmsg line is in the kernel log)', () => {
  it('real 0.5.0 log: one kill, though "Killed 1:" is printed twice; pid, cgroup, rule, detector group, plugin', () => {
    assert.deepEqual(facts(log), [KILL]);
    const [e] = kills(log);
    assert.deepEqual(
      [e.scope, e.taskMemcg, e.userspace?.signal, e.userspace?.reason, e.userspace?.pressurePercent, e.userspace?.cgroupUsageBytes],
      ['memcg', '/oomlens-od/victim.scope', 'SIGKILL', 'memory-pressure', 0, 0],
    );
  });

  it('its kernel-log line alone, as dmesg prints it deep in a big log: the kill, its cgroup and pressures, no pid', () => {
    const filler = Array.from({ length: 4000 }, (_, i) => `[ ${(100 + i / 10).toFixed(6)}] eth0: link ${i % 2 ? 'up' : 'down'}`).join('\n');
    const line = kline.trim().replace('0.00 0.00 0.00', '63.10 40.02 9.87').replace(' 0 ruleset', ' 851443712 ruleset');
    const evs = kills(`${filler}\n[ 2000.123456] ${line}\n${filler}\n`);
    assert.equal(evs.length, 1);
    assert.deepEqual(
      [evs[0].victim, evs[0].uptimeSeconds, evs[0].userspace?.pressurePercent, evs[0].userspace?.cgroupUsageBytes],
      [null, 2000.123456, 63.1, 851443712],
    );
  });

  it('a dry run (killer:(dry)…, "In dry-run mode; would have tried to kill") is not a kill; a pid oomd failed to kill ([E1]) is not the victim', () => {
    assert.deepEqual(kills(kline.replace('killer:', 'killer:(dry)')), []);
    const dry = log
      .replace(/\[BaseKillPlugin\.cpp:478\] Killed.*\n/g, '')
      .replace(
        /\[Log\.cpp:117\].*\n/,
        '[BaseKillPlugin.cpp:300] OOMD: In dry-run mode; would have tried to kill /sys/fs/cgroup/unified/oomlens-od/victim.scope\n',
      );
    assert.deepEqual(kills(dry), []);
    const partly = log.replace(/Killed 1: 18524\(oomlens-od\)/g, 'Killed 1: 1377(ssh-agent)[E1] 18524(oomlens-od)');
    assert.deepEqual(facts(partly), [KILL]);
  });

  it('an older oomd that prints no summary line: the "Killed" line is the kill, with the picked cgroup', () => {
    const old = log.replace(/\[Log\.cpp:117\].*\n/, '');
    assert.deepEqual(
      kills(old).map((e) => [e.victim?.pid, e.userspace?.cgroup, e.userspace?.reason]),
      [[18524, '/oomlens-od/victim.scope', 'memory-pressure']],
    );
    // in a journal, the kill keeps the time of its own "Killed" line, not of the lines read after it
    const stamped = old
      .split('\n')
      .map((l, i) => (l ? `2026-12-04T03:50:${String(i).padStart(2, '0')}.000000+0000 web1 oomd[901]: ${l}` : l))
      .join('\n');
    const killedAt = stamped
      .split('\n')
      .find((l) => l.includes('Killed 1:'))!
      .slice(0, 19);
    assert.deepEqual(
      kills(stamped).map((e) => [e.time?.slice(0, 19), e.userspace?.killerPid]),
      [[killedAt, 901]],
    );
  });

  it('property: the log in a journal (oomd[pid]: tags), with CRLF or cat -n, its kmsg copy anywhere after it, twice over: one kill per kill', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.constantFrom('', 'journal', 'catn'), fc.boolean(), fc.boolean(), (crlf, variant, withKmsg, twice) => {
        let body = log + (withKmsg ? `\nkernel: ${kline}` : '');
        if (twice) body += '\n' + body.replace(/18524/g, '18600').replace(/victim\.scope/g, 'second.scope');
        let lines = body.split('\n');
        if (variant === 'journal')
          lines = lines.map((l) => (l ? (l.startsWith('kernel: ') ? `Dec 04 03:50:00 web1 ${l}` : `Dec 04 03:50:00 web1 oomd[901]: ${l}`) : l));
        if (variant === 'catn') lines = lines.map((l, i) => `${String(i + 1).padStart(6)}\t${l}`);
        const text = lines.join(crlf ? '\r\n' : '\n');
        const got = facts(text);
        const second = [18600, 'oomlens-od', '/oomlens-od/second.scope', 'kill_by_pressure', 'oomlens test', 'victim exists', 1];
        assert.deepEqual(got, twice ? [KILL, second] : [KILL]);
        if (variant === 'journal') assert.equal(kills(text)[0].userspace?.killerPid, 901);
      }),
      { numRuns: 60 },
    );
  });
});
