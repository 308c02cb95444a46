import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Report } from '../../src/core/model/report';
import { analyzeFindings, runFindings, RULES, FINDING_IDS } from '../../src/core/analyze/findings';
import type { GrowthDetail } from '../../src/core/analyze/growth';
import { parseJvmFlags, jvmMaxHeapKb, parseJavaSize, parseNodeOldSpace, detectRuntime } from '../../src/core/analyze/findings/runtime';
import { parseSnapshotFrames } from '../../src/core/parse/snapshotFrames';
import { buildReport } from '../../src/core/collect/snapshot';
import type { Host } from '../../src/core/host/host';
import { quietReport, proc, cgroup, container, withProcs, GiB, MiB } from '../fixtures/analyze/reports';

const byId = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);
const only = (r: Report, id: string): Finding => {
  const fs = byId(runFindings(r), id);
  assert.equal(fs.length, 1, `expected one ${id}, got ${JSON.stringify(fs.map((f) => f.title))}`);
  return fs[0];
};
const none = (r: Report, id: string) =>
  assert.deepEqual(
    byId(runFindings(r), id).map((f) => f.title),
    [],
  );
const alarms = (r: Report) => runFindings(r).filter((f) => f.severity !== 'info');
const commands = (f: Finding) => f.remedies.flatMap((x) => x.commands);

function mem(r: Report, m: Partial<Report['memory']>): Report {
  return { ...r, memory: { ...r.memory, ...m } };
}
function settings(r: Report, s: Partial<Report['settings']>): Report {
  return { ...r, settings: { ...r.settings, ...s } };
}
function growth(g: Partial<GrowthDetail> & { pid: number; comm: string }): GrowthDetail {
  return {
    metric: 'rssKb',
    slopeKbPerMin: 900,
    r2: 0.99,
    samples: 120,
    projectedOomAt: null,
    verdict: 'leak-suspect',
    basis: 'rssAnonKb',
    basisSlopeKbPerMin: 900,
    basisR2: 0.99,
    recentSlopeKbPerMin: 880,
    levelKb: 300_000,
    basisLevelKb: 250_000,
    firstAt: '2026-11-25T20:11:31.000Z',
    lastAt: '2026-11-25T22:11:31.000Z',
    durationMinutes: 120,
    changeKb: 108_000,
    firstKb: 250_000,
    lastKb: 358_000,
    running: true,
    segment: 0,
    cgroup: null,
    projectedSystemOomAt: null,
    projectedCgroupOomAt: null,
    projectedBy: null,
    headroomKb: { system: 6 * GiB, cgroup: null },
    reason: 'rose steadily',
    ...g,
  };
}

