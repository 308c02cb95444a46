import { strict as assert } from 'node:assert';
import { LocalHost } from '../../src/core/host/localHost';
import { CancelledError } from '../../src/core/errors';

import { readFileSync } from 'node:fs';

/** Running (a zombie waiting for init to reap it has stopped running). */
function alive(pid: number): boolean {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

describe('LocalHost (real processes)', () => {
  const host = new LocalHost();

  it('runs sh with stdin and returns stdout, stderr and the exit code', async () => {
    const r = await host.exec('sh -s', { stdin: 'echo out; echo err >&2; exit 7\n' });
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    assert.equal(r.code, 7);
    assert.equal(r.timedOut, false);
  });

  it('cancelling really stops the command and its children', async () => {
    const ac = new AbortController();
    let pid = 0;
    const p = host.exec('sleep 30 & echo $!; wait', { signal: ac.signal, onStdout: (d) => { pid = Number(d.trim()); ac.abort(); } });
    await assert.rejects(p, CancelledError);
    assert.ok(pid > 0);
    for (let i = 0; i < 20 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(alive(pid), false, `sleep ${pid} still runs after cancel`);
  });

  it('a timeout ends a hung command and says so', async () => {
    const t0 = Date.now();
    const r = await host.exec('sleep 30', { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.ok(Date.now() - t0 < 5000);
  });

  it('an already-aborted signal does not start anything', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(host.exec('echo hi', { signal: ac.signal }), CancelledError);
  });
});
