// Real samples of ours (the corpus), mangled the ways pastes mangle logs, must give the same facts.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { samples } from './helpers/corpusEvents';

const KERNEL = samples('kernel-oom');

/** The facts a reader of a kill must get: victim pid, comm, anon-rss, cgroup. */
function facts(events: OomEvent[]): string[] {
  return events.filter((e) => e.victim).map((e) => JSON.stringify([e.victim!.pid, e.victim!.comm, e.victim!.anonRssKb, e.taskMemcg]));
}

const lines = (t: string) => t.replace(/\n$/, '').split('\n');

// Each prefix stack is one a real tool chain writes: klog around dmesg --human, kubectl --timestamps, ISO glued to the text, syslog.
const PREFIXES: Array<(i: number) => string> = [
  (i) => `I0601 23:23:${String(10 + (i % 50)).padStart(2, '0')}.447437   13604 utils.go:240] > `,
  (i) => `2024-06-01T23:23:${String(i % 60).padStart(2, '0')}.123456789Z `,
  (i) => `2017-08-08T10:22:${String(i % 60).padStart(2, '0')}.537+02:00`,
  () => 'Jun  1 23:23:10 node-3 kernel: ',
];

function stack(text: string, which: number[]): string {
  return lines(text)
    .map((l, i) => which.map((w) => PREFIXES[w](i)).join('') + l)
    .join('\n');
}

/** Adds thousands separators to every NNNNkB size (the kind of number a paste re-formats). */
function separators(text: string, misplaced: boolean): string {
  return text.replace(/:(\d{4,})kB/g, (_m, d: string) => {
    const s = misplaced ? d.slice(0, 3) + ',' + d.slice(3, 6) + (d.length > 6 ? ',' + d.slice(6) : '') : Number(d).toLocaleString('en-US');
    return `:${s}kB`;
  });
}

