import { strict as assert } from 'node:assert';
import { PrefetchingHost, type PrefetchedExec } from '../../src/core/host/prefetchingHost';
import type { Host, ExecOptions, ExecResult } from '../../src/core/host/host';
import { CancelledError } from '../../src/core/errors';

/** A Host that records what it was asked (a stand-in: these tests are about which run answers). */
class RecordingHost implements Host {
  readonly via = 'local' as const;
  readonly name = 'rec';
  calls: string[] = [];
  closed = false;
  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    this.calls.push(`${command}|${options.stdin ?? ''}`);
    return { stdout: 'inner', stderr: '', code: 0, signal: null, timedOut: false };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

function prefetched(command: string, stdin: string, result: Promise<ExecResult>): PrefetchedExec & { aborted: boolean } {
  const p = {
    command,
    stdin,
    result,
    aborted: false,
    abort: () => {
      p.aborted = true;
    },
  };
  return p;
}
const ok = (stdout: string): ExecResult => ({ stdout, stderr: '', code: 0, signal: null, timedOut: false });

describe('PrefetchingHost (mock inner host: which run answers an exec)', () => {
  it('answers the same command and stdin once from the run already started, then asks the host', async () => {
    const inner = new RecordingHost();
    const h = new PrefetchingHost(inner, [prefetched('sh -s', 'SCRIPT', Promise.resolve(ok('early')))]);
    assert.equal((await h.exec('sh -s', { stdin: 'SCRIPT' })).stdout, 'early');
    assert.deepEqual(inner.calls, []);
    assert.equal((await h.exec('sh -s', { stdin: 'SCRIPT' })).stdout, 'inner');
    assert.deepEqual(inner.calls, ['sh -s|SCRIPT']);
  });

  it('another command or other stdin (e.g. sudo, no rollup) is not answered from it', async () => {
    const inner = new RecordingHost();
    const early = prefetched('sh -s', 'SCRIPT', Promise.resolve(ok('early')));
    const h = new PrefetchingHost(inner, [early]);
    assert.equal((await h.exec('sudo -n sh -s', { stdin: 'SCRIPT' })).stdout, 'inner');
    assert.equal((await h.exec('sh -s', { stdin: 'OTHER' })).stdout, 'inner');
    assert.equal((await h.exec('sh -s', { stdin: 'SCRIPT', onStdout: () => {} })).stdout, 'inner', 'streamed output cannot be replayed');
    await h.close();
    assert.equal(early.aborted, true, 'an unused run is stopped on close');
    assert.equal(inner.closed, true);
  });

  it('cancelling the caller stops the early run and rejects with CancelledError', async () => {
    let reject!: (e: Error) => void;
    const early = prefetched(
      'sh -s',
      'S',
      new Promise<ExecResult>((_, rj) => {
        reject = rj;
      }),
    );
    const h = new PrefetchingHost(new RecordingHost(), [early]);
    const ac = new AbortController();
    const p = h.exec('sh -s', { stdin: 'S', signal: ac.signal });
    ac.abort();
    assert.equal(early.aborted, true);
    reject(new Error('killed'));
    await assert.rejects(p, CancelledError);
    const already = new PrefetchingHost(new RecordingHost(), [prefetched('sh -s', 'S', Promise.resolve(ok('x')))]);
    await assert.rejects(already.exec('sh -s', { stdin: 'S', signal: AbortSignal.abort() }), CancelledError);
  });
});
