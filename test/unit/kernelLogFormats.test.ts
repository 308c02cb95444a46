import { strict as assert } from 'node:assert';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

const parse = (text: string): OomEvent[] => parseOomEvents(text).events;
const one = (text: string): OomEvent => {
  const ev = parse(text);
  assert.equal(ev.length, 1, JSON.stringify(ev, null, 1));
  return ev[0];
};

// A 6.x memcg OOM, the contract's own example (dmesg raw).
const DMESG_61 = `[ 3277.887548] grow invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0
[ 3277.887555] CPU: 2 PID: 16905 Comm: grow Not tainted 6.1.0-13-amd64 #1  Debian 6.1.55-1
[ 3277.887560] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
[ 3277.887562] Call Trace:
[ 3277.887563]  <TASK>
[ 3277.887570]  dump_stack_lvl+0x44/0x5c
[ 3277.887600]  </TASK>
[ 3277.887601] memory: usage 65536kB, limit 65536kB, failcnt 36
[ 3277.887603] swap: usage 0kB, limit 9007199254740988kB, failcnt 0
[ 3277.887604] Memory cgroup stats for /app_oom:
[ 3277.887620] anon 66519040
[ 3277.887700] Tasks state (memory values in pages):
[ 3277.887701] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name
[ 3277.887705] [  16905]     0 16905    18546    16627   188416        0             0 grow
[ 3277.887707] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/app_oom,task_memcg=/app_oom,task=grow,pid=16905,uid=0
[ 3277.887722] Memory cgroup out of memory: Killed process 16905 (grow) total-vm:74184kB, anon-rss:65152kB, file-rss:1356kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0
[ 3277.889010] oom_reaper: reaped process 16905 (grow), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB
`;