describe('analyze findings: a quiet host gives no alarm', () => {
  it('quiet host with swap: zero warning/critical findings', () => {
    assert.deepEqual(
      alarms(quietReport()).map((f) => f.title),
      [],
    );
  });

  it('quiet host without swap: zero warning/critical findings (no-swap is information)', () => {
    const r = quietReport({ swap: false });
    assert.deepEqual(
      alarms(r).map((f) => f.title),
      [],
    );
    assert.equal(only(r, 'no-swap').severity, 'info');
  });

  it('a real snapshot of a quiet VM (test/fixtures/snapshot) gives no alarm either', () => {
    const fixture = readFileSync(join(__dirname, '..', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8');
    const r = buildReport(parseSnapshotFrames(fixture), { name: 'vm', via: 'local' } as Host);
    assert.deepEqual(
      alarms(r).map((f) => f.title),
      [],
    );
  });

  it('every finding is sorted by severity and carries the fields of the contract', () => {
    const r = mem(withProcs(quietReport(), proc({ comm: 'java', cmdline: 'java -Xmx16g -jar big.jar', rssKb: 3 * GiB })), { availableKb: 0.5 * GiB });
    const fs = runFindings(r);
    assert.ok(fs.length >= 3);
    const rank = { critical: 0, warning: 1, info: 2 };
    for (let i = 1; i < fs.length; i++) assert.ok(rank[fs[i - 1].severity] <= rank[fs[i].severity]);
    for (const f of fs) {
      assert.ok(FINDING_IDS.includes(f.id), f.id);
      assert.ok(f.title && f.detail && Array.isArray(f.pids) && typeof f.evidence === 'object');
      for (const m of f.remedies) assert.ok(m.title && Array.isArray(m.commands) && typeof m.changesHost === 'boolean');
    }
  });
});

describe('analyze findings: memory', () => {
  it('low-available: warning under 15 %, critical under 10 %, with the largest processes and the numbers', () => {
    const w = only(mem(quietReport(), { availableKb: 1.1 * GiB }), 'low-available');
    assert.equal(w.severity, 'warning');
    assert.match(w.title, /13\.?\d*%|14%|13%/);
    assert.equal(w.evidence.availableKb, 1.1 * GiB);
    const c = only(mem(quietReport(), { availableKb: 0.4 * GiB }), 'low-available');
    assert.equal(c.severity, 'critical');
    assert.ok(c.pids.includes(900)); // postgres is among the largest
    // the hog to stop is not a critical service
    const kill = c.remedies.find((x) => x.commands.some((cmd) => cmd.startsWith('sudo kill ')))!;
    assert.ok(kill.changesHost);
    assert.deepEqual(kill.commands, ['sudo kill 1500', 'sudo kill -9 1500']);
    // The remedy is rendered from its typed actions (what "Fix…" runs).
    assert.deepEqual(
      kill.actions!.map((a) => [a.kind, a.inputs.pid, a.inputs.signal, a.undo]),
      [
        ['kill', 1500, 'TERM', null],
        ['kill', 1500, 'KILL', null],
      ],
    );
    none(mem(quietReport(), { availableKb: 1.3 * GiB }), 'low-available');
  });

  it("low-available on a host without swap offers the guide's swap file, and drop_caches only when cache is large", () => {
    const r = mem(quietReport({ swap: false }), { availableKb: 0.5 * GiB, cachedKb: 3 * GiB, shmemKb: 100 * MiB });
    const f = only(r, 'low-available');
    const cmds = commands(f);
    for (const c of [
      'sudo fallocate -l 2G /swapfile',
      'sudo chmod 600 /swapfile',
      'sudo mkswap /swapfile',
      'sudo swapon /swapfile',
      'echo 3 | sudo tee /proc/sys/vm/drop_caches',
      'free -h',
      'ps aux --sort=-%mem | head -10',
    ])
      assert.ok(cmds.includes(c), c);
    const f2 = only(mem(quietReport(), { availableKb: 0.5 * GiB, cachedKb: 0.3 * GiB }), 'low-available');
    assert.ok(!commands(f2).some((c) => c.includes('drop_caches')));
  });

  it('no-swap: warning when memory is tight or a kill happened, information otherwise', () => {
    assert.equal(only(mem(quietReport({ swap: false }), { availableKb: 0.9 * GiB }), 'no-swap').severity, 'warning');
    assert.equal(only({ ...quietReport({ swap: false }), oomKillsSinceBoot: 2 }, 'no-swap').severity, 'warning');
    none(quietReport(), 'no-swap');
    const f = only(quietReport({ swap: false }), 'no-swap');
    assert.ok(f.remedies[0].changesHost);
    assert.ok(commands(f).includes('sudo swapon /swapfile'));
  });

  it('swap-heavy: > 50 % used warning, > 90 % critical, with the most swapped processes', () => {
    const r = withProcs(mem(quietReport(), { swapFreeKb: 0.8 * GiB }), proc({ pid: 3333, comm: 'idle-app', swapKb: 900 * MiB }));
    const f = only(r, 'swap-heavy');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.pids, [3333]);
    assert.equal(only(mem(quietReport(), { swapFreeKb: 0.1 * GiB }), 'swap-heavy').severity, 'critical');
    none(mem(quietReport(), { swapFreeKb: 1.1 * GiB }), 'swap-heavy');
    none(quietReport({ swap: false }), 'swap-heavy');
  });

  it('memory-pressure: PSI some avg60 > 10 or full avg10 > 5 warns; full avg60 > 10 is critical', () => {
    const p = (x: Partial<NonNullable<Report['pressure']>>) => ({
      ...quietReport(),
      pressure: { someAvg10: 0, someAvg60: 0, fullAvg10: 0, fullAvg60: 0, ...x },
    });
    assert.equal(only(p({ someAvg60: 12 }), 'memory-pressure').severity, 'warning');
    assert.equal(only(p({ fullAvg10: 6 }), 'memory-pressure').severity, 'warning');
    assert.equal(only(p({ someAvg60: 40, fullAvg60: 15 }), 'memory-pressure').severity, 'critical');
    none(p({ someAvg10: 30, someAvg60: 8 }), 'memory-pressure'); // a 10 s blip is not sustained
    none({ ...quietReport(), pressure: null }, 'memory-pressure');
  });

  it('slab-unreclaimable: > 10 % of RAM warns, > 25 % is critical, and steady growth in the samples warns', () => {
    assert.equal(only(mem(quietReport(), { slabUnreclaimKb: 1 * GiB }), 'slab-unreclaimable').severity, 'warning');
    assert.equal(only(mem(quietReport(), { slabUnreclaimKb: 2.5 * GiB }), 'slab-unreclaimable').severity, 'critical');
    none(quietReport(), 'slab-unreclaimable');
    const r = mem(quietReport(), { slabUnreclaimKb: 400 * MiB });
    const t = Array.from({ length: 60 }, (_, i) => Date.parse('2026-11-25T21:00:00Z') + i * 60_000);
    const system = { t, availableKb: t.map(() => 6 * GiB), swapFreeKb: t.map(() => 2 * GiB), slabUnreclaimKb: t.map((_, i) => 300 * MiB + i * 2 * MiB) };
    const fs = byId(analyzeFindings({ report: r, system }).findings, 'slab-unreclaimable');
    assert.equal(fs.length, 1);
    assert.match(fs[0].title, /growing/);
    assert.ok(commands(fs[0]).includes('sudo slabtop -o -s c | head -20'));
  });

  it('shmem-hidden: large Shmem that no process maps', () => {
    const f = only(mem(quietReport(), { shmemKb: 2 * GiB }), 'shmem-hidden');
    assert.equal(f.severity, 'warning');
    assert.ok((f.evidence.unaccountedKb as number) > 1.5 * GiB);
    assert.ok(commands(f).includes('df -h -t tmpfs') && commands(f).includes('ipcs -m'));
    // mapped by a process (e.g. a database's shared buffers): not hidden
    none(withProcs(mem(quietReport(), { shmemKb: 2 * GiB }), proc({ comm: 'postgres', rssKb: 2.2 * GiB, rssShmemKb: 1.8 * GiB })), 'shmem-hidden');
    none(quietReport(), 'shmem-hidden');
  });
});

describe('analyze findings: vm settings', () => {
  it('overcommit mode 0 (default): nothing', () => {
    for (const id of ['overcommit-always', 'overcommit-strict-exceeded']) none(quietReport(), id);
  });

  it("overcommit-always (mode 1): information on a quiet host, warning with kills; the guide's commands", () => {
    const quiet = only(settings(quietReport(), { overcommitMemory: 1 }), 'overcommit-always');
    assert.equal(quiet.severity, 'info');
    const f = only({ ...settings(quietReport(), { overcommitMemory: 1 }), oomKillsSinceBoot: 1 }, 'overcommit-always');
    assert.equal(f.severity, 'warning');
    const cmds = commands(f);
    for (const c of ['cat /proc/sys/vm/overcommit_memory', 'sudo sysctl -w vm.overcommit_memory=2', 'sudo sysctl -w vm.overcommit_ratio=100'])
      assert.ok(cmds.includes(c), c);
    assert.ok(f.remedies.filter((x) => x.commands.some((c) => c.startsWith('sudo sysctl'))).every((x) => x.changesHost));
    assert.match(quiet.detail, /redis-server \(1700\) recommends mode 1/);
  });

  it('overcommit-strict-exceeded (mode 2): critical over CommitLimit, warning near it, nothing below 90 %', () => {
    const s2 = settings(quietReport(), { overcommitMemory: 2 });
    const c = only(mem(s2, { committedAsKb: 6.2 * GiB, commitLimitKb: 6 * GiB }), 'overcommit-strict-exceeded');
    assert.equal(c.severity, 'critical');
    assert.ok(commands(c).includes('sudo sysctl -w vm.overcommit_ratio=100'));
    assert.equal(only(mem(s2, { committedAsKb: 5.6 * GiB, commitLimitKb: 6 * GiB }), 'overcommit-strict-exceeded').severity, 'warning');
    none(mem(s2, { committedAsKb: 3 * GiB, commitLimitKb: 6 * GiB }), 'overcommit-strict-exceeded');
    // mode 0 with Committed_AS > CommitLimit is normal
    none(mem(quietReport(), { committedAsKb: 9 * GiB, commitLimitKb: 6 * GiB }), 'overcommit-strict-exceeded');
    // mode 2, ratio 50, no swap: says only half of RAM can be committed
    const half = only(
      mem(settings(quietReport({ swap: false }), { overcommitMemory: 2, overcommitRatio: 50 }), { committedAsKb: 4 * GiB, commitLimitKb: 4 * GiB }),
      'overcommit-strict-exceeded',
    );
    assert.match(half.detail, /only 50 % of RAM can be committed \(and there is no swap\)/);
    assert.ok(commands(half).includes('sudo swapon /swapfile'));
  });

  it('panic-on-oom: 1 on a quiet host is information, 2 warns, a panic in the log is critical', () => {
    assert.equal(only(settings(quietReport(), { panicOnOom: 1 }), 'panic-on-oom').severity, 'info');
    assert.equal(only(settings(quietReport(), { panicOnOom: 2 }), 'panic-on-oom').severity, 'warning');
    const f = only(settings(quietReport(), { panicOnOom: 1 }), 'panic-on-oom');
    assert.ok(commands(f).includes('sudo sysctl -w vm.panic_on_oom=0'));
    none(quietReport(), 'panic-on-oom');
  });

  it('kill-allocating-task: information, warning when OOM kills happened', () => {
    assert.equal(only(settings(quietReport(), { oomKillAllocatingTask: 1 }), 'kill-allocating-task').severity, 'info');
    const f = only({ ...settings(quietReport(), { oomKillAllocatingTask: 1 }), oomKillsSinceBoot: 3 }, 'kill-allocating-task');
    assert.equal(f.severity, 'warning');
    assert.ok(commands(f).includes('sudo sysctl -w vm.oom_kill_allocating_task=0'));
    none(quietReport(), 'kill-allocating-task');
  });
});

describe('analyze findings: OOM scores', () => {
  it('oom-score-adj-disabled: -1000 on udev and the sshd listener is normal', () => {
    none(quietReport(), 'oom-score-adj-disabled');
  });

  it("oom-score-adj-disabled: a big application at -1000 warns, with the guide's warning and a tee command", () => {
    const r = withProcs(
      quietReport(),
      proc({ pid: 5000, comm: 'java', cmdline: 'java -jar app.jar', rssKb: 2 * GiB, oomScoreAdj: -1000, cgroup: '/system.slice/app.service' }),
    );
    const f = only(r, 'oom-score-adj-disabled');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.pids, [5000]);
    assert.match(f.detail, /complete system freeze/);
    assert.ok(commands(f).includes('echo 0 | sudo tee /proc/5000/oom_score_adj'));
    assert.ok(commands(f).some((c) => c.includes('OOMScoreAdjust=-500') && c.includes('/etc/systemd/system/app.service.d/')));
  });

  it('oom-score-adj-disabled: one small odd process is information; many exempt processes warn', () => {
    assert.equal(only(withProcs(quietReport(), proc({ comm: 'agent', rssKb: 5 * MiB, oomScoreAdj: -1000 })), 'oom-score-adj-disabled').severity, 'info');
    const many = Array.from({ length: 12 }, (_, i) => proc({ pid: 6000 + i, ppid: 5999, comm: 'worker', rssKb: 10 * MiB, oomScoreAdj: -1000 }));
    assert.equal(only(withProcs(quietReport(), ...many), 'oom-score-adj-disabled').severity, 'warning');
  });

  it('critical-unprotected: nothing on a quiet host where nothing else is big', () => {
    none(quietReport(), 'critical-unprotected');
  });

  it('critical-unprotected: postgres at adj 0 while another process is big -> OOMScoreAdjust=-500 in its unit', () => {
    const r = withProcs(quietReport(), proc({ comm: 'java', cmdline: 'java -jar batch.jar', rssKb: 3 * GiB, oomScore: 380 }));
    const f = byId(runFindings(r), 'critical-unprotected').find((x) => x.pids[0] === 900)!;
    assert.ok(f);
    assert.equal(f.severity, 'info'); // memory is fine: a note, not an alarm
    assert.deepEqual(f.pids, [900]); // the postmaster, not each backend
    const cmds = commands(f);
    assert.ok(cmds.includes('cat /proc/900/oom_score'));
    assert.ok(cmds.includes('echo -500 | sudo tee /proc/900/oom_score_adj'));
    assert.ok(cmds.some((c) => c.includes("'[Service]\\nOOMScoreAdjust=-500\\n'") && c.includes('/etc/systemd/system/postgresql@15-main.service.d/')));
    assert.ok(f.remedies.filter((x) => x.commands.some((c) => c.includes('tee'))).every((x) => x.changesHost));
    // the sshd listener is protected (-1000), its session child is not a "main" process
    assert.ok(!runFindings(r).some((x) => x.id === 'critical-unprotected' && x.pids.includes(4100)));
  });

  it("critical-unprotected: warning when memory is tight or kills happened; a container gets its runtime's remedy", () => {
    const r = mem(withProcs(quietReport(), proc({ comm: 'java', rssKb: 3 * GiB, oomScore: 600 })), { availableKb: 0.6 * GiB });
    const fs = byId(runFindings(r), 'critical-unprotected');
    assert.equal(fs.length, 2);
    // postgres is #3 in the OOM killer's line: an alarm; redis is far down the line: a note
    assert.equal(fs.find((f) => f.pids[0] === 900)!.severity, 'warning');
    const redis = fs.find((f) => f.pids[0] === 1700)!;
    assert.equal(redis.severity, 'info');
    assert.ok(commands(redis).includes('docker run --oom-score-adj=-500 <image>'));
    assert.ok(!commands(redis).some((c) => c.includes('systemctl')));
  });
});

