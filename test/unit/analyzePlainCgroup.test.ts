import { strict as assert } from 'node:assert';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import { analyzeReport } from '../../src/core/analyze';
import { quietReport } from '../fixtures/analyze/reports';

const LOG = [
  '[  900.1] grow invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
  '[  900.2] memory: usage 65536kB, limit 65536kB, failcnt 36',
  '[  900.3] oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/batch/jobs,task_memcg=/batch/jobs,task=grow,pid=4242,uid=0',
  '[  900.4] Memory cgroup out of memory: Killed process 4242 (grow) total-vm:74184kB, anon-rss:65152kB, file-rss:1356kB, shmem-rss:0kB, UID:0 pgtables:184kB oom_score_adj:0',
].join('\n');

describe('oom-killed in a plain memory cgroup (no container, no service)', () => {
  it("suggests the cgroup's own control file, not docker or kubectl", () => {
    const r = quietReport();
    r.events = parseOomEvents(LOG).events;
    r.cgroups = [{ path: '/batch/jobs', version: 1, limitKb: 65536, usageKb: 60000, peakKb: 65536, oomKills: 1, failcnt: 36 }];
    const f = analyzeReport(r).findings.find((x) => x.id === 'oom-killed');
    assert.ok(f, 'no oom-killed finding');
    const cmds = f.remedies.flatMap((x) => x.commands).join('\n');
    assert.match(cmds, /echo 96M \| sudo tee \/sys\/fs\/cgroup\/memory\/batch\/jobs\/memory\.limit_in_bytes/);
    assert.doesNotMatch(cmds, /docker update|kubectl set resources/);
    assert.ok(f.remedies.find((x) => x.commands.some((c) => c.includes('memory.limit_in_bytes')))!.changesHost);
  });
});
