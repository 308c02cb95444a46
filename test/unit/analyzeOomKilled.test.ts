import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding, Report } from '../../src/core/model/report';
import type { OomEvent, OomTask } from '../../src/core/model/oomEvent';
import { runFindings, FINDING_IDS } from '../../src/core/analyze/findings';
import { whyVictim } from '../../src/core/analyze/findings/whyVictim';
import { analyzeReport } from '../../src/core/analyze';
import { contractExample, missingKeys } from './helpers/contract';
import { quietReport, eventsFixture, killEvent, proc, withProcs, GiB, MiB } from '../fixtures/analyze/reports';

const withEvents = (events: OomEvent[], r: Report = quietReport()): Report => ({ ...r, events });
const kills = (r: Report) => runFindings(r).filter((f) => f.id === 'oom-killed');
const commands = (f: Finding) => f.remedies.flatMap((x) => x.commands);

function task(pid: number, name: string, rssPages: number, adj = 0, swap = 0, pgtablesBytes = 64 * 1024): OomTask {
  return {
    pid,
    uid: 0,
    tgid: pid,
    totalVmPages: rssPages * 2,
    rssPages,
    rssAnonPages: rssPages,
    rssFilePages: 0,
    rssShmemPages: 0,
    pgtablesBytes,
    swapEntries: swap,
    oomScoreAdj: adj,
    name,
  };
}

describe('analyze oom-killed: real kernel logs (read by the kernel-log parser)', () => {
  it('a kill storm of the same program (8 node kills) is critical: "killed 8 times since …"', () => {
    const fs = kills(withEvents(eventsFixture('events-node-kill-storm.json')));
    assert.equal(fs.length, 1);
    assert.equal(fs[0].severity, 'critical');
    assert.match(fs[0].title, /^node was OOM-killed 8 times since Nov 30 10:16:57 \(last: anon-rss [\d.]+ MiB\)$/);
    assert.equal(fs[0].evidence.kills, 8);
    assert.equal(fs[0].pids.length, 8);
    assert.ok(commands(fs[0]).includes('journalctl -k | grep -i -E "killed process|out of memory"'));
    assert.ok(commands(fs[0]).includes('dmesg | grep -i oom'));
  });

  it('a system OOM on an old kernel: victim, trigger, and why it was picked (no swap column in the table)', () => {
    const [f] = kills(withEvents(eventsFixture('events-mysqld-system-oom.json')));
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /^mysqld \(40738\) was killed by the OOM killer: anon-rss 12\.8 MiB$/);
    assert.match(f.detail, /whole host ran out of RAM and swap/);
    assert.match(f.detail, /triggered it came from php-fpm \(23212\)/);
    const why = f.evidence.whyVictim as ReturnType<typeof whyVictim> & object;
    assert.equal(why.swapColumn, false);
    assert.match(why.text, /no swap column/);
    assert.ok(why.exempt.some((e) => e.startsWith('udevd')));
    assert.equal(f.evidence.trigger && (f.evidence.trigger as { comm: string }).comm, 'php-fpm');
  });

  it('a Kubernetes memcg kill: the cgroup limit ran out, not the host; pod remedies; the victim ranked first by its adj', () => {
    const [f] = kills(withEvents(eventsFixture('events-uvicorn-memcg.json')));
    assert.match(f.title, /^uvicorn in pod 17d1d0b1-bbeb-4252-a45c-c9f426d1cb34 \(32550\) was killed by the OOM killer/);
    assert.match(f.detail, /memory cgroup .* hit its limit/);
    const why = f.evidence.whyVictim as { victim: { rank: number; oomScoreAdj: number } };
    assert.equal(why.victim.rank, 1);
    assert.equal(why.victim.oomScoreAdj, 992);
    assert.ok(commands(f).includes('kubectl describe pod <pod_name>'));
    assert.ok(commands(f).some((c) => c.startsWith('kubectl set resources')));
  });

  it('a kill whose victim line is missing is still reported, without pretending to know the scope', () => {
    const fs = kills(withEvents(eventsFixture('events-java-sacrifice-child.json')));
    assert.equal(fs.length, 2);
    const unknown = fs.find((f) => /victim is not in the log/.test(f.title))!;
    assert.match(unknown.detail, /does not say whether the whole host or a cgroup/);
    const java = fs.find((f) => f.pids.includes(28438))!;
    assert.match(java.detail, /swap 533 MiB/);
  });

  it('a panic on OOM in the log is a critical panic-on-oom finding', () => {
    const fs = runFindings(withEvents(eventsFixture('events-panic.json')));
    const p = fs.find((f) => f.id === 'panic-on-oom')!;
    assert.equal(p.severity, 'critical');
    assert.match(p.detail, /compulsory panic_on_oom/);
  });
});