describe('analyze findings: runtimes and web servers', () => {
  it('reads JVM heap flags (last wins, options end at -jar / the main class, -cp takes a value)', () => {
    assert.equal(parseJavaSize('2g'), 2 * GiB);
    assert.equal(parseJavaSize('512M'), 512 * MiB);
    assert.equal(parseJavaSize('1073741824'), GiB);
    assert.equal(parseJvmFlags('java -Xmx1g -Xmx3g -jar a.jar -Xmx9g').xmxKb, 3 * GiB);
    assert.equal(parseJvmFlags('/usr/bin/java -cp /a/b.jar:/c -Xmx2g com.example.Main -Xmx8g').xmxKb, 2 * GiB);
    assert.equal(parseJvmFlags('java -XX:MaxHeapSize=268435456 Main').xmxKb, 256 * MiB);
    const p = parseJvmFlags('java -XX:MaxRAMPercentage=80.0 -jar app.jar');
    assert.equal(p.maxRamPercentage, 80);
    assert.equal(jvmMaxHeapKb(p, 1 * GiB).heapKb, 0.8 * GiB);
    assert.equal(jvmMaxHeapKb(parseJvmFlags('java -XX:MaxRAM=4g -XX:MaxRAMPercentage=50 Main'), 8 * GiB).heapKb, 2 * GiB);
    assert.equal(jvmMaxHeapKb(parseJvmFlags('java -jar app.jar'), 8 * GiB).source, 'default');
    assert.equal(detectRuntime({ comm: 'java', cmdline: null }), 'java');
    assert.equal(detectRuntime({ comm: 'gunicorn', cmdline: '/usr/bin/python3 /usr/bin/gunicorn app:app' }), 'python');
    assert.equal(detectRuntime({ comm: 'MainThread', cmdline: '/usr/bin/node server.js' }), 'node');
    assert.equal(detectRuntime({ comm: 'postgres', cmdline: 'postgres -D /data' }), 'native');
    assert.equal(parseNodeOldSpace('node --max-old-space-size=4096 app.js'), 4096 * MiB);
    assert.equal(parseNodeOldSpace('node --max_old_space_size=512 app.js'), 512 * MiB);
    assert.equal(parseNodeOldSpace('node app.js'), null);
  });

  it('jvm-heap-vs-limit: -Xmx over the container limit is critical; heap + overhead over it warns; a fitting heap is fine', () => {
    const cg = '/system.slice/docker-abc.scope';
    const c = container('docker', 'abc123def456', { name: 'api' });
    const base = (cmdline: string, limit: number) => ({
      ...withProcs(quietReport(), proc({ pid: 7000, comm: 'java', cmdline, rssKb: 700 * MiB, cgroup: cg, container: c })),
      cgroups: [cgroup(cg, limit, 750 * MiB)],
    });
    const crit = only(base('java -Xmx2g -jar api.jar', 1 * GiB), 'jvm-heap-vs-limit');
    assert.equal(crit.severity, 'critical');
    assert.equal(crit.evidence.heapKb, 2 * GiB);
    assert.equal(crit.evidence.limitSource, 'cgroup');
    assert.ok(commands(crit).some((c) => /^java -Xmx\d+m -jar your_app\.jar$/.test(c)));
    assert.ok(
      commands(crit).some((c) => /^java -Xmx\d+m -jar api\.jar$/.test(c)),
      'rewrites the real command line',
    );
    assert.ok(commands(crit).some((c) => c.startsWith('docker update --memory ')));
    const warn = only(base('java -Xmx900m -jar api.jar', 1 * GiB), 'jvm-heap-vs-limit');
    assert.equal(warn.severity, 'warning');
    const pct = only(base('java -XX:MaxRAMPercentage=95 -jar api.jar', 1 * GiB), 'jvm-heap-vs-limit');
    assert.equal(pct.severity, 'warning');
    none(base('java -Xmx512m -jar api.jar', 1 * GiB), 'jvm-heap-vs-limit');
    none(base('java -XX:MaxRAMPercentage=60 -jar api.jar', 2 * GiB), 'jvm-heap-vs-limit');
    none(base('java -jar api.jar', 1 * GiB), 'jvm-heap-vs-limit'); // default 25 %
  });

  it('jvm-heap-vs-limit: against MemTotal without a cgroup limit, and several JVMs that together exceed RAM', () => {
    const f = only(withProcs(quietReport(), proc({ comm: 'java', cmdline: 'java -Xmx8g -jar big.jar', rssKb: 1 * GiB })), 'jvm-heap-vs-limit');
    assert.equal(f.severity, 'critical');
    assert.equal(f.evidence.limitSource, 'MemTotal');
    const jvms = [0, 1, 2].map((i) => proc({ pid: 7100 + i, comm: 'java', cmdline: `java -Xmx2500m -jar svc${i}.jar`, rssKb: 500 * MiB }));
    const fs = byId(runFindings(withProcs(quietReport(), ...jvms)), 'jvm-heap-vs-limit');
    assert.equal(fs.length, 1);
    assert.match(fs[0].title, /3 JVMs may together grow/);
  });

  it('node-heap-vs-limit: --max-old-space-size over the cgroup limit; NODE_OPTIONS invisibility is said', () => {
    const cg = '/kubepods/burstable/pod1/c1';
    const r = {
      ...withProcs(
        quietReport(),
        proc({
          pid: 7200,
          comm: 'node',
          cmdline: 'node --max-old-space-size=4096 server.js',
          rssKb: 600 * MiB,
          cgroup: cg,
          container: container('kubernetes', 'c1', { podUid: 'pod1' }),
        }),
      ),
      cgroups: [cgroup('/kubepods/burstable/pod1', 2 * GiB, 700 * MiB)],
    };
    const f = only(r, 'node-heap-vs-limit');
    assert.equal(f.severity, 'critical');
    assert.match(f.detail, /NODE_OPTIONS/);
    assert.ok(commands(f).some((c) => /^node --max-old-space-size=\d+ server\.js$/.test(c)));
    assert.ok(commands(f).some((c) => c.startsWith('kubectl set resources')));
    const fits = { ...r, processes: r.processes.map((p) => (p.pid === 7200 ? { ...p, cmdline: 'node --max-old-space-size=1024 server.js' } : p)) };
    none(fits, 'node-heap-vs-limit');
    none(withProcs(quietReport(), proc({ comm: 'node', cmdline: 'node server.js' })), 'node-heap-vs-limit');
  });

  it('nginx-workers: information on a quiet host; warning when the workers take a quarter of RAM', () => {
    const f = only(quietReport(), 'nginx-workers');
    assert.equal(f.severity, 'info');
    assert.equal(f.evidence.workers, 2);
    assert.equal(f.evidence.measure, 'pssKb');
    assert.match(f.title, /2 workers × 4 MiB = 8 MiB PSS/);
    const workers = Array.from({ length: 16 }, (_, i) =>
      proc({ pid: 1300 + i, ppid: 1200, comm: 'nginx', cmdline: 'nginx: worker process', rssKb: 180 * MiB, pssKb: 150 * MiB }),
    );
    const busy = only(withProcs(quietReport(), ...workers), 'nginx-workers');
    assert.equal(busy.severity, 'warning');
    assert.equal(busy.evidence.workers, 18);
    assert.ok(commands(busy).includes('sudo nginx -t') && commands(busy).includes('sudo systemctl reload nginx'));
    assert.ok(commands(busy).some((c) => c.includes('worker_connections')));
  });

  it('apache-workers: prefork children × RSS', () => {
    const kids = Array.from({ length: 40 }, (_, i) =>
      proc({ pid: 8100 + i, ppid: 8000, comm: 'apache2', cmdline: '/usr/sbin/apache2 -k start', rssKb: 60 * MiB, pssKb: null }),
    );
    const f = only(withProcs(quietReport(), proc({ pid: 8000, comm: 'apache2', cmdline: '/usr/sbin/apache2 -k start' }), ...kids), 'apache-workers');
    assert.equal(f.evidence.workers, 40);
    assert.equal(f.evidence.measure, 'rssKb');
    assert.equal(f.severity, 'warning');
  });
});

