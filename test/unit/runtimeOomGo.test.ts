// Go runtime OOMs. The sample is real: test/fixtures/programs/oom.go built with Debian's Go 1.19
// and run under `ulimit -v 900000` (test/fixtures/runtimeOom/go1.19-ulimit-v.txt, its stderr as
// printed; the program was in /tmp/gooom). Read by hand: "cannot allocate 4194304-byte block
// (201097216 in use)", "fatal error: out of memory", then goroutine 1, whose first frame outside
// the runtime is main.leak at oom.go:18 (the make() line), and 5 more goroutines to line 94.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import type { GoRuntimeOom } from '../../src/core/model/oomEvent';

const real = readFileSync(join(__dirname, '..', 'fixtures', 'runtimeOom', 'go1.19-ulimit-v.txt'), 'utf8');

function goEvents(text: string) {
  return parseOomEvents(text).events.filter((e) => e.kind === 'runtime' && e.runtime?.name === 'go');
}
const rt = (text: string) => goEvents(text).map((e) => e.runtime as GoRuntimeOom);

const realFacts: GoRuntimeOom = {
  name: 'go',
  message: 'out of memory',
  pid: null,
  heapMb: 191.8, // 201097216 / 1048576 = 191.78
  frame: { function: 'main.leak', file: '/tmp/gooom/oom.go', line: 18 },
  allocBytes: 4194304,
  inUseBytes: 201097216,
};

// The wording of the sysMap path (mmap ENOMEM): "runtime: out of memory", the system stack first.
const sysMap = `fatal error: runtime: out of memory

runtime stack:
runtime.throw({0x4b5f3a?, 0x0?})
\t/usr/local/go/src/runtime/panic.go:1047 +0x5d fp=0x7ffc sp=0x7ffc pc=0x43405d
runtime.sysMapOS(0xc000400000, 0x40000000?)
\t/usr/local/go/src/runtime/mem_linux.go:187 +0x11b
runtime.(*mheap).grow(0x595c00, 0x8?)
\t/usr/local/go/src/runtime/mheap.go:1459 +0x23d
runtime.systemstack()
\t/usr/local/go/src/runtime/asm_amd64.s:492 +0x49

goroutine 1 [running]:
runtime.systemstack_switch()
\t/usr/local/go/src/runtime/asm_amd64.s:459 fp=0xc000074d58 sp=0xc000074d50 pc=0x45c4e0
runtime.mallocgc(0x40000000, 0x4b9340, 0x1)
\t/usr/local/go/src/runtime/malloc.go:1029 +0x57e
bytes.growSlice({0xc000100000, 0x1000, 0x1000}, 0x40000000)
\t/usr/local/go/src/bytes/buffer.go:249 +0x8e
github.com/acme/cache.(*Store).Put(0xc00001c030, {0x4d2a11, 0x3})
\t/home/u/go/pkg/mod/github.com/acme/cache@v1.2.0/store.go:40 +0x77
main.leak(...)
\t/src/main.go:12 +0x2c
main.main()
\t/src/main.go:20 +0x2c

goroutine 2 [force gc (idle)]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:363 +0xd6
`;