describe('analyze oom-killed: grouping, escalation, why this victim', () => {
  const at = (iso: string, pid: number, extra: Omit<Partial<OomEvent>, 'victim'> = {}) =>
    killEvent({ time: iso, victim: { pid, comm: 'worker', anonRssKb: 900 * MiB }, ...extra });

  it('killed twice: warning; three times: critical with the first time in the title', () => {
    assert.equal(kills(withEvents([at('2026-11-25T10:00:00Z', 1), at('2026-11-25T11:00:00Z', 2)]))[0].severity, 'warning');
    const f = kills(withEvents([at('2026-11-25T10:00:00Z', 1), at('2026-11-25T11:00:00Z', 2), at('2026-11-25T12:00:00Z', 3)]))[0];
    assert.equal(f.severity, 'critical');
    assert.equal(f.title, 'worker was OOM-killed 3 times since 2026-11-25 10:00:00 UTC (last: anon-rss 900 MiB)');
    assert.equal(f.evidence.first, '2026-11-25T10:00:00.000Z');
    assert.equal(f.evidence.last, '2026-11-25T12:00:00.000Z');
  });

  it('kills of the same systemd service group together, different programs separately; uptime stamps become times', () => {
    const a = killEvent({ uptimeSeconds: 100, taskMemcg: '/system.slice/api.service', victim: { pid: 10, comm: 'api' } });
    const b = killEvent({ uptimeSeconds: 200, taskMemcg: '/system.slice/api.service', victim: { pid: 11, comm: 'api' } });
    const c = killEvent({ uptimeSeconds: 300, victim: { pid: 12, comm: 'other' } });
    const fs = kills(withEvents([a, b, c]));
    assert.equal(fs.length, 2);
    const api = fs.find((f) => f.pids.includes(10))!;
    assert.match(api.title, /^api of api\.service was OOM-killed 2 times since 2026-11-13 22:13:11 UTC/);
  });

  it('container OOMKilled states (kubectl describe): restart count escalates', () => {
    const e = killEvent({
      kind: 'container',
      scope: null,
      constraint: null,
      victim: { comm: null },
      containerState: {
        name: 'api',
        pod: 'api-7d9f',
        namespace: 'prod',
        id: null,
        reason: 'OOMKilled',
        oomKilled: true,
        exitCode: 137,
        restartCount: 5,
        memoryLimitBytes: 314572800,
        finishedAt: null,
      },
    });
    const [f] = kills(withEvents([{ ...e, victim: null }]));
    assert.equal(f.severity, 'critical');
    assert.equal(f.title, 'container api of pod prod/api-7d9f was OOMKilled (restarted 5 times) at its 300 MiB limit');
    assert.match(f.detail, /Exit code 137/);
    assert.ok(commands(f).includes('kubectl describe pod api-7d9f -n prod'));
    // exit code 137 alone is not an OOM kill
    const notOom = { ...e, victim: null, containerState: { ...e.containerState!, oomKilled: false, reason: 'Error' } };
    assert.deepEqual(kills(withEvents([notOom])), []);
  });

  it('/proc/vmstat oom_kill without events: "N OOM kills since boot" with the log commands', () => {
    const [f] = kills({ ...quietReport(), oomKillsSinceBoot: 2 });
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /^2 OOM kills since boot/);
    assert.ok(commands(f).includes('dmesg | grep -i oom'));
    assert.equal(kills({ ...quietReport(), oomKillsSinceBoot: 7 })[0].severity, 'warning'); // who died is unknown: no escalation
    assert.deepEqual(kills(quietReport()), []);
  });

  it('why this victim: the largest rss+swap+page tables wins; a bigger process protected by a negative adj is named', () => {
    const e = killEvent({
      scope: 'system',
      victim: { pid: 3, comm: 'app', anonRssKb: 1.5 * GiB },
      tasks: [task(1, 'postgres', 800_000, -500), task(2, 'sshd', 2000, -1000), task(3, 'app', 400_000, 0, 10_000), task(4, 'cron', 500)],
    });
    const why = whyVictim(e, quietReport())!;
    assert.equal(why.victim!.rank, 1);
    assert.equal(why.victim!.pointsKb, (400_000 + 10_000) * 4 + 64);
    assert.deepEqual(why.exempt, ['sshd (2)']);
    assert.equal(why.protectedLarger[0].name, 'postgres');
    assert.match(why.text, /Larger but protected by a negative oom_score_adj: postgres/);
    // adj shifts by adj/1000 of RAM+swap: postgres 3.05 GiB − 0.5 × 10 GiB < app 1.56 GiB
    assert.ok((why.top[0].badnessKb as number) > (why.top[1].badnessKb as number));
  });

  it('why this victim: a smaller process with a high oom_score_adj is the preferred victim', () => {
    const e = killEvent({ scope: 'system', victim: { pid: 2, comm: 'batch' }, tasks: [task(1, 'db', 500_000, 0), task(2, 'batch', 100_000, 800)] });
    const why = whyVictim(e, quietReport())!;
    assert.equal(why.victim!.rank, 1);
    assert.match(why.text, /not the largest: its oom_score_adj 800 made it the preferred victim/);
  });

  it('a leaking program killed in its cgroup and restarted there gets its leak tool and oom_score commands', () => {
    const cg = '/system.slice/app.service';
    const e = killEvent({
      time: '2026-12-02T10:00:00.000Z',
      scope: 'memcg',
      constraint: 'CONSTRAINT_MEMCG',
      memcg: cg,
      taskMemcg: cg,
      victim: { pid: 77, comm: 'node', anonRssKb: GiB },
    });
    const r = withProcs(withEvents([e]), proc({ pid: 7788, comm: 'node', cmdline: 'node server.js', cgroup: cg, startedAt: '2026-12-02T10:00:05.000Z' }));
    const [f] = kills(r);
    assert.ok(commands(f).includes('cat /proc/7788/oom_score'));
    assert.ok(commands(f).includes('node --heapsnapshot-signal=SIGUSR2 server.js'));
    assert.equal(f.evidence.runningNow, null, 'pid 7788 is not the victim 77');
    assert.equal((f.evidence.restartedAs as { pid: number }).pid, 7788);
    assert.match(f.detail, /runs again in the same cgroup as node \(7788\), started after the kill/);
  });

  it('a victim is never linked to a namesake in another cgroup: "not running now", remedies name no other pid', () => {
    const e = killEvent({
      time: '2026-12-02T10:00:00.000Z',
      scope: 'memcg',
      constraint: 'CONSTRAINT_MEMCG',
      memcg: '/ux-test',
      taskMemcg: '/ux-test',
      victim: { pid: 9390, comm: 'python3', anonRssKb: 60 * MiB },
    });
    const other = proc({ pid: 4242, comm: 'python3', cmdline: 'python3 other_script.py', cgroup: '/other', startedAt: '2026-12-02T09:00:00.000Z' });
    const [f] = kills(withProcs(withEvents([e]), other));
    assert.equal(f.evidence.runningNow, null);
    assert.equal(f.evidence.restartedAs, null);
    assert.match(f.detail, /It is not running now\./);
    assert.ok(!commands(f).some((c) => c.includes('4242') || c.includes('other_script')), commands(f).join('\n'));
    assert.match(f.title, /^python3 \(9390\) was killed/, 'the victim as the kernel logged it');
  });

  it('the same pid with a start time before the kill is the victim still running; after the kill it is not', () => {
    const e = killEvent({ time: '2026-12-02T10:00:00.000Z', victim: { pid: 500, comm: 'app' } });
    const before = kills(withProcs(withEvents([e]), proc({ pid: 500, comm: 'app', startedAt: '2026-12-02T09:59:00.000Z' })))[0];
    assert.equal((before.evidence.runningNow as { pid: number }).pid, 500);
    const reused = kills(withProcs(withEvents([e]), proc({ pid: 500, comm: 'app', startedAt: '2026-12-02T10:00:30.000Z' })))[0];
    assert.equal(reused.evidence.runningNow, null, 'a reused pid started after the kill is another process');
    const unknown = kills(withProcs(withEvents([e]), proc({ pid: 500, comm: 'app' })))[0];
    assert.equal(unknown.evidence.runningNow, null, 'no start time: not linked');
  });

  it('runtime-oom: a runtime heap limit is not a kernel kill', () => {
    const e = killEvent({
      kind: 'runtime',
      scope: null,
      constraint: null,
      victim: { comm: null },
      runtime: { name: 'node', message: 'Reached heap limit Allocation failed - JavaScript heap out of memory', pid: 6032, heapMb: 2047 },
    });
    const fs = runFindings(withEvents([{ ...e, victim: null }]));
    assert.deepEqual(
      fs.filter((f) => f.id === 'oom-killed'),
      [],
    );
    const f = fs.find((x) => x.id === 'runtime-oom')!;
    assert.equal(f.severity, 'warning');
    assert.match(f.title, /node ran out of its own heap \(2047 MB\)/);
    assert.ok(commands(f).includes('node --max-old-space-size=3071 app.js'));
  });
});