describe('kernel log pastes: the same facts through every mangling (property tests on the corpus)', () => {
  const clean = KERNEL.map((s) => facts(parseOomEvents(s.text).events));

  it('has kill samples to mangle', () => assert.ok(clean.filter((f) => f.length > 0).length >= 8));

  it('stacked prefixes (klog, kubectl --timestamps, glued ISO, syslog), in any order of up to three', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: KERNEL.length - 1 }),
        fc.array(fc.integer({ min: 0, max: PREFIXES.length - 1 }), { minLength: 1, maxLength: 3 }),
        (i, which) => {
          // A prefix stack is written outermost first; a syslog prefix is the innermost one a log carries.
          const order = [...which.filter((w) => w !== 3), ...which.filter((w) => w === 3).slice(0, 1)];
          assert.deepEqual(facts(parseOomEvents(stack(KERNEL[i].text, order)).events), clean[i], `${KERNEL[i].name} with ${order}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('wrapped by a terminal at column N (the rest of a long line on the next, unstamped)', () => {
    // Every sample at every width: the space is small enough to try all of it.
    for (const [i, s] of KERNEL.entries()) {
      for (let n = 80; n <= 160; n++) {
        const wrapped = lines(s.text)
          .flatMap((l) => (l.length > n ? [l.slice(0, n), l.slice(n)] : [l]))
          .join('\n');
        assert.deepEqual(facts(parseOomEvents(wrapped).events), clean[i], `${s.name} at ${n}`);
      }
    }
  });

  it('thousands separators, well placed or not, in every kB size', () => {
    for (const [i, s] of KERNEL.entries()) {
      for (const misplaced of [false, true]) assert.deepEqual(facts(parseOomEvents(separators(s.text, misplaced)).events), clean[i], `${s.name} ${misplaced}`);
    }
  });

  it('interleaved with a userspace killer log: both sets of facts come out', () => {
    const other = [
      'Dec 04 20:15:55 fedora systemd-oomd[970]: Killed /user.slice/user-1000.slice/user@1000.service/app.slice/app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope due to memory pressure for /user.slice/user-1000.slice/user@1000.service being 77.97% > 50.00% for > 20s with reclaim activity',
      'Dec 04 20:15:55 fedora systemd[1348]: app-kitty-47f7730eb1474ba3848f1b5d6135a33f.scope: systemd-oomd killed 65 process(es) in this unit.',
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: KERNEL.length - 1 }), fc.nat(), (i, at) => {
        const ls = lines(KERNEL[i].text);
        const p = at % (ls.length + 1);
        const text = [...ls.slice(0, p), ...other, ...ls.slice(p)].join('\n');
        const r = parseOomEvents(text);
        assert.deepEqual(facts(r.events.filter((e) => e.kind !== 'userspace-kill')), clean[i], KERNEL[i].name);
        const u = r.events.filter((e) => e.kind === 'userspace-kill');
        assert.equal(u.length, 1);
        assert.equal(u[0].userspace!.processesKilled, 65);
      }),
      { numRuns: 100 },
    );
  });
});

describe('kernel log pastes: each class from a real sample', () => {
  const KILL =
    'Killed process 3581527 (uwsgi) total-vm:26184840kB, anon-rss:15370088kB, file-rss:29128kB, shmem-rss:0kB, UID:33 pgtables:740kB oom_score_adj:0';

  it('a klog prefix around a dmesg --human line with a relative stamp', () => {
    const text = [
      'I0601 23:23:10.447437   13604 utils.go:240] > [Jun 1 23:20] uwsgi invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      `I0601 23:23:10.447500   13604 utils.go:240] > [  +0.002498] Out of memory: ${KILL}`,
    ].join('\n');
    const [e] = parseOomEvents(text).events;
    assert.equal(e.trigger?.comm, 'uwsgi');
    assert.equal(e.victim?.pid, 3581527);
    assert.equal(e.victim?.anonRssKb, 15370088);
  });

  it('an ISO stamp glued to the text', () => {
    const [e] = parseOomEvents(`2017-08-08T10:22:13.537+02:00${KILL}\n`).events;
    assert.equal(e.victim?.comm, 'uwsgi');
    assert.equal(e.time, '2017-08-08T08:22:13.537Z');
  });

  it('separators: total-vm:26,184,840kB and the misplaced anon-rss:153,700,88kB', () => {
    const [e] = parseOomEvents(KILL.replace('26184840', '26,184,840').replace('15370088', '153,700,88') + '\n').events;
    assert.equal(e.victim?.totalVmKb, 26184840);
    assert.equal(e.victim?.anonRssKb, 15370088);
  });

  it('task rows wrapped onto two lines (the name; oom_score_adj and the name) are re-joined', () => {
    const text = [
      'Tasks state (memory values in pages):',
      '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name',
      '[   1514]     0  1514     1213      743    45056        5         -1000',
      'udevd',
      '[   6762]  1000  6762   898879   127313  2678784        0',
      '0 firefox',
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice,task=firefox,pid=6762,uid=1000',
      'Out of memory: Killed process 6762 (firefox) total-vm:3595516kB, anon-rss:509252kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:2616kB oom_score_adj:0',
    ].join('\n');
    const [e] = parseOomEvents(text).events;
    assert.deepEqual(
      e.tasks.map((t) => [t.pid, t.oomScoreAdj, t.name]),
      [
        [1514, -1000, 'udevd'],
        [6762, 0, 'firefox'],
      ],
    );
  });

  it('Docker for Mac: the pid where the stamp belongs, the header without its "[ "', () => {
    const text = [
      '[19416.000000] Tasks state (memory values in pages):',
      '[19416.000000] pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name',
      '[19417.000000]     0 19417   396156   262144     600        0             0 java',
      '[19501.000000]     0 19501     4536      120      12        0             0 sh',
      '[19416.100000] Out of memory: Killed process 19417 (java) total-vm:1584624kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB',
    ].join('\n');
    const [e] = parseOomEvents(text).events;
    assert.deepEqual(
      e.tasks.map((t) => [t.pid, t.uid, t.tgid, t.rssPages, t.name]),
      [
        [19417, 0, 19417, 262144, 'java'],
        [19501, 0, 19501, 120, 'sh'],
      ],
    );
    assert.equal(e.victim?.pid, 19417);
  });

  it('a panic with no killable processes after a long Mem-Info: the trigger is attached', () => {
    const memInfo = Array.from({ length: 600 }, (_, i) => `[  100.${String(200000 + i)}] Node 0 Normal: ${i}*4kB (UME) 0*8kB = ${i * 4}kB`);
    const text = [
      '[  100.100000] kworker/0:1 invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
      '[  100.100010] CPU: 0 PID: 42 Comm: kworker/0:1 Not tainted 6.1.0 #1',
      '[  100.100100] Mem-Info:',
      ...memInfo,
      '[  100.900000] Out of memory and no killable processes...',
      '[  100.900010] Kernel panic - not syncing: System is deadlocked on memory',
    ].join('\n');
    const events = parseOomEvents(text).events;
    assert.equal(events.length, 1, JSON.stringify(events.map((e) => e.kind)));
    assert.equal(events[0].kind, 'panic');
    assert.equal(events[0].trigger?.comm, 'kworker/0:1');
    assert.equal(events[0].trigger?.pid, 42);
    assert.equal(events[0].panic, 'Kernel panic - not syncing: System is deadlocked on memory');
  });
});
