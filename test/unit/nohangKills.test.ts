// nohang's kills, in the shapes of its v0.1 and v0.2 logs as users post them in its issue tracker
// (journal with a localized month, plain stdout, nohang-desktop; values here are our own).
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import type { UserspaceKill } from '../../src/core/model/oomEvent';

const debian = readFileSync(join(__dirname, '..', 'fixtures', 'userspace-oom', 'nohang-0.2.0-debian.txt'), 'utf8');

/** What a nohang kill says of its signal, the victim's badness and RSS, the thresholds and the death. */
const killFacts = (u: UserspaceKill) => [
  u.signal,
  u.badness,
  u.vmRssKb,
  u.memAvailablePercent,
  u.memLimitPercent,
  u.swapFreePercent,
  u.swapLimitPercent,
  u.exitedAfterSeconds,
];
const kills = (text: string) => parseOomEvents(text).events.filter((e) => e.kind === 'userspace-kill' && e.userspace?.killer === 'nohang');

// v0.2 through the journal (nohang-desktop): a memory-threshold round, the victim block, SIGTERM, death.
const v02 = `Feb 12 14:31:40 laptop nohang-desktop[11871]: >----- implement_corrective_action() ------------------>
Feb 12 14:31:40 laptop nohang-desktop[11871]: Memory status that requires corrective actions:
Feb 12 14:31:40 laptop nohang-desktop[11871]:   MemAvailable [263 MiB, 2.7 %] <= soft_threshold_min_mem [491 MiB, 5.0 %]
Feb 12 14:31:40 laptop nohang-desktop[11871]:   SwapFree [959 MiB, 9.8 %] <= soft_threshold_min_swap [982 MiB, 10.0 %]
Feb 12 14:31:40 laptop nohang-desktop[11871]: Found 51 tasks with non-zero oom_score (except init and self) in 17ms
Feb 12 14:31:40 laptop nohang-desktop[11871]: TOP-3 tasks by badness:
Feb 12 14:31:40 laptop nohang-desktop[11871]:   Name                PID badness
Feb 12 14:31:40 laptop nohang-desktop[11871]:   --------------- ------- -------
Feb 12 14:31:40 laptop nohang-desktop[11871]:   python3           24044     830
Feb 12 14:31:40 laptop nohang-desktop[11871]:   kate              16048       5
Feb 12 14:31:40 laptop nohang-desktop[11871]: TOP printed in 1ms; process with highest badness:
Feb 12 14:31:40 laptop nohang-desktop[11871]:   PID: 24044, name: python3, badness: 830
Feb 12 14:31:40 laptop nohang-desktop[11871]: Recheck memory levels...
Feb 12 14:31:40 laptop nohang-desktop[11871]: Victim status (found in 3ms):
Feb 12 14:31:40 laptop nohang-desktop[11871]:   Name:      python3
Feb 12 14:31:40 laptop nohang-desktop[11871]:   PID:       24044
Feb 12 14:31:40 laptop nohang-desktop[11871]:   badness:   830, oom_score:  830, oom_score_adj:  0
Feb 12 14:31:40 laptop nohang-desktop[11871]:   VmSize:    19880 MiB
Feb 12 14:31:40 laptop nohang-desktop[11871]:   VmRSS:     10432 MiB  (Anon: 10427 MiB, File: 5 MiB, Shmem: 0 MiB)
Feb 12 14:31:40 laptop nohang-desktop[11871]:   VmSwap:     9422 MiB
Feb 12 14:31:40 laptop nohang-desktop[11871]:   Lifetime:  42 min 20 sec
Feb 12 14:31:40 laptop nohang-desktop[11871]: Implement a corrective action:
Feb 12 14:31:40 laptop nohang-desktop[11871]:   Send SIGTERM to the victim; total response time: 2255 ms
Feb 12 14:31:41 laptop nohang-desktop[11871]: The victim died in 0.041 sec
Feb 12 14:31:41 laptop nohang-desktop[11871]: Memory status after implementing a corrective action:
Feb 12 14:31:41 laptop nohang-desktop[11871]:   MemAvailable: 10849.2 MiB, SwapFree: 1470.2 MiB
Feb 12 14:31:41 laptop nohang-desktop[11871]: Total stat (what happened in the last 42 min 20 sec):
Feb 12 14:31:41 laptop nohang-desktop[11871]:   Send SIGTERM to python3: 1
`;