describe('analyze: report contract and the finding-id table', () => {
  it('growth and findings elements have every field of docs/contracts/report.md', () => {
    const contract = contractExample('report.md') as Record<string, unknown>;
    const r = quietReport();
    const t = Array.from({ length: 30 }, (_, i) => new Date(Date.parse('2026-11-25T21:41:31Z') + i * 60_000).toISOString());
    r.samples = {
      intervalMs: 60_000,
      t,
      system: { availableKb: t.map(() => 6 * GiB), swapUsedKb: t.map(() => 0) },
      processes: { 1500: { rssKb: t.map((_, i) => 120 * MiB + i * 4 * MiB), pssKb: t.map(() => null) } },
    };
    r.events = eventsFixture('events-uvicorn-memcg.json');
    const out = JSON.parse(JSON.stringify(analyzeReport(r)));
    assert.ok(out.growth.length > 0 && out.findings.length > 0);
    assert.deepEqual(missingKeys({ growth: contract.growth, findings: contract.findings }, { growth: out.growth, findings: out.findings }), []);
  });

  it('every finding id is documented in the README (section Findings), and nothing else is', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const md = readme.slice(readme.indexOf('## Findings'), readme.indexOf('\n## ', readme.indexOf('## Findings') + 5));
    const documented = [...md.matchAll(/^\| `([a-z0-9-]+)` \|/gm)].map((m) => m[1]);
    assert.deepEqual([...documented].sort(), [...FINDING_IDS].sort());
    assert.equal(new Set(FINDING_IDS).size, FINDING_IDS.length);
  });

  it('commands that change the host are marked changesHost, reading ones are not', () => {
    const r: Report = {
      ...withProcs(quietReport({ swap: false }), proc({ comm: 'java', cmdline: 'java -Xmx16g -jar x.jar', rssKb: 3 * GiB, oomScoreAdj: -1000 })),
      settings: { ...quietReport().settings, overcommitMemory: 1, panicOnOom: 2, oomKillAllocatingTask: 1 },
      memory: { ...quietReport({ swap: false }).memory, availableKb: 0.3 * GiB, cachedKb: 3 * GiB, shmemKb: 2 * GiB, slabUnreclaimKb: 1 * GiB },
      events: eventsFixture('events-node-kill-storm.json'),
      pressure: { someAvg10: 50, someAvg60: 40, fullAvg10: 20, fullAvg60: 12 },
    };
    // a node leak suspect (its remedies signal the process) and a native one
    r.processes.push(proc({ pid: 4242, comm: 'node', cmdline: 'node server.js' }), proc({ pid: 4343, comm: 'myd', cmdline: '/usr/bin/myd' }));
    r.growth = [4242, 4343].map((pid) => ({
      pid,
      comm: pid === 4242 ? 'node' : 'myd',
      metric: 'rssKb' as const,
      slopeKbPerMin: 500,
      r2: 0.99,
      samples: 60,
      projectedOomAt: '2026-11-25T23:00:00.000Z',
      verdict: 'leak-suspect' as const,
    }));
    const fs = runFindings(r);
    assert.ok(new Set(fs.map((f) => f.id)).size >= 13);
    assert.ok(fs.some((f) => f.id === 'leak-suspect' && f.remedies.some((m) => m.commands.some((c) => c.startsWith('kill -USR2')))));
    const mutating =
      /(^|\s|\|\s*)(sudo (kill|sysctl|swapon|mkswap|fallocate|chmod|tee|rm|ipcrm|systemctl|mkdir)|kill(\s|$)|docker update|podman update|kubectl set|echo .*\| sudo tee)/;
    for (const f of fs)
      for (const m of f.remedies) {
        if (m.commands.some((c) => mutating.test(c))) assert.ok(m.changesHost, `${f.id}: "${m.title}" runs ${m.commands.join('; ')}`);
        if (
          m.commands.length &&
          m.commands.every((c) =>
            /^(cat |free |ps |dmesg |journalctl |smem |df |ipcs|jstat |jcmd |jmap |uname|grep |docker stats|docker logs|kubectl describe|sudo slabtop|sudo cat|sudo du|sudo nginx -T|apachectl -V)/.test(
              c,
            ),
          )
        ) {
          assert.equal(m.changesHost, false, `${f.id}: "${m.title}"`);
        }
      }
  });
});