describe('analyze findings: containers', () => {
  it('container-no-limit: a docker container without a limit; warning when it is big', () => {
    const p = proc({
      pid: 9000,
      comm: 'python3',
      cmdline: 'python3 worker.py',
      rssKb: 1.5 * GiB,
      cgroup: '/system.slice/docker-9f9f.scope',
      container: container('docker', '9f9f00112233'),
    });
    const f = only(withProcs(quietReport(), p), 'container-no-limit');
    assert.equal(f.severity, 'warning');
    assert.ok(commands(f).some((c) => /^docker update --memory \d+[mg] --memory-swap \d+[mg] 9f9f00112233$/.test(c)));
    assert.ok(commands(f).includes('docker stats --no-stream'));
    const small = only(withProcs(quietReport(), { ...p, rssKb: 50 * MiB }), 'container-no-limit');
    assert.equal(small.severity, 'info');
  });

  it('container-no-limit: a limit on a parent (Kubernetes pod level) counts; systemd services are not containers', () => {
    const k = proc({ comm: 'app', cgroup: '/kubepods/burstable/podA/ctr1', container: container('kubernetes', 'ctr1', { podUid: 'podA' }) });
    none({ ...withProcs(quietReport(), k), cgroups: [...quietReport().cgroups, cgroup('/kubepods/burstable/podA', GiB, 100 * MiB)] }, 'container-no-limit');
    const f = only(withProcs(quietReport(), k), 'container-no-limit');
    assert.ok(commands(f).some((c) => c.startsWith('kubectl set resources') && c.includes('--limits=memory=')));
    assert.ok(commands(f).includes('kubectl describe pod <pod_name>'));
    none(withProcs(quietReport(), proc({ comm: 'svc', container: container('systemd', null, { name: 'svc.service' }) })), 'container-no-limit');
  });

  it('container-near-limit: ≥ 90 % warns, an OOM kill inside is critical, mostly cache is information', () => {
    const path = '/system.slice/docker-4f1c.scope';
    const at = (usage: number, extra = {}) => ({ ...quietReport(), cgroups: [cgroup(path, 512 * MiB, usage, extra)] });
    const redisAnon = (r: Report, anon: number) => ({ ...r, processes: r.processes.map((p) => (p.pid === 1700 ? { ...p, rssAnonKb: anon } : p)) });
    const w = only(redisAnon(at(490 * MiB), 400 * MiB), 'container-near-limit');
    assert.equal(w.severity, 'warning');
    assert.match(w.title, /docker container cache: 96% of its 512 MiB limit/);
    assert.ok(commands(w).some((c) => c.startsWith('docker update --memory ') && c.endsWith(' 4f1c2a7d9e0b')));
    assert.ok(w.remedies.find((x) => x.commands.some((c) => c.startsWith('docker update')))!.changesHost);
    assert.equal(only(at(490 * MiB), 'container-near-limit').severity, 'info'); // redis anon is ~21 MiB: page cache
    const k = only(at(300 * MiB, { oomKills: 4 }), 'container-near-limit');
    assert.equal(k.severity, 'critical');
    assert.match(k.title, /4 OOM kills/);
    assert.equal(only(at(300 * MiB, { failcnt: 53 }), 'container-near-limit').severity, 'info');
    none(quietReport(), 'container-near-limit');
    // a systemd service's cgroup gets MemoryMax
    const svc = only({ ...quietReport(), cgroups: [cgroup('/system.slice/app.service', 200 * MiB, 150 * MiB, { oomKills: 1 })] }, 'container-near-limit');
    assert.ok(commands(svc).some((c) => /^sudo systemctl set-property app\.service MemoryMax=\d+[MG]$/.test(c)));
  });
});