// v0.1 on stdout: a configured command instead of a signal, and a PSI round that does nothing.
const v01 = `Monitoring has started!
Memory status that requires corrective actions:
  MemAvailable [0 MiB, 0.0 %] <= soft_threshold_min_mem [982 MiB, 10.0 %]
  SwapFree [2168 MiB, 14.7 %] <= soft_threshold_min_swap [2210 MiB, 15.0 %]
Found 92 processes with existing /proc/[pid]/exe realpath
Process with highest badness (found in 6 ms):
  PID: 12297, Name: tail, badness: 727
Recheck memory levels...
Implement a corrective action:
  Run the command: kill -TERM 12297
  Exit status: None; total response time: 7 ms
The victim doesn't respond on corrective action in 0.027 sec
Total stat (what happened in the last 26 sec):
  Run the command 'kill -TERM $PID': 1
PSI avg (92.25) > sigterm_psi_threshold (90.0)
Process with highest badness (found in 4 ms):
  PID: 477, Name: Xorg, badness: 12
victim badness 12 < min_badness 20; nothing to do; response time: 5 ms
`;

describe('nohang kills (userspace, never in the kernel log)', () => {
  it('v0.2 in the journal: the victim, its badness and VmRSS, the thresholds it crossed, SIGTERM, and how fast it died', () => {
    const evs = kills(v02);
    assert.equal(evs.length, 1, 'the "Total stat" counter line is not a second kill');
    const e = evs[0];
    assert.deepEqual([e.victim?.pid, e.victim?.comm, e.host], [24044, 'python3', 'laptop']);
    const u = e.userspace!;
    assert.deepEqual([u.killerPid, u.reason], [11871, 'low-memory']);
    assert.deepEqual(killFacts(u), ['SIGTERM', 830, 10432 * 1024, 2.7, 5, 9.8, 10, 0.041]);
  });

  it('v0.1 on stdout: "Run the command: kill -TERM PID" is a kill with that signal; a round with "nothing to do" is not', () => {
    const evs = kills(v01);
    assert.equal(evs.length, 1);
    assert.deepEqual(
      [evs[0].victim?.pid, evs[0].victim?.comm, evs[0].userspace?.signal, evs[0].userspace?.exitedAfterSeconds],
      [12297, 'tail', 'SIGTERM', null],
    );
    assert.deepEqual([evs[0].userspace?.memAvailablePercent, evs[0].userspace?.swapFreePercent], [0, 14.7]);
  });

  it('a PSI round that ends in a kill says memory pressure, with the average and the threshold', () => {
    const psi = `PSI avg (95.50) > sigkill_psi_threshold (95.0)\nProcess with highest badness (found in 4 ms):\n  PID: 900, Name: java, badness: 640\nImplement a corrective action:\n  Send SIGKILL to the victim; total response time: 20 ms\n`;
    const [e] = kills(psi);
    assert.deepEqual(
      [e.userspace?.reason, e.userspace?.pressurePercent, e.userspace?.pressureLimitPercent, e.userspace?.signal, e.victim?.comm],
      ['memory-pressure', 95.5, 95, 'SIGKILL', 'java'],
    );
  });

  it('property: deep in a big log, with CRLF, a localized month or a cat -n number per line, or one more kill round: the same kills', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => `Feb 12 14:00:00 laptop systemd[1]: Started session ${i}.`).join('\n');
    fc.assert(
      fc.property(fc.nat(3000), fc.boolean(), fc.constantFrom('', 'мая', 'catn'), fc.boolean(), (before, crlf, variant, twice) => {
        let body = twice ? v02 + v02.replace(/24044/g, '30001') : v02;
        if (variant === 'мая') body = body.replace(/^Feb/gm, 'мая');
        let text = `${filler(before)}\n${body}${filler(50)}\n`;
        if (variant === 'catn')
          text = text
            .split('\n')
            .map((l, i) => `${String(i + 1).padStart(6)}\t${l}`)
            .join('\n');
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const evs = kills(text);
        assert.deepEqual(
          evs.map((e) => [e.victim?.pid, e.userspace?.vmRssKb]),
          twice
            ? [
                [24044, 10432 * 1024],
                [30001, 10432 * 1024],
              ]
            : [[24044, 10432 * 1024]],
        );
      }),
      { numRuns: 40 },
    );
  });

  it('real Debian nohang 0.2.0 output ("Implementing…", "Sending SIGTERM to the victim", the one-line victim status, "- %" without swap), also in a journal and with CRLF: one kill', () => {
    const variants = [
      debian,
      debian.replace(/\n/g, '\r\n'),
      debian
        .split('\n')
        .map((l) => (l ? `Dec 04 03:40:00 web1 nohang[812]: ${l}` : l))
        .join('\n'),
    ];
    for (const text of variants) {
      const evs = kills(text);
      assert.equal(evs.length, 1);
      assert.deepEqual([evs[0].victim?.pid, evs[0].victim?.comm], [2, 'oomlens-nh']);
      assert.deepEqual(killFacts(evs[0].userspace!), ['SIGTERM', 3666, 3 * 1024, 4.2, 5, 0, null, 0.01]);
    }
    assert.equal(kills(variants[2])[0].userspace?.killerPid, 812);
  });
});
