// readKernelLog over a scripted Host (a MOCK host: canned output of the source script, since a
// real journal/syslog mix cannot be set up here; the real dmesg path is in test/integration).
import { strict as assert } from 'node:assert';
import { readKernelLog } from '../../src/core/collect/kernelLog';
import type { Host, ExecOptions, ExecResult } from '../../src/core/host/host';
import { FakeHost } from './fakeHost';

class ScriptedHost implements Host {
  readonly name = 'scripted';
  readonly via = 'ssh' as const;
  constructor(private readonly output: string) {}
  async exec(_cmd: string, o: ExecOptions = {}): Promise<ExecResult> {
    // Deliver in odd-sized chunks so frame lines split across chunks.
    for (let i = 0; i < this.output.length; i += 37) o.onStdout?.(this.output.slice(i, i + 37));
    return { stdout: o.discardStdout ? '' : this.output, stderr: '', code: 0, signal: null, timedOut: false };
  }
  async close(): Promise<void> {}
}

const KILL = (stamp: string, pid: number) => [
  `${stamp}oomlens-grow invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0`,
  `${stamp}oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/t,task_memcg=/t,task=oomlens-grow,pid=${pid},uid=0`,
  `${stamp}Memory cgroup out of memory: Killed process ${pid} (oomlens-grow) total-vm:74184kB, anon-rss:65152kB, file-rss:1356kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0`,
];