describe('kernel log formats', () => {
  it('raw dmesg: every field of a 6.x memcg report (the contract example)', () => {
    const r = parseOomEvents(DMESG_61, { kind: 'file', path: 'kern.log' });
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.source, { kind: 'file', path: 'kern.log' });
    const ev = r.events[0];
    assert.equal(r.events.length, 1);
    assert.equal(ev.kind, 'kill');
    assert.equal(ev.scope, 'memcg');
    assert.equal(ev.uptimeSeconds, 3277.887548);
    assert.equal(ev.time, null);
    assert.equal(ev.timeText, null);
    assert.equal(ev.host, null);
    assert.deepEqual(ev.trigger, { comm: 'grow', pid: 16905, gfpMask: '0xcc0', gfpFlags: 'GFP_KERNEL', order: 0, oomScoreAdj: 0 });
    assert.equal(ev.constraint, 'CONSTRAINT_MEMCG');
    assert.equal(ev.memcg, '/app_oom');
    assert.equal(ev.taskMemcg, '/app_oom');
    assert.deepEqual(ev.memcgUsage, { usageKb: 65536, limitKb: 65536, failcnt: 36 });
    assert.deepEqual(ev.victim, {
      pid: 16905,
      comm: 'grow',
      uid: 0,
      score: null,
      totalVmKb: 74184,
      anonRssKb: 65152,
      fileRssKb: 1356,
      shmemRssKb: 0,
      pgtablesKb: 184,
      oomScoreAdj: 0,
    });
    assert.equal(ev.selected, null);
    assert.deepEqual(ev.reaped, { pid: 16905, comm: 'grow', anonRssKb: 0, fileRssKb: 0, shmemRssKb: 0 });
    assert.deepEqual(ev.tasks, [
      {
        pid: 16905,
        uid: 0,
        tgid: 16905,
        totalVmPages: 18546,
        rssPages: 16627,
        rssAnonPages: null,
        rssFilePages: null,
        rssShmemPages: null,
        pgtablesBytes: 188416,
        swapEntries: 0,
        oomScoreAdj: 0,
        name: 'grow',
      },
    ]);
    assert.equal(ev.container, null);
    assert.deepEqual(ev.lines, { first: 1, last: 17 });
  });

  it('dmesg -T in German and French keeps the printed text and reads the wall clock', () => {
    const de = one('[Mo Dez  8 17:51:31 2025] Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n');
    assert.equal(de.timeText, 'Mo Dez  8 17:51:31 2025');
    assert.equal(de.time, '2025-12-08T17:51:31.000Z');
    const fr = one('[lun. déc.  8 17:51:31 2025] Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.equal(fr.timeText, 'lun. déc.  8 17:51:31 2025');
    assert.equal(fr.time, '2025-12-08T17:51:31.000Z');
    const es = one('[mié mar  4 01:02:03 2026] Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.equal(es.time, '2026-03-04T01:02:03.000Z');
    const unknown = one('[Xx Yyy  8 17:51:31 2025] Out of memory: Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.equal(unknown.timeText, 'Xx Yyy  8 17:51:31 2025');
    assert.equal(unknown.time, null, 'an unknown month name is not guessed');
  });

  it('dmesg --human: minute stamps and [+delta] lines', () => {
    const ev = one(
      '[Nov25 10:00] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[  +0.000010] CPU: 0 PID: 7 Comm: a Not tainted 6.1.0 #1\n[  +0.000100] Out of memory: Killed process 7 (a) total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0\n',
    );
    assert.equal(ev.timeText, 'Nov25 10:00');
    assert.equal(ev.time, null);
    assert.equal(ev.uptimeSeconds, null);
    assert.equal(ev.trigger?.pid, 7);
    assert.equal(ev.victim?.pid, 7);
  });

  it('syslog with and without the [uptime] stamp, RFC 3339 stamps, host names', () => {
    const a = one('Nov 25 10:00:01 web-1 kernel: [ 12.5] Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n');
    assert.equal(a.host, 'web-1');
    assert.equal(a.uptimeSeconds, 12.5);
    assert.equal(a.timeText, 'Nov 25 10:00:01');
    const b = one('Nov  5 10:00:01 web-2 kernel: Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n');
    assert.equal(b.host, 'web-2');
    assert.equal(b.uptimeSeconds, null);
    const full = one('Mon 2025-12-08 17:51:31 CET db2 kernel: Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.equal(full.timeText, 'Mon 2025-12-08 17:51:31 CET');
    assert.equal(full.time, '2025-12-08T16:51:31.000Z');
    assert.equal(full.host, 'db2');
    const c = one('2025-12-08T17:51:31.123456+01:00 db kernel: [ 99.000001] Out of memory: Killed process 9 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.equal(c.time, '2025-12-08T16:51:31.123Z');
    assert.equal(c.host, 'db');
    assert.equal(c.uptimeSeconds, 99.000001);
  });

  it("syslog '#012' escapes are line breaks", () => {
    const evs = parse(
      'Nov 25 10:00:01 h kernel: [1.0] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0#012CPU: 0 PID: 5 Comm: x Not tainted 5.4 #1\nNov 25 10:00:02 h java[77]: Exception in thread "main" java.lang.OutOfMemoryError: Java heap space#012#011at Foo.bar(Foo.java:10)\n',
    );
    assert.equal(evs.length, 2);
    assert.equal(evs[0].trigger?.pid, 5);
    assert.equal(evs[1].runtime?.message, 'java.lang.OutOfMemoryError: Java heap space');
    assert.equal(evs[1].host, 'h');
  });

  it('journalctl -k short formats and -o json (string and byte-array MESSAGE)', () => {
    const short = one(
      'Dec 08 17:51:31 box kernel: Memory cgroup out of memory: Killed process 3 (y) total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:0\n',
    );
    assert.equal(short.host, 'box');
    assert.equal(short.scope, 'memcg');
    assert.equal(short.victim?.uid, 1000);
    const msg = 'Out of memory: Killed process 4 (z z) total-vm:8kB, anon-rss:4kB, file-rss:0kB, shmem-rss:0kB';
    const rec = (m: unknown) =>
      JSON.stringify({
        __REALTIME_TIMESTAMP: '1765216291123456',
        _HOSTNAME: 'jhost',
        _TRANSPORT: 'kernel',
        _SOURCE_MONOTONIC_TIMESTAMP: '3277887548',
        MESSAGE: m,
      });
    const evs = parse(`${rec(msg)}\n${rec([...Buffer.from(msg.replace('4 (z z)', '5 (b\u00e4r)'))])}\n`);
    assert.equal(evs.length, 2);
    assert.equal(evs[0].time, '2025-12-08T17:51:31.123Z');
    assert.equal(evs[0].host, 'jhost');
    assert.equal(evs[0].uptimeSeconds, 3277.887548);
    assert.equal(evs[0].victim?.comm, 'z z');
    assert.equal(evs[1].victim?.comm, 'b\u00e4r');
    // A JSON line cut short is read as text: the kill it names is still found.
    const cut = parse(rec(msg).slice(0, rec(msg).indexOf('"MESSAGE"')) + `"MESSAGE":"${msg}`);
    assert.equal(cut.length, 1);
    assert.equal(cut[0].victim?.pid, 4);
  });

  it('console capture with trailing padding and CRLF', () => {
    const ev = one('[  1.000000] Out of memory: Killed process 12 (pad) total-vm:100kB, anon-rss:50kB, file-rss:1kB, shmem-rss:0kB          \r\n');
    assert.equal(ev.victim?.comm, 'pad');
    assert.equal(ev.victim?.shmemRssKb, 0);
  });

  it('lines wrapped by a terminal (mid-number, no stamp on the continuation)', () => {
    const line =
      '[ 3277.887722] Memory cgroup out of memory: Killed process 16905 (grow) total-vm:74184kB, anon-rss:65152kB, file-rss:1356kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0';
    const wrapped = line.slice(0, 80) + '\n' + line.slice(80, 160) + '\n' + line.slice(160) + '\n';
    const ev = one(DMESG_61.split('\n').slice(0, 15).join('\n') + '\n' + wrapped);
    assert.deepEqual(ev.victim, {
      pid: 16905,
      comm: 'grow',
      uid: 0,
      score: null,
      totalVmKb: 74184,
      anonRssKb: 65152,
      fileRssKb: 1356,
      shmemRssKb: 0,
      pgtablesKb: 184,
      oomScoreAdj: 0,
    });
    assert.equal(ev.lines.last, 18);
  });

  it('lines wrapped by mail at a space (unstamped kill line cut before its sizes)', () => {
    const ev = one(
      'Out of memory: Kill process 16929 (beam.smp) score 580 or sacrifice child\nKilled process 28364, UID 0, (sh) total-vm:106064kB, anon-rss:180kB,\nfile-rss:4kB\nrsyslogd cpuset=/ mems_allowed=0\n',
    );
    assert.equal(ev.victim?.fileRssKb, 4);
    assert.equal(ev.victim?.anonRssKb, 180);
    const mid = one('Killed process 28364 (sh) total-vm:106064kB, anon-rss:18\n0kB, file-rss:4kB, shmem-rss:0kB\n');
    assert.equal(mid.victim?.anonRssKb, 180);
  });

  it('> quoting, markdown fences, cat -n numbering, minikube "* " prefixes', () => {
    const text = '> ```\n> [  5.5] Out of memory: Killed process 1 (q) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n> ```\n';
    assert.equal(one(text).victim?.comm, 'q');
    const catn =
      '     1\t[  5.5] Out of memory: Kill process 2 (c) score 9 or sacrifice child\n     2\t[  5.6] Killed process 2 (c) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n';
    const ev = one(catn);
    assert.equal(ev.victim?.score, 9);
    assert.equal(ev.uptimeSeconds, 5.5);
    assert.equal(one('* [  6.0] Out of memory: Killed process 3 (m) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n').uptimeSeconds, 6);
    assert.equal(one('>> Out of memory: Killed process 3 (m) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n').victim?.pid, 3);
  });

  it('2.6 formats: "kill process ... or a child", vsz/anon-rss/file-rss, oom_adj in the header', () => {
    const ev = one(`httpd invoked oom-killer: gfp_mask=0x201da, order=0, oom_adj=0, oom_score_adj=0
Pid: 4321, comm: httpd Not tainted 2.6.32-279.el6.x86_64 #1
[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name
[ 4321]    48  4321    53756      882   1       0             0 httpd
Out of memory: Kill process 4321 (httpd) score 52 or sacrifice child
Killed process 4321, UID 48, (httpd) total-vm:215024kB, anon-rss:3520kB, file-rss:8kB
`);
    assert.equal(ev.trigger?.pid, 4321);
    assert.equal(ev.trigger?.oomAdj, 0);
    assert.equal(ev.victim?.score, 52);
    assert.equal(ev.victim?.uid, 48);
    assert.equal(ev.tasks[0].oomAdj, 0);
    assert.equal(ev.tasks[0].cpu, 1);
    const old = one(
      'Out of memory: kill process 1234 (java) score 567 or a child\nKilled process 1234 (java) vsz:2048000kB, anon-rss:1024000kB, file-rss:12kB\n',
    );
    assert.equal(old.victim?.totalVmKb, 2048000);
    assert.equal(old.victim?.score, 567);
    const older = one('oom-killer: gfp_mask=0x201d2, order=0\nOut of Memory: Killed process 999 (mysqld).\n');
    assert.equal(older.trigger?.gfpMask, '0x201d2');
    assert.equal(older.trigger?.comm, null);
    assert.equal(older.victim?.pid, 999);
    assert.equal(older.victim?.comm, 'mysqld');
  });

  it('sacrifice child: the killed pid is the victim, the selected one is kept apart', () => {
    const ev = one(
      '[ 10.0] Out of memory: Kill process 100 (parent) score 900 or sacrifice child\n[ 10.1] Killed process 101 (child) total-vm:10kB, anon-rss:5kB, file-rss:1kB, shmem-rss:0kB\n',
    );
    assert.deepEqual(ev.selected, { pid: 100, comm: 'parent', score: 900 });
    assert.equal(ev.victim?.pid, 101);
    assert.equal(ev.victim?.score, null);
    assert.equal(ev.scope, 'system');
  });

  it('oom_reaper line arriving after the next event began still goes to its kill', () => {
    const evs = parse(
      '[1.0] Out of memory: Killed process 10 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n[1.1] Out of memory: Killed process 11 (b) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n[1.2] oom_reaper: reaped process 10 (a), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n',
    );
    assert.equal(evs.length, 2);
    assert.equal(evs[0].reaped?.pid, 10);
    assert.equal(evs[0].lines.last, 3);
    assert.equal(evs[1].reaped, null);
  });

  it('panics: no killable processes / deadlocked, panic_on_oom with a header', () => {
    const a = one('[ 5.0] Out of memory and no killable processes...\n[ 5.0] Kernel panic - not syncing: System is deadlocked on memory\n');
    assert.equal(a.kind, 'panic');
    assert.equal(a.panic, 'Kernel panic - not syncing: System is deadlocked on memory');
    assert.equal(a.victim, null);
    const b = one(
      '[ 7.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[ 7.0] CPU: 0 PID: 3 Comm: a Not tainted 6.1 #1\n[ 7.1] Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled\n',
    );
    assert.equal(b.kind, 'panic');
    assert.equal(b.trigger?.pid, 3);
    assert.equal(b.panic, 'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled');
    assert.equal(parse('[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)\n').length, 0);
  });

  it('Android lowmemorykiller, old multi-line and newer one-line records', () => {
    const evs = parse(`<6>[ 100.1] lowmemorykiller: Killing 'com.example.app' (1234) (tgid 1234), adj 906,
<6>[ 100.1]    to free 39936kB on behalf of 'kswapd0' (93) because
<6>[ 100.1]    cache 123456kB is below limit 184320kB for oom_score_adj 529
<6>[ 200.0] lowmemorykiller: Killing 'd.process.acore' (4321), adj 1000, to free 20784kB on behalf of 'kswapd0' (442) because cache 32112kB is below limit 32384kB for oom_score_adj 1000 Free memory is 17432kB above reserved
`);
    assert.equal(evs.length, 2);
    assert.equal(evs[0].kind, 'lowmemorykiller');
    assert.deepEqual([evs[0].victim?.pid, evs[0].victim?.comm, evs[0].victim?.oomScoreAdj], [1234, 'com.example.app', 906]);
    assert.deepEqual(evs[0].lowMemoryKiller, { toFreeKb: 39936, cacheKb: 123456, limitKb: 184320, minOomScoreAdj: 529, freeKb: null });
    assert.equal(evs[0].uptimeSeconds, 100.1);
    assert.deepEqual(evs[1].lowMemoryKiller, { toFreeKb: 20784, cacheKb: 32112, limitKb: 32384, minOomScoreAdj: 1000, freeKb: 17432 });
    assert.deepEqual([evs[1].trigger?.comm, evs[1].trigger?.pid], ['kswapd0', 442]);
  });

  it('task tables: header-driven in every layout; without a header inferred from the column count', () => {
    const t = (hdr: string, row: string) =>
      one(
        `[1.0] Tasks state (memory values in pages):\n[1.0] ${hdr}\n[1.0] ${row}\n[1.1] Out of memory: Killed process 5 (n) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n`,
      ).tasks[0];
    assert.deepEqual(
      t(
        '[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name',
        '[    5]     0     5     1000      200      12       3        0             0 n',
      ),
      {
        pid: 5,
        uid: 0,
        tgid: 5,
        totalVmPages: 1000,
        rssPages: 200,
        rssAnonPages: null,
        rssFilePages: null,
        rssShmemPages: null,
        pgtablesBytes: null,
        swapEntries: 0,
        oomScoreAdj: 0,
        name: 'n',
        nrPtes: 12,
        nrPmds: 3,
      },
    );
    const noHeader = (row: string) => one(`${row}\nOut of memory: Killed process 5 (n) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n`).tasks[0];
    assert.equal(noHeader('[    5]     0     5     1000      200    40960        0             0 n').pgtablesBytes, 40960);
    assert.equal(noHeader('[    5]     0     5     1000      200       7     1234          -998 n').nrPtes, 7);
    assert.equal(noHeader('[    5]     0     5     1000      200     150       50        0    40960        0             0 n').rssAnonPages, 150);
    assert.equal(noHeader('[    5]     0     5     1000      200   3     -17         -1000 n').oomAdj, -17);
  });

  it('kill storms without headers, and adjacent tables of two events', () => {
    const storm = parse(
      '[1.0] Killed process 1 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n[1.1] Killed process 2 (a) total-vm:1kB, anon-rss:2kB, file-rss:0kB\n[1.2] Killed process 3 (a) total-vm:1kB, anon-rss:3kB, file-rss:0kB\n',
    );
    assert.deepEqual(
      storm.map((e) => e.victim?.anonRssKb),
      [1, 2, 3],
    );
    const hdr = '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name';
    const adj = parse(
      `[2.0] Tasks state (memory values in pages):\n[2.0] ${hdr}\n[2.0] [    7]     0     7      100       50    40960        0             0 big\n[2.0] Out of memory: Killed process 7 (big) total-vm:400kB, anon-rss:200kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n[2.1] Tasks state (memory values in pages):\n[2.1] ${hdr}\n[2.1] [    8]     0     8      100       60    40960        0             0 next\n[2.1] [    9]     0     9      100       70    40960        0             0 other\n[2.1] Out of memory: Killed process 8 (next) total-vm:400kB, anon-rss:240kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n`,
    );
    assert.equal(adj.length, 2);
    assert.deepEqual(
      adj.map((e) => e.tasks.map((x) => x.name)),
      [['big'], ['next', 'other']],
    );
    assert.deepEqual(
      adj.map((e) => e.victim?.pid),
      [7, 8],
    );
  });

  it('process names with spaces, slashes, colons, brackets and parentheses, one letter', () => {
    const names = ['CPU 11/KVM', 'runc:[2:INIT]', '((resolved))', 'R', 'kworker/u8:2', 'a (b) c'];
    for (const n of names) {
      const ev = one(
        `[1.0] ${n} invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[1.0] CPU: 11 PID: 77 Comm: ${n} Not tainted 5.15.0 #1\n[1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n[1.0] [     77]     0    77      100       50    40960        0             0 ${n}\n[1.0] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/system.slice/x.service,task=${n},pid=77,uid=0\n[1.1] Out of memory: Killed process 77 (${n}) total-vm:400kB, anon-rss:200kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n[1.2] oom_reaper: reaped process 77 (${n}), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB\n`,
      );
      assert.equal(ev.trigger?.comm, n);
      assert.equal(ev.trigger?.pid, 77);
      assert.equal(ev.tasks[0].name, n);
      assert.equal(ev.victim?.comm, n);
      assert.equal(ev.victim?.anonRssKb, 200);
      assert.equal(ev.reaped?.comm, n);
      assert.equal(ev.scope, 'system');
      assert.equal(ev.memcg, null);
      assert.deepEqual(ev.container, { runtime: 'systemd', id: 'x.service', podUid: null, qosClass: null, name: 'x.service' });
    }
    const sel = one(
      'Out of memory: Kill process 5 (((resolved))) score 3 or sacrifice child\nKilled process 6 (x y) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n',
    );
    assert.equal(sel.selected?.comm, '((resolved))');
  });

  it('numbers with thousands separators', () => {
    const ev = one('Out of memory: Killed process 1,234 (big) total-vm:1,234,567kB, anon-rss:987,654kB, file-rss:0kB, shmem-rss:0kB\n');
    assert.equal(ev.victim?.pid, 1234);
    assert.equal(ev.victim?.totalVmKb, 1234567);
    assert.equal(ev.victim?.anonRssKb, 987654);
  });

  it('3.x memcg lines: "Task in X killed as a result of limit of Y", docker container', () => {
    const id = 'a'.repeat(64);
    const ev = one(
      `[9.0] java invoked oom-killer: gfp_mask=0xd0, order=0, oom_score_adj=0\n[9.0] Task in /docker/${id} killed as a result of limit of /docker/${id}\n[9.0] memory: usage 524288kB, limit 524288kB, failcnt 77\n[9.1] Memory cgroup out of memory: Kill process 42 (java) score 990 or sacrifice child\n[9.1] Killed process 42 (java) total-vm:3000000kB, anon-rss:520000kB, file-rss:1000kB\n`,
    );
    assert.equal(ev.taskMemcg, `/docker/${id}`);
    assert.equal(ev.memcg, `/docker/${id}`);
    assert.deepEqual(ev.container, { runtime: 'docker', id, podUid: null, qosClass: null });
    assert.equal(ev.victim?.score, 990);
    assert.equal(ev.scope, 'memcg');
  });

  it('other programs interleaved in an event; similar-looking lines are not events', () => {
    const ev = one(
      `Jun 1 00:00:00 h kernel: [1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\nJun 1 00:00:00 h sshd[1]: Accepted key\nJun 1 00:00:00 h kernel: [1.0] CPU: 0 PID: 3 Comm: a Not tainted 6.1 #1\nJun 1 00:00:01 h systemd[1]: foo.service: Killed process 55 with SIGKILL\nJun 1 00:00:01 h kernel: [1.1] Out of memory: Killed process 3 (a) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB\n`,
    );
    assert.equal(ev.victim?.pid, 3);
    assert.equal(ev.trigger?.pid, 3);
    assert.equal(
      parse(
        '[1.0] python3: vmalloc: allocation failure, allocated 12288 of 20480 bytes, mode:0x15080c0(GFP_KERNEL_ACCOUNT|__GFP_ZERO), nodemask=(null)\n[2.0] nfs: out of memory\n[3.0] systemd-oomd[1]: Killed /user.slice/x.scope due to memory pressure\n',
      ).length,
      0,
    );
  });

  it('cgroup v2 kubernetes pod (kubepods.slice) container from task_memcg', () => {
    const ev = one(
      '[1.0] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=cri-containerd-abc.scope,mems_allowed=0,oom_memcg=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0123abcd_0000_1111_2222_333344445555.slice,task_memcg=/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0123abcd_0000_1111_2222_333344445555.slice/cri-containerd-' +
        'b'.repeat(64) +
        '.scope,task=app,pid=9,uid=1000\n[1.1] Memory cgroup out of memory: Killed process 9 (app) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:1000\n',
    );
    assert.deepEqual(ev.container, { runtime: 'kubernetes', id: 'b'.repeat(64), podUid: '0123abcd-0000-1111-2222-333344445555', qosClass: 'besteffort' });
    assert.equal(ev.victim?.uid, 1000);
    assert.equal(ev.victim?.oomScoreAdj, 1000);
  });

  it('warns (with a line number) about a task row it cannot read, and never invents a victim', () => {
    const r = parseOomEvents(
      '[1.0] a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n[1.0] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n[1.0] [  5] 0 5 x\n[1.0] [  6]     0     6      100       50    40960        0             0 ok\n',
    );
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].victim, null);
    assert.equal(r.events[0].tasks.length, 1);
    assert.match(r.warnings[0], /^line 3: task table row could not be read/);
  });
});
