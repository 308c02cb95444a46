import { strict as assert } from 'node:assert';
import { LocalHost } from '../../src/core/host/localHost';
import { CancelledError } from '../../src/core/errors';
import { localExec } from '../../src/core/host/localExec';

import { readFileSync } from 'node:fs';

/** Running (a zombie waiting for init to reap it has stopped running). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
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
    const p = host.exec('sleep 30 & echo $!; wait', {
      signal: ac.signal,
      onStdout: (d) => {
        pid = Number(d.trim());
        ac.abort();
      },
    });
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

describe("localExec with spooled output (the CLI's early collector)", () => {
  const script = 'i=0; while [ $i -lt 3000 ]; do echo "line $i of a long output"; echo "err $i" >&2; i=$((i+1)); done; printf "a\\0b\\n"; exit 3\n';

  it('gives the same stdout, stderr and exit code as pipes, for output far beyond a pipe buffer', async () => {
    const piped = await localExec('sh -s', { stdin: script });
    const spooled = await localExec('sh -s', { stdin: script, spool: true });
    assert.ok(piped.stdout.length > 70_000 && piped.stderr.length > 20_000);
    assert.equal(spooled.stdout, piped.stdout);
    assert.equal(spooled.stderr, piped.stderr);
    assert.equal(spooled.code, 3);
    assert.ok(spooled.stdout.endsWith('a\0b\n'), 'NUL bytes kept');
  });

  it('does not stall while this process is busy: the command finishes although nobody reads', async () => {
    const t0 = Date.now();
    const p = localExec('sh -s', {
      stdin: 'i=0; while [ $i -lt 20000 ]; do echo "$i xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done; date +%s%N >&2\n',
      spool: true,
    });
    // Block the event loop for a while: with pipes the writer would wait for us after 64 KiB.
    while (Date.now() - t0 < 1500) {
      /* busy */
    }
    const r = await p;
    const finishedAt = Number(r.stderr.trim()) / 1e6;
    assert.ok(finishedAt < t0 + 1500, `the command finished ${Math.round(finishedAt - t0)} ms after start, while we were busy`);
    assert.equal(r.stdout.split('\n').length, 20001);
  });

  it('cancel and timeout work the same way', async () => {
    const ac = new AbortController();
    const p = localExec('sleep 20', { signal: ac.signal, spool: true });
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(p, CancelledError);
    const r = await localExec('sleep 20', { timeoutMs: 200, spool: true });
    assert.equal(r.timedOut, true);
  });
});