describe('kernel log sources (mock host with scripted output)', () => {
  it('reads dmesg, gives uptime stamps a wall clock from the boot time, and drops the same kill seen again in kern.log', async () => {
    const out =
      [
        '@@oomlens meta user root uid 0 groups root dmesg_restrict 1 uptime 1000.00 now 1764000000',
        '@@oomlens source dmesg',
        ...KILL('[  900.500000] ', 4242),
        '@@oomlens status 0',
        '@@oomlens source file /var/log/kern.log',
        ...KILL('Nov 24 15:58:20 web-1 kernel: [  900.500000] ', 4242),
        ...KILL('Nov 24 15:59:00 web-1 kernel: [  940.000000] ', 4343),
        '@@oomlens status 0',
        '@@oomlens end',
      ].join('\n') + '\n';
    const r = await readKernelLog(new ScriptedHost(out));
    assert.equal(r.unreadable, false);
    assert.deepEqual(
      r.events.map((e) => e.victim?.pid),
      [4242, 4343],
    );
    assert.equal(r.events[0].time, new Date(1764000000 * 1000 - 1000 * 1000 + 900.5 * 1000).toISOString());
    assert.deepEqual(
      r.sources.map((s) => [s.source, s.ok, s.events]),
      [
        ['dmesg', true, 1],
        ['file', true, 1],
      ],
    );
    assert.match(r.sources[1].detail, /read \/var\/log\/kern.log: 6 lines/);
  });

  it('a restricted log is unreadable with the fixes, never an empty success', async () => {
    const out =
      [
        '@@oomlens meta user alice uid 1000 groups alice dmesg_restrict 1 uptime 10 now 1764000000',
        '@@oomlens boots ',
        '@@oomlens source journal',
        'No journal files were opened due to insufficient permissions.',
        '@@oomlens status 1',
        '@@oomlens source dmesg',
        'dmesg: read kernel buffer failed: Operation not permitted',
        '@@oomlens status 1',
        '@@oomlens source file /var/log/kern.log',
        'cat: /var/log/kern.log: Permission denied',
        '@@oomlens status 1',
        '@@oomlens end',
      ].join('\n') + '\n';
    const r = await readKernelLog(new ScriptedHost(out));
    assert.equal(r.unreadable, true);
    assert.equal(r.events.length, 0);
    assert.match(r.warnings[0], /could not read the kernel log of scripted as alice/);
    assert.ok(r.fixes.some((f) => /dmesg is restricted \(kernel.dmesg_restrict=1\).*sudo -n dmesg/.test(f)));
    assert.ok(r.fixes.some((f) => /systemd-journal/.test(f)));
    assert.ok(r.fixes.some((f) => /group adm to read \/var\/log\/kern.log/.test(f)));
  });

  it('reports the journal with its boots, and a script that did not finish', async () => {
    const out =
      [
        '@@oomlens meta user root uid 0 groups root dmesg_restrict 0 uptime 10 now 1764000000',
        '@@oomlens boots -2,-1,0,',
        '@@oomlens source journal',
        ...KILL('2025-11-24T15:58:20.123456+0000 web-1 kernel: ', 77),
        '@@oomlens status 0',
      ].join('\n') + '\n';
    const r = await readKernelLog(new ScriptedHost(out));
    assert.match(r.sources[0].detail, /read from journald, boots -2\.\.0: 3 lines/);
    assert.equal(r.events.length, 1);
    assert.ok(r.warnings.some((w) => /did not finish/.test(w)));
  });
  it('a host that never answers is "did not answer within …", not "no kernel log"', async () => {
    const silent = new FakeHost(() => ({ stdout: '', code: null, signal: 'SIGKILL', timedOut: true }));
    const r = await readKernelLog(silent, { timeoutMs: 30_000 });
    assert.equal(r.unreadable, true);
    assert.equal(r.warnings[0], 'fake-remote did not answer within 30 s: its kernel log was not read');
    assert.ok(!r.warnings.some((w) => /has no kernel log/.test(w)));
  });

  it("the userspace OOM killers' journal: earlyoom and oomd kills read, oomd's kernel-log copy of its kill is the same event; the kernel log stays what decides readability", async () => {
    const out =
      [
        '@@oomlens meta user root uid 0 groups root dmesg_restrict 0 uptime 1000.00 now 1764000000',
        '@@oomlens source dmesg',
        // oomd writes its kill to /dev/kmsg too (no pid there); 990 s after boot = 1763999990
        '[  990.000000] oomd kill: 63.10 40.02 9.87 workload.slice/app.scope 851443712 ruleset:[protection] detectorgroup:[pressure] killer:kill_by_pressure v2',
        '@@oomlens status 0',
        '@@oomlens source oom-daemons',
        '2025-11-24T15:58:20.000000+0000 web-1 earlyoom[812]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%',
        '2025-11-24T15:58:20.100000+0000 web-1 earlyoom[812]: sending SIGTERM to process 4321 uid 1000 "firefox": badness 700, VmRSS 2100 MiB',
        '2025-11-24T15:58:20.500000+0000 web-1 earlyoom[812]: process exited after 0.3 seconds',
        `${new Date(1763999990000).toISOString()} web-1 oomd[901]: [BaseKillPlugin.cpp:478] Killed 1: 6582(app)`,
        `${new Date(1763999990000).toISOString()} web-1 oomd[901]: [Log.cpp:117] 63.10 40.02 9.87 workload.slice/app.scope 851443712 ruleset:[protection] detectorgroup:[pressure] killer:kill_by_pressure v2`,
        '@@oomlens status 0',
        '@@oomlens end',
      ].join('\n') + '\n';
    const r = await readKernelLog(new ScriptedHost(out));
    const ks = r.events.filter((e) => e.kind === 'userspace-kill');
    assert.deepEqual(
      ks.map((e) => [e.userspace?.killer, e.victim?.pid ?? null]).sort(),
      [
        ['earlyoom', 4321],
        ['oomd', 6582],
      ],
      'the oomd kill once: the kernel-log copy came first and gets the pid from the journal',
    );
    assert.deepEqual(
      r.sources.map((s) => [s.source, s.ok, s.events]),
      [
        ['dmesg', true, 1],
        ['oom-daemons', true, 1],
      ],
    );
    assert.match(r.sources[1].detail, /read the journal of systemd-oomd, earlyoom, nohang, nohang-desktop, oomd: 5 lines/);
    assert.equal(r.unreadable, false);
    // the daemons' journal alone does not make an unreadable kernel log readable
    const only = out.replace(/@@oomlens source dmesg[\s\S]*?@@oomlens status 0\n/, '');
    assert.equal((await readKernelLog(new ScriptedHost(only))).unreadable, true);
  });
});