describe('analyze findings: growth, floods, zombies', () => {
  it('leak-suspect from the growth verdicts: runtime tool, critical when the OOM is projected within a day', () => {
    const r = { ...quietReport(), growth: [growth({ pid: 1500, comm: 'python3', projectedOomAt: '2026-11-26T03:00:00.000Z', projectedBy: 'system' })] };
    const f = only(r, 'leak-suspect');
    assert.equal(f.severity, 'critical');
    assert.match(f.title, /^python3 \(1500\) grows 900 KiB\/min steadily: out of memory in ~4 h 48 min$/);
    assert.ok(commands(f).includes('python3 -X tracemalloc=25 /srv/app/main.py'));
    assert.ok(commands(f).includes('sudo kill 1500'));
    assert.equal(f.evidence.r2, 0.99);
    const later = only({ ...r, growth: [growth({ pid: 1500, comm: 'python3', projectedOomAt: '2026-12-20T00:00:00.000Z' })] }, 'leak-suspect');
    assert.equal(later.severity, 'warning');
    assert.ok(!commands(later).some((c) => c.startsWith('kill')));
  });

  it('leak-suspect: the leak tool follows the runtime (valgrind for native, node heap snapshots, jcmd for Java)', () => {
    const procs = [
      proc({ pid: 100, comm: 'myd', cmdline: '/usr/local/bin/myd --port 8080' }),
      proc({ pid: 101, comm: 'node', cmdline: 'node /srv/api/server.js' }),
      proc({ pid: 102, comm: 'java', cmdline: 'java -Xmx1g -jar /srv/app.jar' }),
    ];
    const r = { ...withProcs(quietReport(), ...procs), growth: procs.map((p) => growth({ pid: p.pid, comm: p.comm })) };
    const fs = byId(runFindings(r), 'leak-suspect');
    const cmds = (pid: number) => commands(fs.find((f) => f.pids[0] === pid)!);
    assert.ok(cmds(100).includes('valgrind --leak-check=full /usr/local/bin/myd --port 8080'));
    assert.ok(cmds(101).includes('node --heapsnapshot-signal=SIGUSR2 /srv/api/server.js'));
    assert.ok(cmds(101).some((c) => c.startsWith('node --inspect')));
    assert.ok(cmds(102).includes('jcmd 102 GC.class_histogram'));
  });

  it('host strings never reach a command: an odd command line becomes a placeholder', () => {
    const p = proc({ pid: 104, comm: 'evil', cmdline: 'evil; rm -rf / $(reboot)' });
    const r = { ...withProcs(quietReport(), p), growth: [growth({ pid: 104, comm: 'evil' })] };
    const f = only(r, 'leak-suspect');
    assert.ok(commands(f).includes('valgrind --leak-check=full <program> <args>'));
    assert.ok(!commands(f).some((c) => c.includes('rm -rf')));
  });

  it('hostile argv: a remedy repeats a command line only when argv[0] is the real program and no argument loads code', () => {
    const suspect = (p: ReturnType<typeof proc>) =>
      commands(only({ ...withProcs(quietReport(), p), growth: [growth({ pid: p.pid, comm: p.comm })] }, 'leak-suspect'));
    // `exec -a rm x -rf --no-preserve-root /`: it claims to be rm; /proc/PID/exe says it is not.
    const fake = suspect(proc({ pid: 110, comm: 'x', cmdline: 'rm -rf --no-preserve-root /', exe: '/tmp/x' }));
    assert.ok(fake.includes('valgrind --leak-check=full <program> <args>'), fake.join('\n'));
    assert.ok(!fake.some((c) => c.includes('rm') || c.includes('preserve')));
    // A "node" that would load someone's code: the script is a placeholder, never --require /tmp/evil.js.
    const node = suspect(proc({ pid: 111, comm: 'node', cmdline: 'node app.js --require /tmp/evil.js' }));
    assert.ok(node.includes('node --heapsnapshot-signal=SIGUSR2 app.js'), node.join('\n'));
    assert.ok(!node.some((c) => c.includes('evil')));
    for (const flag of ['-r', '--import=/tmp/x.mjs', '-e', '--eval=process.exit()', '-p']) {
      const n = suspect(proc({ pid: 112, comm: 'node', cmdline: `node ${flag} server.js` }));
      assert.ok(!n.some((c) => c.includes(flag)), `${flag}: ${n.join(' | ')}`);
    }
    const py = suspect(proc({ pid: 113, comm: 'python3', cmdline: 'python3 -c import_os', exe: '/usr/bin/python3.11' }));
    assert.ok(py.includes('python3 -X tracemalloc=25 app.py'), py.join('\n'));
    // The real program with awkward arguments: every word quoted for sh.
    const real = proc({ pid: 114, comm: 'myd', cmdline: null, argv: ['/usr/local/bin/myd', "--name=it's here", '$(reboot)'], exe: '/usr/local/bin/myd' });
    assert.ok(suspect(real).includes(`valgrind --leak-check=full /usr/local/bin/myd '--name=it'\\''s here' '$(reboot)'`), suspect(real).join('\n'));
    // A newline inside an argument, or a deleted binary: placeholder.
    assert.ok(
      suspect(proc({ pid: 115, comm: 'myd', argv: ['/usr/bin/myd', 'a\nb'], exe: '/usr/bin/myd' })).includes('valgrind --leak-check=full <program> <args>'),
    );
    assert.ok(
      suspect(proc({ pid: 116, comm: 'myd', cmdline: '/usr/bin/myd', exe: '/usr/bin/myd (deleted)' })).includes('valgrind --leak-check=full <program> <args>'),
    );
    // python3 is /usr/bin/python3.11: the same program.
    assert.ok(
      suspect(proc({ pid: 117, comm: 'python3', cmdline: 'python3 /srv/job.py', exe: '/usr/bin/python3.11' })).includes(
        'python3 -X tracemalloc=25 /srv/job.py',
      ),
    );
  });

  it('userspace-oom-killer: earlyoom (its thresholds from its argv, defaults 10 %/5 %) and systemd-oomd are named, with where their kills are', () => {
    const r = withProcs(
      quietReport(),
      proc({ pid: 700, comm: 'earlyoom', cmdline: '/usr/bin/earlyoom -r 3600 -m 15,8 -S 102400 --prefer ^(java|chrome)$ --avoid ^sshd$' }),
      proc({ pid: 701, comm: 'systemd-oomd', cmdline: '/usr/lib/systemd/systemd-oomd' }),
    );
    const fs = byId(runFindings(r), 'userspace-oom-killer');
    assert.equal(fs.length, 2);
    const e = fs.find((f) => f.pids[0] === 700)!;
    assert.equal(e.severity, 'info');
    assert.equal(e.title, 'earlyoom runs here (pid 700): it kills before the kernel would, at 15 % MemAvailable and 10 % free swap');
    assert.match(e.detail, /SIGKILL at 8 % \/ 5 %/);
    assert.match(e.detail, /prefers to kill \/\^\(java\|chrome\)\$\/\. It avoids \/\^sshd\$\//);
    assert.deepEqual((e.evidence as { swapTermKb: number }).swapTermKb, 102400);
    assert.ok(commands(e).includes('journalctl -u earlyoom --no-pager -n 200'));
    const o = fs.find((f) => f.pids[0] === 701)!;
    assert.match(o.title, /^systemd-oomd runs here \(pid 701\): it kills whole cgroups/);
    assert.ok(commands(o).includes('oomctl'));
    const dry = byId(runFindings(withProcs(quietReport(), proc({ pid: 702, comm: 'earlyoom', cmdline: 'earlyoom --dryrun' }))), 'userspace-oom-killer');
    assert.match(dry[0].title, /in --dryrun: it reports, never kills/);
    assert.deepEqual(byId(runFindings(quietReport()), 'userspace-oom-killer'), []);
  });

  it('growing: one information finding for the processes that grew but are not leak suspects', () => {
    const r = {
      ...quietReport(),
      growth: [growth({ pid: 1500, comm: 'python3', verdict: 'growing' }), growth({ pid: 900, comm: 'postgres', verdict: 'steady' })],
    };
    const f = only(r, 'growing');
    assert.equal(f.severity, 'info');
    assert.deepEqual(f.pids, [1500]);
    none(r, 'leak-suspect');
  });

  it('many-processes and zombies', () => {
    const flood = Array.from({ length: 250 }, (_, i) => proc({ pid: 20000 + i, ppid: 19999, comm: 'php-fpm', rssKb: 12 * MiB, pssKb: 8 * MiB }));
    const f = only(withProcs(quietReport(), ...flood), 'many-processes');
    assert.equal(f.severity, 'warning');
    assert.ok(commands(f).includes('sudo kill 19999'));
    none(quietReport(), 'many-processes');
    const z = Array.from({ length: 60 }, (_, i) => ({ ...proc({ pid: 30000 + i, ppid: 29999, comm: 'defunct' }), state: 'Z', rssKb: null }));
    const zf = only(withProcs(quietReport(), proc({ pid: 29999, comm: 'spawner' }), ...z), 'zombies');
    assert.equal(zf.severity, 'info');
    assert.match(zf.title, /60 zombie processes, 60 of them children of spawner \(29999\)/);
  });
});

describe('analyze findings: robustness', () => {
  it('every rule survives an empty / half-filled report', () => {
    const empty = {
      version: 1,
      host: { name: 'x', via: 'local', kernel: null, uptimeSeconds: null, bootTime: null },
      takenAt: 'garbage',
      memory: {
        totalKb: null,
        availableKb: null,
        freeKb: null,
        buffersKb: null,
        cachedKb: null,
        shmemKb: null,
        slabUnreclaimKb: null,
        committedAsKb: null,
        commitLimitKb: null,
        swapTotalKb: null,
        swapFreeKb: null,
      },
      pressure: null,
      settings: { overcommitMemory: null, overcommitRatio: null, swappiness: null, panicOnOom: null, oomKillAllocatingTask: null, minFreeKbytes: null },
      oomKillsSinceBoot: null,
      processes: [],
      cgroups: [],
      events: [],
      growth: [],
      findings: [],
      warnings: [],
    } as Report;
    const res = analyzeFindings({ report: empty });
    assert.deepEqual(res.warnings, []);
    assert.deepEqual(res.findings, []);
    const nulls = {
      ...quietReport(),
      processes: quietReport().processes.map((p) => ({ ...p, rssKb: null, cmdline: null, oomScoreAdj: null, oomScore: null, cgroup: null })),
    };
    assert.deepEqual(analyzeFindings({ report: nulls }).warnings, []);
  });

  it('a rule that throws becomes a warning, not a crash', () => {
    const bad = { ...quietReport(), processes: [null as unknown as Report['processes'][number]] };
    const res = analyzeFindings({ report: bad });
    assert.ok(Array.isArray(res.findings));
    const rule = RULES.find((r) => r.name === 'oomKilled')!;
    const orig = rule.run;
    rule.run = () => {
      throw new Error('boom');
    };
    try {
      const out = analyzeFindings({ report: quietReport() });
      assert.deepEqual(out.warnings, ['analysis: rule oomKilled failed: boom']);
    } finally {
      rule.run = orig;
    }
  });
});