describe('Go runtime OOMs', () => {
  it('real Go 1.19 output under ulimit -v: one event, the sizes, main.leak at oom.go:18, the whole dump', () => {
    const evs = goEvents(real);
    assert.equal(evs.length, 1);
    assert.deepEqual(evs[0].runtime, realFacts);
    assert.deepEqual(evs[0].lines, { first: 1, last: 94 });
  });

  it('"fatal error: runtime: out of memory" with the runtime stack first: the first frame outside the standard library (a module counts as the user\'s)', () => {
    assert.deepEqual(
      rt(sysMap).map((r) => [r.message, r.frame, r.heapMb, r.allocBytes]),
      [
        [
          'runtime: out of memory',
          { function: 'github.com/acme/cache.(*Store).Put', file: '/home/u/go/pkg/mod/github.com/acme/cache@v1.2.0/store.go', line: 40 },
          null,
          null,
        ],
      ],
    );
    const noModule = sysMap.replace(/github\.com\/acme\/cache\.\(\*Store\)\.Put.*\n.*\n/, '');
    assert.deepEqual(rt(noModule)[0].frame, { function: 'main.leak', file: '/src/main.go', line: 12 });
  });

  it('Go 1.21+ goroutine headers ("gp=… m=… mp=…") and "created by … in goroutine N" are read as dump lines', () => {
    const text = sysMap
      .replace('goroutine 1 [running]:', 'goroutine 1 gp=0xc000002380 m=0 mp=0x5a4f80 [running]:')
      .replace('goroutine 2 [force gc (idle)]:', 'goroutine 2 gp=0xc000002e00 m=nil [force gc (idle)]:\ncreated by main.main in goroutine 1');
    const evs = goEvents(text);
    assert.equal(evs.length, 1);
    assert.equal((evs[0].runtime as GoRuntimeOom).frame?.line, 40);
    assert.equal(evs[0].lines.last, text.trimEnd().split('\n').length);
  });

  it("the user frame comes from the crashing goroutine only: one all in the runtime gives none, not a later goroutine's", () => {
    const text =
      'fatal error: out of memory\n\ngoroutine 18 [running]:\nruntime.throw({0x4cf811?, 0x80?})\n\t/usr/lib/go-1.19/src/runtime/panic.go:1047 +0x5d\nruntime.gcBgMarkWorker()\n\t/usr/lib/go-1.19/src/runtime/mgc.go:1235 +0xf1\n\ngoroutine 1 [chan receive]:\nmain.main()\n\t/src/main.go:9 +0x2c\n';
    assert.deepEqual(
      rt(text).map((r) => r.frame),
      [null],
    );
  });

  it('other fatal errors are not OOMs; an OOM without a dump has no frame', () => {
    assert.deepEqual(rt('fatal error: concurrent map writes\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:9 +0x2c\n'), []);
    assert.deepEqual(rt('fatal error: all goroutines are asleep - deadlock!\n'), []);
    assert.deepEqual(
      rt('fatal error: out of memory allocating heap arena map\n').map((r) => [r.message, r.frame]),
      [['out of memory allocating heap arena map', null]],
    );
  });

  it('the pid comes from a syslog/journal tag when the log has one (Go prints none)', () => {
    const text = real
      .split('\n')
      .map((l) => `Jan  5 10:00:00 web1 oom[4321]: ${l}`)
      .join('\n');
    const evs = goEvents(text);
    assert.equal(evs.length, 1);
    assert.deepEqual(evs[0].runtime, { ...realFacts, pid: 4321 });
    assert.equal(evs[0].host, 'web1');
  });

  it('property: the real sample with CRLF, indentation, tabs turned to spaces or lost, a log prefix per line, text around it: the same facts', () => {
    const prefixes = [
      { p: '', pid: null },
      { p: 'Jan  5 10:00:00 web1 oom[4321]: ', pid: 4321 },
      { p: '2025-01-02T03:04:05.123456+00:00 web1 oom[77]: ', pid: 77 },
      { p: 'I0601 23:23:10.447437 13604 main.go:240] ', pid: null },
      { p: '> ', pid: null },
      // kubectl logs --timestamps: an RFC 3339 stamp and the program's own words, no host or tag
      { p: '2026-11-30T10:00:01.123456789Z ', pid: null },
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...prefixes),
        fc.boolean(),
        fc.constantFrom('', '  ', '\t'),
        fc.constantFrom('\t', '    ', ''),
        fc.constantFrom('', 'go run ./oom\n', 'here is what it printed:\n\n'),
        fc.constantFrom('', 'exit status 2\n', '\nany idea why?\n'),
        ({ p, pid }, crlf, indent, tab, before, after) => {
          const body = real.replace(/^\t/gm, tab);
          let text = before + body + after;
          text = text
            .split('\n')
            .map((l) => p + indent + l)
            .join(crlf ? '\r\n' : '\n');
          const got = rt(text);
          assert.equal(got.length, 1, 'one event');
          assert.deepEqual(got[0], { ...realFacts, pid });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('two Go crashes in one log (a restart loop), however close: two events, each with its own frame', () => {
    const other = real.replace(/oom\.go:18/, 'other.go:7').replace('201097216 in use', '1048576 in use');
    for (const between of ['\nsomething else\n', '', 'exit status 2\n']) {
      const evs = rt(`${real}${between}${other}`);
      assert.deepEqual(
        evs.map((r) => [r.frame?.file, r.frame?.line, r.inUseBytes]),
        [
          ['/tmp/gooom/oom.go', 18, 201097216],
          ['/tmp/gooom/other.go', 7, 1048576],
        ],
        JSON.stringify(between),
      );
    }
    // the same crash pasted twice with nothing between them is still two crashes: Go prints one fatal error per crash
    assert.equal(rt(real + real).length, 2);
  });

  it('deep in a big log (where the reader skips lines without OOM words): the whole dump is still read', () => {
    const filler = Array.from({ length: 5000 }, (_, i) => `2025-01-02T03:04:05Z web1 app[9]: request ${i} served`).join('\n');
    const evs = goEvents(`${filler}\n${real}${filler}\n`);
    assert.equal(evs.length, 1);
    assert.deepEqual(evs[0].runtime, realFacts);
    assert.deepEqual(evs[0].lines, { first: 5001, last: 5094 });
  });

  it('kubectl logs --timestamps: "fatal error: runtime: cannot allocate memory" (newer wording) deep in a big log; "fatal error" is not read as host and tag', () => {
    const stamp = (l: string) => `2026-11-30T10:00:01.123456789Z ${l}`;
    const filler = Array.from({ length: 3000 }, (_, i) => stamp(`level=info msg="request ${i} handled"`)).join('\n');
    const dump = ['fatal error: runtime: cannot allocate memory', '', 'goroutine 1 [running]:', 'main.grow(...)', '\t/src/oom.go:14 +0x45', '']
      .map(stamp)
      .join('\n');
    const evs = goEvents(`${filler}\n${dump}`);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].runtime?.message, 'runtime: cannot allocate memory');
    assert.deepEqual((evs[0].runtime as GoRuntimeOom).frame, { function: 'main.grow', file: '/src/oom.go', line: 14 });
    assert.equal(evs[0].time, '2026-11-30T10:00:01.123Z');
  });
});
