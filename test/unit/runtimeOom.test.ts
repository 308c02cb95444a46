import { strict as assert } from 'node:assert';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

const NODE_CORPUS = join(__dirname, '..', 'fixtures', 'corpus', 'node');
const node20 = readFileSync(join(NODE_CORPUS, '025-node20-task-reason-version-in-path.txt'), 'utf8');
const node8 = readFileSync(join(NODE_CORPUS, '001-node8-call_and_retry_last-last-resort.txt'), 'utf8');

const runtimes = (text: string): OomEvent['runtime'][] =>
  parseOomEvents(text)
    .events.filter((e) => e.kind === 'runtime')
    .map((e) => e.runtime);

describe('runtime OOMs', () => {
  it('Node: Reached heap limit with the last GC lines giving pid and heap size', () => {
    const r = parseOomEvents(`<--- Last few GCs --->

[6032:0x5f8a2d0]    12345 ms: Mark-Compact 2047.1 (2083.5) -> 2046.8 (2084.0) MB, 1200.1 / 0.0 ms  (average mu = 0.1, current mu = 0.0) allocation failure; scavenge might not succeed


<--- JS stacktrace --->

FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
 1: 0xb090e0 node::Abort() [node]
`);
    assert.equal(r.events.length, 1);
    assert.deepEqual(r.events[0].runtime, {
      name: 'node',
      message: 'Reached heap limit Allocation failed - JavaScript heap out of memory',
      pid: 6032,
      heapMb: 2046.8,
    });
    assert.deepEqual(r.events[0].lines, { first: 1, last: 9 });
  });

  it('Node without GC lines: pid and heap size stay null', () => {
    assert.deepEqual(runtimes('FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory\n'), [
      { name: 'node', message: 'CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory', pid: null, heapMb: null },
    ]);
    assert.deepEqual(runtimes('FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal.\n'), [], 'not an OOM');
    assert.deepEqual(runtimes('#\n# Fatal JavaScript out of memory: Reached heap limit\n#\n'), [
      { name: 'node', message: 'Fatal JavaScript out of memory: Reached heap limit', pid: null, heapMb: null },
    ]);
  });

  it('Java OutOfMemoryError kinds, one event each; the same error printed twice is one', () => {
    const text = `Exception in thread "main" java.lang.OutOfMemoryError: Java heap space
\tat java.util.Arrays.copyOf(Arrays.java:3210)
\tat Main.main(Main.java:5)
java.lang.OutOfMemoryError: GC overhead limit exceeded
Caused by: java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached
Exception in thread "x" java.lang.OutOfMemoryError: Requested array size exceeds VM limit
java.lang.OutOfMemoryError: Direct buffer memory
`;
    assert.deepEqual(
      runtimes(text).map((r) => r!.message),
      [
        'java.lang.OutOfMemoryError: Java heap space',
        'java.lang.OutOfMemoryError: GC overhead limit exceeded',
        'java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached',
        'java.lang.OutOfMemoryError: Requested array size exceeds VM limit',
        'java.lang.OutOfMemoryError: Direct buffer memory',
      ],
    );
    const twice =
      'java.lang.OutOfMemoryError: Java heap space\nDumping heap to java_pid4242.hprof ...\nHeap dump file created [1234 bytes in 0.1 secs]\nException in thread "main" java.lang.OutOfMemoryError: Java heap space\n\tat Main.main(Main.java:5)\n';
    assert.deepEqual(runtimes(twice), [{ name: 'java', message: 'java.lang.OutOfMemoryError: Java heap space', pid: 4242, heapMb: null }]);
  });

  it('JVM flags and frames naming OutOfMemoryError are not events', () => {
    assert.deepEqual(
      runtimes(
        'java -XX:+HeapDumpOnOutOfMemoryError -XX:OnOutOfMemoryError="kill -9 %p" -jar app.jar\n\tat java.lang.OutOfMemoryError.<init>(OutOfMemoryError.java:48)\n',
      ),
      [],
    );
  });

  it('HotSpot native allocation failure banner', () => {
    const r = runtimes(
      '#\n# There is insufficient memory for the Java Runtime Environment to continue.\n# Native memory allocation (malloc) failed to allocate 32744 bytes for ChunkPool::allocate\n# An error report file with more information is saved as:\n# /tmp/hs_err_pid777.log\n',
    );
    assert.deepEqual(r, [
      {
        name: 'java',
        message:
          'There is insufficient memory for the Java Runtime Environment to continue. Native memory allocation (malloc) failed to allocate 32744 bytes for ChunkPool::allocate',
        pid: 777,
        heapMb: null,
      },
    ]);
  });

  it('Android ART: pid from the "Process: x, PID: n" line', () => {
    const r = runtimes(
      'E AndroidRuntime: FATAL EXCEPTION: main\nE AndroidRuntime: Process: com.example, PID: 3210\nE AndroidRuntime: java.lang.OutOfMemoryError: Failed to allocate a 4194316 byte allocation with 1048576 free bytes and 3MB until OOM, target footprint 268435456, growth limit 268435456; giving up on allocation because <1% of heap free after GC.\n',
    );
    assert.equal(r.length, 1);
    assert.equal(r[0]!.name, 'android-art');
    assert.equal(r[0]!.pid, 3210);
    assert.match(r[0]!.message, /^java\.lang\.OutOfMemoryError: Failed to allocate a 4194316 byte allocation/);
  });

  it('Python MemoryError (bare, with a message, numpy)', () => {
    const text =
      'Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nMemoryError\n\nTraceback (most recent call last):\n  File "y.py", line 3, in <module>\nnumpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,) and data type float64\n';
    assert.deepEqual(runtimes(text), [
      { name: 'python', message: 'MemoryError', pid: null, heapMb: null },
      {
        name: 'python',
        message: 'numpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000000,) and data type float64',
        pid: null,
        heapMb: null,
      },
    ]);
    assert.deepEqual(runtimes('    raise MemoryError("x")\nexcept MemoryError:\n'), []);
  });

  it('Go: fatal error: runtime: out of memory, heap in use from the line before', () => {
    const text =
      'runtime: out of memory: cannot allocate 4194304-byte block (3221225472 in use)\nfatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw({0x4b5f3a?, 0x0?})\n';
    // 3221225472 / 1048576 = 3072; no goroutine dump here, so no frame
    assert.deepEqual(runtimes(text), [
      { name: 'go', message: 'runtime: out of memory', pid: null, heapMb: 3072, frame: null, allocBytes: 4194304, inUseBytes: 3221225472 },
    ]);
  });

  it('runtime OOMs inside syslog keep the host and time', () => {
    const ev = parseOomEvents('2025-01-02T03:04:05Z app1 node[99]: FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n')
      .events[0];
    assert.equal(ev.host, 'app1');
    assert.equal(ev.time, '2025-01-02T03:04:05.000Z');
  });

  // Samples of ours (test/fixtures/corpus/node), mangled into the forms the issue lists.
  it('V8 on Windows: isolate addresses without 0x keep the pid (the node20 sample with a Windows isolate)', () => {
    const win = node20.replace(/\[90387:0x18b0daf0\]/g, '[6688:00000265CEB76EB0]');
    assert.deepEqual(runtimes(win), [
      {
        name: 'node',
        message: 'Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory',
        pid: 6688,
        heapMb: 4001.4,
      },
    ]);
  });

  it('Node 6/8 wording: the reason on the FATAL ERROR line, "Allocation failed - process out of memory" on the next', () => {
    const old = node8.replace(
      'FATAL ERROR: CALL_AND_RETRY_LAST Allocation failed - JavaScript heap out of memory',
      'FATAL ERROR: Scavenger: semi-space copy\n Allocation failed - process out of memory',
    );
    const r = parseOomEvents(old).events.filter((e) => e.kind === 'runtime');
    assert.equal(r.length, 1);
    // pid and heap after the last GC: "[155272:0x3a88c40] … Mark-sweep 1410.0 (1446.1) -> 1410.0"
    assert.deepEqual(r[0].runtime, {
      name: 'node',
      message: 'Scavenger: semi-space copy Allocation failed - process out of memory',
      pid: 155272,
      heapMb: 1410,
    });
    assert.equal(r[0].lines.first, 1, 'from the Last few GCs header');
    assert.deepEqual(runtimes('FATAL ERROR: Scavenger: semi-space copy\n\nsomething else\n'), [], 'no allocation failure: not an OOM');
    assert.deepEqual(runtimes('FATAL ERROR: v8::ToLocalChecked Empty MaybeLocal.\n Allocation failed - process out of memory\n'), []);
  });

  it('cluster workers: two processes\' "Last few GCs" interleaved, each FATAL ERROR with its own pid and heap', () => {
    const a = node20;
    const b = node20.replace(/90387:0x18b0daf0/g, '90412:0x2c4f0a10').replace(/-> 4001\.4/, '-> 3987.2');
    const la = a.split('\n');
    const lb = b.split('\n');
    const mixed: string[] = [];
    for (let i = 0; i < Math.max(la.length, lb.length); i++) {
      if (i < la.length) mixed.push(la[i]);
      if (i < lb.length) mixed.push(lb[i]);
    }
    assert.deepEqual(
      runtimes(mixed.join('\n')).map((r) => [r!.pid, r!.heapMb]),
      [
        [90387, 4001.4],
        [90412, 3987.2],
      ],
    );
  });

  it('property: the node20 sample, interleaved with a second worker at any offset, CRLF or indented: the same facts per pid', () => {
    const b = node20.replace(/90387:0x18b0daf0/g, '90412:0x2c4f0a10').replace(/-> 4001\.4/, '-> 3987.2');
    fc.assert(
      // '' / indentation / a kubectl logs --timestamps stamp with no host or tag before "FATAL ERROR:"
      fc.property(fc.nat(4), fc.boolean(), fc.constantFrom('', '  ', '2026-11-30T10:00:01.123456789Z '), (offset, crlf, indent) => {
        const la = node20.split('\n');
        const lb = b.split('\n');
        const mixed: string[] = la.slice(0, offset);
        for (let i = 0; i < Math.max(la.length - offset, lb.length); i++) {
          if (i + offset < la.length) mixed.push(la[i + offset]);
          if (i < lb.length) mixed.push(lb[i]);
        }
        const text = mixed.map((l) => indent + l).join(crlf ? '\r\n' : '\n');
        const got = runtimes(text).map((r) => [r!.pid, r!.heapMb, r!.message]);
        const msg = 'Ineffective mark-compacts near heap limit Allocation failed - JavaScript heap out of memory';
        assert.deepEqual(
          got.sort((x, y) => Number(x[0]) - Number(y[0])),
          [
            [90387, 4001.4, msg],
            [90412, 3987.2, msg],
          ],
        );
      }),
      { numRuns: 40 },
    );
  });
});
