// The same diagnosis over SSH as locally for the same machine: collectSnapshot(new LocalHost())
// vs collectSnapshot(SshHost as root on 127.0.0.1). Processes come and go between the two
// snapshots, so the process comparison uses the long-lived ones: present in a local snapshot
// taken before AND one taken after the SSH snapshot.
import { strict as assert } from 'node:assert';
import { LocalHost } from '../../src/core/host/localHost';
import { collectSnapshot } from '../../src/core/collect/snapshot';
import { useSshFixture, SshFixture } from './sshd/fixture';

describe('the same snapshot over SSH as locally (same machine, root)', function () {
  let fx: SshFixture;
  useSshFixture((f) => {
    fx = f;
  });

  it('same memory.totalKb, settings, kernel, host name, and the same long-lived processes with the same facts', async () => {
    const local = new LocalHost();
    const ssh = fx.host('target');
    try {
      await ssh.connect();
      const a = (await collectSnapshot(local)).report;
      const b = (await collectSnapshot(ssh)).report;
      const c = (await collectSnapshot(local)).report;

      assert.equal(b.host.via, 'ssh');
      // The machine is shared (other test runs make and remove cgroups, OOM kills happen): a value
      // that changed between the two local snapshots may match either of them.
      const same = (what: string, f: (r: typeof a) => unknown) => {
        const [va, vb, vc] = [a, b, c].map((r) => JSON.stringify(f(r)));
        assert.ok(vb === va || vb === vc, `${what}: ssh ${vb}, local before ${va}, after ${vc}`);
      };
      same('memory.totalKb', (r) => r.memory.totalKb);
      same('memory.swapTotalKb', (r) => r.memory.swapTotalKb);
      same('settings', (r) => r.settings);
      same('kernel', (r) => r.host.kernel);
      same('host name', (r) => r.host.name);
      same('oomKillsSinceBoot', (r) => r.oomKillsSinceBoot);
      same('warnings', (r) => r.warnings);
      assert.equal(b.memory.totalKb, a.memory.totalKb);
      assert.ok(Math.abs(Date.parse(b.host.bootTime!) - Date.parse(a.host.bootTime!)) <= 2000, 'same boot time');
      const cgKey = (g: { path: string; limitKb: number | null }) => `${g.path} ${g.limitKb}`;
      const cgC = new Set(c.cgroups.map(cgKey));
      const cgB = new Set(b.cgroups.map(cgKey));
      const lastingCg = a.cgroups.map(cgKey).filter((k) => cgC.has(k));
      assert.deepEqual(
        lastingCg.filter((k) => !cgB.has(k)),
        [],
        'every lasting limited cgroup is in the SSH snapshot',
      );

      const inC = new Map(c.processes.map((p) => [p.pid, p]));
      // Same comm and cmdline before and after (an sshd session retitles itself as it goes).
      const longLived = a.processes.filter((p) => inC.get(p.pid)?.comm === p.comm && inC.get(p.pid)?.cmdline === p.cmdline);
      assert.ok(longLived.length > 10, `enough long-lived processes (${longLived.length})`);
      assert.ok(longLived.some((p) => p.pid === 1));
      const inB = new Map(b.processes.map((p) => [p.pid, p]));
      const missing = longLived.filter((p) => !inB.has(p.pid));
      assert.deepEqual(
        missing.map((p) => `${p.pid} ${p.comm}`),
        [],
        'every long-lived process is in the SSH snapshot',
      );
      for (const p of longLived) {
        const q = inB.get(p.pid)!;
        // Facts may change between the snapshots (a parent exits: reparented to 1); the SSH one
        // must then match the local one before or the one after.
        const facts = (x: typeof p) => JSON.stringify([x.user, x.uid, x.ppid, x.cgroup, x.oomScoreAdj]);
        const r = inC.get(p.pid)!;
        assert.ok(facts(q) === facts(p) || facts(q) === facts(r), `pid ${p.pid} (${p.comm}): ssh ${facts(q)}, local ${facts(p)} / ${facts(r)}`);
        // Names that change by themselves are not compared: kernel workers rename as they switch
        // work queues (kworker/u8:4-writeback -> -ext4-rsv-conversion) and sshd retitles itself
        // ("[listener] 1 of 10-100 startups").
        const retitles = p.ppid === 2 || p.pid === 2 || p.comm === 'sshd';
        if (!retitles) assert.deepEqual([q.comm, q.cmdline], [p.comm, p.cmdline], `pid ${p.pid}`); // equal in A and C (longLived)
        // As root both sides know PSS for everyone that has memory.
        assert.equal(q.pssKb === null, p.pssKb === null, `pid ${p.pid} (${p.comm}): PSS known on both sides`);
      }
      // Processes only in the SSH snapshot are the ones it started itself, or that came and went.
      const aOrC = new Set([...a.processes, ...c.processes].map((p) => p.pid));
      const extra = b.processes.filter((p) => !aOrC.has(p.pid));
      assert.ok(extra.length < 20, `few transient processes: ${extra.map((p) => p.comm).join(', ')}`);
    } finally {
      await ssh.close();
    }
  });
});
