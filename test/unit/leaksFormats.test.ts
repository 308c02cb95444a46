// Leak parsers, per format, on small samples (real outputs generated on a Debian 12 machine with
// valgrind 3.19 / gcc 12 / Python 3.11 / Node 20 where possible, hand-made from the tools' printing
// code otherwise: see test/fixtures/leaks/).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  compareLeakReports,
  detectLeakFormat,
  diffLeakReports,
  firstUserFrame,
  parseLeakReport,
  parseLeakReportPair,
  siteKey,
} from '../../src/core/parse/leaks';
import { parseLeakReportFile, parseLeakReportFiles } from '../../src/core/collect/leakFile';
import { parseValgrindFrameText, binarySize, decimalSize } from '../../src/core/parse/leaks/util';
import type { LeakReport, LeakSite } from '../../src/core/model/leakReport';

const FX = join(__dirname, '..', 'fixtures', 'leaks');
const fx = (name: string) => readFileSync(join(FX, name), 'utf8');
const fxPath = (name: string) => join(FX, name);

function contractShape(r: LeakReport) {
  for (const k of ['tool', 'toolVersion', 'pid', 'command', 'summary', 'sites', 'warnings']) assert.ok(k in r, k);
  for (const k of [
    'definitelyLostBytes',
    'definitelyLostBlocks',
    'indirectlyLostBytes',
    'indirectlyLostBlocks',
    'possiblyLostBytes',
    'possiblyLostBlocks',
    'stillReachableBytes',
    'stillReachableBlocks',
    'suppressedBytes',
    'suppressedBlocks',
    'inUseAtExitBytes',
    'inUseAtExitBlocks',
    'totalAllocs',
    'totalFrees',
    'totalBytesAllocated',
    'peakBytes',
  ])
    assert.ok(k in r.summary, k);
  for (const s of r.sites) {
    for (const k of ['kind', 'bytes', 'directBytes', 'indirectBytes', 'count', 'bytesDiff', 'countDiff', 'label', 'frames']) assert.ok(k in s, k);
    for (const f of s.frames) for (const k of ['function', 'file', 'line', 'object']) assert.ok(k in f, k);
  }
  // largest first
  const m = (s: LeakSite) => (s.kind === 'growth' && s.bytesDiff !== null ? s.bytesDiff : s.bytes);
  for (let i = 1; i < r.sites.length; i++) assert.ok(m(r.sites[i - 1]) >= m(r.sites[i]), `sorted at ${i}`);
  JSON.stringify(r);
}

describe('leak parsers: valgrind frame text', () => {
  it('reads file:line, (in object), ???, (below main) and C++ names with spaces, templates and parens', () => {
    assert.deepEqual(parseValgrindFrameText('malloc (vg_replace_malloc.c:381)', '0x48417B4'), {
      function: 'malloc',
      file: 'vg_replace_malloc.c',
      line: 381,
      object: null,
      address: '0x48417B4',
    });
    assert.deepEqual(parseValgrindFrameText('calloc (in /usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so)'), {
      function: 'calloc',
      file: null,
      line: null,
      object: '/usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so',
      address: null,
    });
    assert.deepEqual(parseValgrindFrameText('??? (in /usr/bin/python2.7)'), {
      function: null,
      file: null,
      line: null,
      object: '/usr/bin/python2.7',
      address: null,
    });
    assert.deepEqual(parseValgrindFrameText('???'), { function: null, file: null, line: null, object: null, address: null });
    assert.deepEqual(parseValgrindFrameText('(below main) (libc-start.c:226)'), {
      function: '(below main)',
      file: 'libc-start.c',
      line: 226,
      object: null,
      address: null,
    });
    const cxx = parseValgrindFrameText(
      'std::vector<int, std::allocator<int> >::_M_realloc_insert(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int const&) (vector.tcc:440)',
    );
    assert.equal(
      cxx.function,
      'std::vector<int, std::allocator<int> >::_M_realloc_insert(__gnu_cxx::__normal_iterator<int*, std::vector<int, std::allocator<int> > >, int const&)',
    );
    assert.equal(cxx.file, 'vector.tcc');
    assert.equal(cxx.line, 440);
    const anon = parseValgrindFrameText('(anonymous namespace)::Holder<int>::Holder() (leak.cc:5)');
    assert.equal(anon.function, '(anonymous namespace)::Holder<int>::Holder()');
    assert.equal(anon.line, 5);
    const op = parseValgrindFrameText('operator new[](unsigned long) (in /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)');
    assert.equal(op.function, 'operator new[](unsigned long)');
    const full = parseValgrindFrameText('main (/home/u/my project/leak.c:12)');
    assert.equal(full.file, '/home/u/my project/leak.c');
    const noLoc = parseValgrindFrameText('foo(int)');
    assert.equal(noLoc.function, 'foo(int)');
    assert.equal(noLoc.file, null);
  });

  it('reads sizes', () => {
    assert.equal(binarySize('25.5 MiB'), 26738688);
    assert.equal(binarySize('-3 B'), -3);
    assert.equal(binarySize('+1536 KiB'), 1536 * 1024);
    assert.equal(binarySize('257.024MB'), Math.round(257.024 * 1048576));
    assert.equal(binarySize('lots'), null);
    assert.equal(decimalSize('1.20K'), 1200);
    assert.equal(decimalSize('400B'), 400);
    assert.equal(decimalSize('3.17MB'), 3170000);
  });
});

describe('leak parsers: valgrind memcheck text', () => {
  it('reads a real C++ run: templates, (anonymous namespace), operator new, all kinds', () => {
    const r = parseLeakReport(fx('memcheck-cxx-templates.txt'));
    contractShape(r);
    assert.equal(r.tool, 'valgrind-memcheck');
    assert.equal(r.toolVersion, '3.19.0');
    assert.equal(r.command, './leakcc');
    assert.equal(r.summary.definitelyLostBytes, 36);
    assert.equal(r.summary.definitelyLostBlocks, 3);
    assert.equal(r.summary.indirectlyLostBytes, 216);
    assert.equal(r.summary.indirectlyLostBlocks, 5);
    assert.equal(r.summary.totalBytesAllocated, 72988);
    assert.equal(r.summary.inUseAtExitBytes, 252);
    assert.equal(r.sites.length, 8);
    assert.deepEqual(
      r.sites.map((s) => s.record),
      [8, 6, 7, 5, 4, 3, 2, 1],
    ); // 72-byte tie keeps input order (6 before 7)
    const big = r.sites[0];
    assert.equal(big.kind, 'definitely lost');
    assert.equal(big.bytes, 160);
    assert.equal(big.directBytes, 8);
    assert.equal(big.indirectBytes, 152);
    assert.equal(big.frames[0].function, 'operator new(unsigned long)');
    assert.equal(big.frames[0].object, '/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so');
    assert.deepEqual(firstUserFrame(big), { function: 'main', file: 'leak.cc', line: 8, object: null, address: '0x10A33F' });
    const holder = r.sites.find((s) => s.record === 4)!;
    assert.equal(holder.frames.length, 9);
    assert.equal(holder.frames[1].function, 'std::__new_allocator<int>::allocate(unsigned long, void const*)');
    assert.equal(firstUserFrame(holder)!.function, '(anonymous namespace)::Holder<int>::Holder()');
    const put = r.sites.find((s) => s.record === 3)!;
    assert.equal(put.frames.length, 12);
    assert.equal(put.frames[1].object, '/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30');
    assert.equal(firstUserFrame(put)!.function, 'app::Cache::put(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)');
    assert.equal(firstUserFrame(put)!.line, 7);
    // user-supplied notion of "my files"
    assert.equal(
      firstUserFrame(put, (f) => f === 'nothing.c'),
      null,
    );
  });

  it('reads -v output: skips --PID-- lines, keeps non-leak errors as warnings once', () => {
    const r = parseLeakReport(fx('memcheck-verbose.txt'));
    contractShape(r);
    assert.equal(r.pid, 9536);
    assert.equal(r.toolVersion, '3.19.0');
    assert.equal(r.sites.length, 4);
    assert.deepEqual(
      r.sites.map((s) => [s.kind, s.bytes]),
      [
        ['definitely lost', 116],
        ['indirectly lost', 100],
        ['definitely lost', 40],
        ['still reachable', 7],
      ],
    );
    assert.equal(r.summary.stillReachableBytes, 7);
    assert.equal(r.summary.errorCount, 3);
    assert.deepEqual(r.warnings, ['memcheck error (not a leak): Invalid read of size 4 at main (leak.c:9)']);
    assert.deepEqual(firstUserFrame(r.sites[0]), { function: 'mk', file: 'leak.c', line: 4, object: null, address: '0x10915D' });
  });

  it('reads grep -H prefixes, **PID** lines, mail quoting, CRLF and time stamps', () => {
    const text = fx('memcheck-verbose.txt').split('\n');
    const grepped = text.map((l) => `logs/run-1.log:${l}`).join('\n');
    const base = parseLeakReport(fx('memcheck-verbose.txt'));
    const g = parseLeakReport(grepped);
    assert.deepEqual(g.sites, base.sites);
    assert.deepEqual(g.summary, base.summary);
    const quoted = text.map((l) => `> ${l}`).join('\r\n');
    assert.deepEqual(parseLeakReport(quoted).sites, base.sites);
    const stamped = text.map((l) => l.replace(/^==(\d+)== /, '==$1== 00:00:00:01.234 ')).join('\n');
    assert.deepEqual(parseLeakReport(stamped).sites, base.sites);
    const stars = parseLeakReport(
      '**123** Memcheck, a memory error detector\n**123** Using Valgrind-3.22.0 and LibVEX\n**123** 8 bytes in 1 blocks are definitely lost in loss record 1 of 1\n**123**    at 0x1: malloc (vg_replace_malloc.c:1)\n**123**    by 0x2: main (a.c:3)\n',
    );
    assert.equal(stars.sites.length, 1);
    assert.equal(stars.toolVersion, '3.22.0');
    assert.equal(stars.sites[0].frames[1].file, 'a.c');
  });

  it('reads pasted output without the ==PID== prefixes', () => {
    const text = fx('memcheck-cxx-templates.txt')
      .split('\n')
      .map((l) => l.replace(/^==\d+== ?/, ''))
      .join('\n');
    assert.equal(detectLeakFormat(text), 'valgrind-memcheck');
    const r = parseLeakReport(text);
    assert.equal(r.sites.length, 8);
    assert.equal(r.summary.definitelyLostBytes, 36);
    assert.equal(r.summary.totalAllocs, 10);
    assert.equal(r.summary.errorCount, 3);
    assert.equal(r.toolVersion, '3.19.0');
    assert.equal(r.command, './leakcc');
    assert.equal(r.pid, null);
  });

  it('reads "no leaks are possible", old versions, incremental leak checks, unknown frames', () => {
    const clean = parseLeakReport(
      [
        '==7== Memcheck, a memory error detector',
        '==7== Using valgrind-3.6.1, a dynamic binary instrumentation framework.',
        '==7== Command: /bin/true --x',
        '==7== HEAP SUMMARY:',
        '==7==     in use at exit: 0 bytes in 0 blocks',
        '==7==   total heap usage: 0 allocs, 0 frees, 0 bytes allocated',
        '==7== ',
        '==7== All heap blocks were freed -- no leaks are possible',
      ].join('\n'),
    );
    assert.equal(clean.toolVersion, '3.6.1');
    assert.equal(clean.command, '/bin/true --x');
    assert.equal(clean.summary.definitelyLostBytes, 0);
    assert.equal(clean.summary.stillReachableBlocks, 0);
    assert.equal(clean.sites.length, 0);
    const inc = parseLeakReport(
      [
        '==9== 48 (+16) bytes in 3 (+1) blocks are definitely lost in loss record 2 of 2',
        '==9==    at 0x4C2AB80: malloc (in /usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so)',
        '==9==    by 0x40053E: ??? (in /tmp/a.out)',
        '==9==    by 0x400560: ???',
        '==9== ',
        '==9== LEAK SUMMARY:',
        '==9==    definitely lost: 48 (+16) bytes in 3 (+1) blocks',
      ].join('\n'),
    );
    assert.equal(inc.sites[0].bytes, 48);
    assert.equal(inc.sites[0].count, 3);
    assert.deepEqual(
      inc.sites[0].frames.map((f) => [f.function, f.object]),
      [
        ['malloc', '/usr/lib/valgrind/vgpreload_memcheck-amd64-linux.so'],
        [null, '/tmp/a.out'],
        [null, null],
      ],
    );
    assert.equal(inc.summary.definitelyLostBytes, 48);
    assert.equal(firstUserFrame(inc.sites[0]), null);
  });

  it('marks inlined frames (same address as the next frame)', () => {
    const r = parseLeakReport(
      [
        '==1== 8 bytes in 1 blocks are definitely lost in loss record 1 of 1',
        '==1==    at 0x1: malloc (vg_replace_malloc.c:1)',
        '==1==    by 0x2: inner (x.c:1)',
        '==1==    by 0x2: outer (x.c:9)',
        '==1==    by 0x3: main (x.c:20)',
      ].join('\n'),
    );
    assert.deepEqual(
      r.sites[0].frames.map((f) => f.inlined === true),
      [false, true, false, false],
    );
  });
});

describe('leak parsers: valgrind memcheck XML', () => {
  it('reads a real protocol-4 file with a non-leak error', () => {
    const r = parseLeakReport(fx('memcheck-protocol4.xml'));
    contractShape(r);
    assert.equal(r.tool, 'valgrind-memcheck');
    assert.equal(r.toolVersion, '3.19.0');
    assert.equal(r.pid, 9537);
    assert.equal(r.command, './leak');
    assert.equal(r.sites.length, 2);
    const [a, b] = r.sites;
    assert.equal(a.bytes, 116);
    assert.equal(a.directBytes, 16);
    assert.equal(a.indirectBytes, 100);
    assert.equal(a.record, 4);
    assert.equal(a.recordsTotal, 4);
    assert.deepEqual(a.frames[1], { function: 'mk', file: '/tmp/vgt/leak.c', line: 4, object: '/tmp/vgt/leak', address: '0x10915D' });
    assert.equal(b.bytes, 40);
    assert.equal(firstUserFrame(b)!.line, 6);
    // summary from the records: definitely = direct bytes (16 + 40), possibly shown (0); indirect not
    // shown as records, but record 4 says "(16 direct, 100 indirect)": 100 bytes, blocks not printed
    assert.equal(r.summary.definitelyLostBytes, 56);
    assert.equal(r.summary.definitelyLostBlocks, 2);
    assert.equal(r.summary.possiblyLostBytes, 0);
    assert.equal(r.summary.indirectlyLostBytes, 100);
    assert.equal(r.summary.indirectlyLostBlocks, null);
    assert.deepEqual(r.warnings, ['memcheck error (not a leak): Invalid read of size 4 at main (/tmp/vgt/leak.c:9)']);
  });

  it('reads the older <what> protocol with leakedbytes under <error>, dir with a trailing slash', () => {
    const r = parseLeakReport(fx('memcheck-protocol3.xml'));
    contractShape(r);
    assert.equal(r.toolVersion, '3.4.1');
    assert.equal(r.pid, 4711);
    assert.equal(r.sites.length, 2);
    assert.equal(r.sites[0].bytes, 1200);
    assert.equal(r.sites[0].directBytes, 48);
    assert.equal(r.sites[0].count, 2);
    assert.equal(r.sites[0].frames[0].file, '/build/buildd/valgrind-3.4.1/coregrind/m_replacemalloc/vg_replace_malloc.c');
    assert.equal(firstUserFrame(r.sites[0])!.file, '/home/dev/server/src/conn.c');
    assert.equal(r.sites[1].kind, 'possibly lost');
    assert.equal(r.summary.possiblyLostBytes, 64);
    assert.equal(r.summary.definitelyLostBytes, 48);
  });

  it('keeps what it read from a truncated file, with a warning; tolerates a shell prompt before the XML', () => {
    const xml = fx('memcheck-protocol4.xml');
    const cut = xml.slice(0, xml.indexOf('<errorcounts>'));
    const r = parseLeakReport('$ valgrind --xml=yes ./leak\n' + cut);
    assert.equal(r.sites.length, 2);
    assert.ok(r.warnings.some((w) => /ends before <\/valgrindoutput>/.test(w)));
    const mid = xml.slice(0, xml.indexOf('<leakedblocks>1</leakedblocks>', xml.indexOf('loss record 4')));
    const r2 = parseLeakReport(mid);
    assert.equal(r2.sites.length, 1);
    assert.ok(r2.warnings.some((w) => /did not reach FINISHED|ends before/.test(w)));
  });

  it('streams a 50 MB XML from a file in bounded memory', async function () {
    this.timeout(120000);
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-xml-'));
    try {
      const xml = fx('memcheck-protocol4.xml');
      // 50 MB of (non-leak) error blocks, then the file's two leak errors: only the sites may stay in memory
      const firstErr = xml.indexOf('<error>');
      const nonLeak = xml.slice(firstErr, xml.indexOf('</error>', firstErr) + 8) + '\n';
      const path = join(dir, 'big.xml');
      writeFileSync(path, xml.slice(0, firstErr));
      const block = nonLeak.repeat(1000);
      const copies = Math.ceil((50 * 1024 * 1024) / block.length);
      for (let i = 0; i < copies; i++) appendFileSync(path, block);
      appendFileSync(path, xml.slice(xml.indexOf('</error>', firstErr) + 8));
      assert.ok(statSync(path).size > 50 * 1024 * 1024);
      // Peak RSS of a child that parses the file, against a child that only loads the same code:
      // holding the file's text would add 50-100 MiB. (heapUsed in this process flaked with the
      // suite's garbage, and V8's heap cap does not count big strings.)
      const hwm = "Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1])";
      const child = (body: string) => {
        const res = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', `const { parseLeakReportFile } = require('./src/core/collect/leakFile');\n${body}`], {
          cwd: join(__dirname, '..', '..'),
          encoding: 'utf8',
        });
        assert.equal(res.status, 0, res.stderr.slice(-500));
        return JSON.parse(res.stdout) as { kb: number; sites?: number[]; nonLeak?: number };
      };
      const base = child(`process.stdout.write(JSON.stringify({ kb: ${hwm} }));`);
      const r = child(
        `parseLeakReportFile(${JSON.stringify(path)}).then((r) => process.stdout.write(JSON.stringify({ kb: ${hwm}, sites: r.sites.map((s) => s.bytes), nonLeak: r.details.nonLeakErrors })));`,
      );
      assert.deepEqual(r.sites?.length, 2);
      assert.equal(r.sites?.[0], 116);
      assert.equal(r.nonLeak, 1);
      assert.ok(
        r.kb - base.kb < 48 * 1024,
        `peak RSS grew by ${Math.round((r.kb - base.kb) / 1024)} MiB over loading the code (${Math.round(base.kb / 1024)} MiB)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('leak parsers: valgrind massif', () => {
  it('reads a real massif.out: peak snapshot leaves as sites, bytes conserved', () => {
    const r = parseLeakReport(fx('massif.out.1234'));
    contractShape(r);
    assert.equal(r.tool, 'valgrind-massif');
    assert.equal(r.command, './grow');
    assert.equal(r.summary.peakBytes, 134000);
    const d = r.details as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(d.peakSnapshot.index, 50);
    assert.equal(d.snapshotCount, 67);
    assert.equal(
      r.sites.reduce((a, s) => a + s.bytes, 0),
      134000,
    );
    assert.deepEqual(
      r.sites.map((s) => s.frames.map((f) => `${f.function}:${f.line}`)),
      [
        ['g:2', 'main:4'],
        ['g:2', 'f:3', 'main:4'],
      ],
    );
    assert.ok(r.sites.every((s) => s.kind === 'retained'));
    assert.deepEqual(firstUserFrame(r.sites[0]), { function: 'g', file: 'grow.c', line: 2, object: null, address: '0x109160' });
  });

  it('reads the ms_print rendering of the same file identically', () => {
    const raw = parseLeakReport(fx('massif.out.1234'));
    const ms = parseLeakReport(fx('ms_print-grow.txt'));
    assert.equal(ms.tool, 'valgrind-massif');
    assert.equal(ms.command, './grow');
    assert.equal((ms.details as any).peakSnapshot.index, 50); // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(
      ms.sites.map((s) => [s.bytes, s.frames.map((f) => f.function)]),
      raw.sites.map((s) => [s.bytes, s.frames.map((f) => f.function)]),
    );
    assert.equal(ms.summary.peakBytes, raw.summary.peakBytes);
  });

  it('falls back to the biggest detailed snapshot when none is marked peak', () => {
    const text = fx('massif.out.1234').replace('heap_tree=peak', 'heap_tree=detailed');
    const r = parseLeakReport(text);
    assert.equal(
      r.sites.reduce((a, s) => a + s.bytes, 0),
      134000,
    );
    assert.ok(r.warnings.some((w) => /no snapshot is marked peak/.test(w)));
  });
});

describe('leak parsers: Python tracemalloc and memray', () => {
  it('reads statistics("lineno") str lines (real, Python 3.11)', () => {
    const r = parseLeakReport(fx('tracemalloc-lineno.txt'));
    contractShape(r);
    assert.equal(r.tool, 'tracemalloc');
    assert.equal(r.sites.length, 6);
    assert.equal(r.sites[0].kind, 'allocated');
    assert.equal(r.sites[0].bytes, 3102 * 1024);
    assert.equal(r.sites[0].count, 40020);
    assert.deepEqual(r.sites[0].frames, [{ function: null, file: '/tmp/vgt/tm.py', line: 5, object: null }]);
    // stdlib tracemalloc.py is not the user's code
    assert.equal(firstUserFrame(r.sites[1]), null);
    assert.equal(firstUserFrame(r.sites[0])!.line, 5);
  });

  it('reads compare_to() lines with signs, +0 diffs and a "[ Top 10 differences ]" title', () => {
    const r = parseLeakReport(fx('tracemalloc-diff.txt'));
    contractShape(r);
    assert.equal(r.sites.length, 6);
    assert.ok(r.sites.every((s) => s.kind === 'growth'));
    assert.equal(r.sites[0].bytesDiff, 3102 * 1024);
    assert.equal(r.sites[0].countDiff, 40020);
    assert.equal(r.sites[5].bytesDiff, 0);
    assert.equal(r.sites[5].countDiff, 0);
    const neg = parseLeakReport(
      '/app/x.py:3: size=1024 B (-2048 B), count=1 (-2), average=1024 B\n/app/y.py:9: size=2 KiB (+1.5 KiB), count=4 (+3), average=512 B',
    );
    assert.deepEqual(
      neg.sites.map((s) => [s.frames[0].file, s.bytesDiff, s.countDiff]),
      [
        ['/app/y.py', 1536, 3],
        ['/app/x.py', -2048, -2],
      ],
    );
  });

  it('reads statistics("traceback") with Traceback.format() frames, oldest first -> innermost first', () => {
    const r = parseLeakReport(fx('tracemalloc-tb.txt'));
    assert.equal(r.sites.length, 1);
    assert.equal(r.sites[0].count, 40020);
    assert.equal(r.sites[0].bytes, Math.round(3101.5 * 1024));
    assert.deepEqual(
      r.sites[0].frames.map((f) => f.line),
      [5, 5, 7, 9],
    );
    const withStat = parseLeakReport(
      '/app/a.py:9: size=10 KiB, count=2, average=5120 B\n  File "/app/a.py", line 20\n    main()\n  File "/app/a.py", line 9\n    x = load()\n',
    );
    assert.deepEqual(
      withStat.sites[0].frames.map((f) => f.line),
      [9, 20],
    );
  });

  it('reads repr() forms of Statistic and StatisticDiff (real, Python 3.11)', () => {
    const r = parseLeakReport(fx('tracemalloc-repr.txt'));
    contractShape(r);
    assert.ok(r.groups && r.groups.length === 2);
    // the diff block is preferred for the sites
    assert.equal(r.sites.length, 1);
    assert.equal(r.sites[0].kind, 'growth');
    assert.equal(r.sites[0].bytes, 3175960);
    assert.equal(r.sites[0].bytesDiff, 3175960);
    assert.equal(r.sites[0].countDiff, 40020);
    assert.deepEqual(
      r.sites[0].frames.map((f) => f.line),
      [5, 5, 7, 9],
    );
    const stats = r.groups[0].sites;
    assert.deepEqual(
      stats.map((s) => [s.kind, s.bytes, s.count]),
      [
        ['allocated', 3175960, 40020],
        ['allocated', 320, 2],
      ],
    );
    const win = parseLeakReport(`<Statistic traceback=<Traceback (<Frame filename='C:\\\\app\\\\it\\'s.py' lineno=3>,) total_nframe=1> size=10 count=1>`);
    assert.equal(win.sites[0].frames[0].file, "C:\\app\\it's.py");
  });

  it('reads the docs display_top recipe output', () => {
    const r = parseLeakReport(
      [
        'Top 3 lines',
        '#1: Lib/base64.py:414: 419.8 KiB',
        '    _b85chars2 = [(a + b) for a in _b85chars for b in _b85chars]',
        '#2: Lib/base64.py:306: 419.8 KiB',
        '    _a85chars2 = [(a + b) for a in _a85chars for b in _a85chars]',
        '#3: collections/__init__.py:368: 293.6 KiB',
        '    exec(class_definition, namespace)',
        '63 other: 4.3 KiB',
        'Total allocated size: 1137.5 KiB',
      ].join('\n'),
    );
    assert.equal(r.tool, 'tracemalloc');
    assert.equal(r.sites.length, 3);
    assert.equal(r.sites[0].frames[0].line, 414);
    assert.equal(r.summary.liveBytes, Math.round(1137.5 * 1024));
  });

  it('reads memray stats with top locations', () => {
    const r = parseLeakReport(fx('memray-stats-2024.txt'));
    contractShape(r);
    assert.equal(r.tool, 'memray');
    assert.equal(r.summary.totalAllocs, 9);
    assert.equal(r.summary.peakBytes, Math.round(1.001 * 1024 ** 3));
    assert.equal(r.sites.length, 3);
    assert.deepEqual(r.sites[0].frames, [{ function: 'big_allocation', file: '/srv/app/example.py', line: 3, object: null }]);
    assert.equal(r.sites[0].count, 2);
    assert.equal(r.sites[2].count, 5);
    const j = parseLeakReport(
      JSON.stringify({
        total_num_allocations: 3,
        total_bytes_allocated: 300,
        top_allocations_by_size: [
          { location: 'f:/a.py:1', size: 200 },
          { location: 'g:/a.py:2', size: 100 },
        ],
        top_allocations_by_count: [{ location: 'f:/a.py:1', count: 2 }],
        metadata: { peak_memory: 250, pid: 77 },
      }),
    );
    assert.equal(j.tool, 'memray');
    assert.equal(j.pid, 77);
    assert.equal(j.summary.peakBytes, 250);
    assert.deepEqual(
      j.sites.map((s) => [s.bytes, s.count]),
      [
        [200, 2],
        [100, null],
      ],
    );
  });
});

describe('leak parsers: Node heap profile and heap snapshots', () => {
  it('reads a .heapprofile: 1-based lines, file:// URLs, sites merged by allocating function+line, innermost first', () => {
    const r = parseLeakReport(fx('server.heapprofile'));
    contractShape(r);
    assert.equal(r.tool, 'node-heap-profile');
    assert.deepEqual(
      r.sites.map((s) => [s.frames[0].function, s.bytes, s.count, s.stacks]),
      [
        ['(anonymous)', 2097152, 2, 1],
        ['cacheResult', 1572864, 2, 2],
        ['Module._compile', 32768, 1, 1],
      ],
    );
    const cache = r.sites[1];
    assert.deepEqual(
      cache.frames.map((f) => [f.function, f.file, f.line, f.column]),
      [
        ['cacheResult', '/srv/app/cache.js', 5, 11],
        ['handleRequest', '/srv/app/server.js', 20, 3],
        ['main', '/srv/app/server.js', 10, 1],
      ],
    );
    assert.equal(r.summary.liveBytes, 2097152 + 1572864 + 32768);
    assert.equal(firstUserFrame(r.sites[2]), null); // node:internal
    assert.equal(firstUserFrame(cache)!.file, '/srv/app/cache.js');
  });

  it('reads a real --heap-prof output', () => {
    const r = parseLeakReport(fx('node-eval.heapprofile'));
    assert.equal(r.tool, 'node-heap-profile');
    assert.ok(r.sites.length >= 1);
    assert.equal(r.sites[0].frames[0].function, 'grow');
    assert.equal(r.sites[0].frames[0].line, 1);
  });

  it('summarizes a .heapsnapshot by constructor', () => {
    const r = parseLeakReport(fx('after.heapsnapshot'));
    contractShape(r);
    assert.equal(r.tool, 'node-heap-snapshot');
    const by = Object.fromEntries(r.sites.map((s) => [s.label, [s.bytes, s.count]]));
    assert.deepEqual(by.Leaky, [160, 5]);
    assert.deepEqual(by['(array)'], [300, 1]);
    assert.deepEqual(by['(string)'], [60, 2]);
    assert.deepEqual(by['(system)'], [40, 1]);
    assert.deepEqual(by.Cache, [56, 1]);
    assert.equal(r.sites[0].label, '(array)');
    assert.equal(r.summary.liveBytes, 160 + 24 + 20 + 40 + 300 + 32 + 56 + 40);
  });

  it('computes growth by constructor between two snapshots (texts and files)', async () => {
    const r = parseLeakReportPair(fx('before.heapsnapshot'), fx('after.heapsnapshot'));
    contractShape(r);
    assert.ok(r.sites.every((s) => s.kind === 'growth'));
    assert.deepEqual(
      r.sites.map((s) => [s.label, s.bytesDiff, s.countDiff]),
      [
        ['(array)', 200, 0],
        ['Leaky', 96, 3],
        ['Cache', 56, 1],
        ['(string)', 40, 1],
      ],
    );
    const f = await parseLeakReportFiles(fxPath('before.heapsnapshot'), fxPath('after.heapsnapshot'));
    assert.deepEqual(f.sites, r.sites);
    const back = parseLeakReportPair(fx('after.heapsnapshot'), fx('before.heapsnapshot'));
    assert.equal(back.sites.find((s) => s.label === 'Cache')!.bytes, 0);
    assert.equal(back.sites.find((s) => s.label === 'Cache')!.bytesDiff, -56);
  });
});

describe('leak parsers: Java class histograms', () => {
  it('reads jmap -histo (JDK 11, modules) as retained per class', () => {
    const r = parseLeakReport(fx('jmap-histo-jdk11.txt'));
    contractShape(r);
    assert.equal(r.tool, 'java-histogram');
    assert.equal(r.sites.length, 10);
    assert.deepEqual([r.sites[0].label, r.sites[0].bytes, r.sites[0].count, r.sites[0].module], ['[B', 19254000, 120345, 'java.base@11.0.21']);
    assert.equal(r.sites[2].label, 'com.acme.cache.SessionEntry');
    assert.equal(r.sites[2].module, null);
    assert.equal(r.summary.liveBytes, 26932152);
    assert.equal(r.summary.liveCount, 311693);
    assert.deepEqual(r.warnings, []);
  });

  it('reads jcmd GC.class_histogram (JDK 8, pid line, no Total when cut by head)', () => {
    const r = parseLeakReport(fx('jcmd-class-histogram-jdk8.txt'));
    assert.equal(r.pid, 27111);
    assert.equal(r.sites.length, 8);
    assert.equal(r.sites[0].label, '[C');
    assert.equal(r.sites[6].label, '[Ljava.lang.Object;');
    assert.ok(r.warnings.some((w) => /without its Total/.test(w)));
  });

  it('computes growth per class from two histograms (two texts, or both in one text)', () => {
    const pair = parseLeakReportPair(fx('jmap-histo-jdk11.txt'), fx('jmap-histo-jdk11-later.txt'));
    const one = parseLeakReport(fx('jmap-histo-jdk11.txt') + '\n' + fx('jmap-histo-jdk11-later.txt'));
    for (const r of [pair, one]) {
      assert.equal(r.tool, 'java-histogram');
      assert.ok(r.sites.every((s) => s.kind === 'growth'));
      assert.deepEqual(
        r.sites.slice(0, 3).map((s) => [s.label, s.bytesDiff, s.countDiff]),
        [
          ['[B', 48000000, 300000],
          ['java.lang.String', 7200000, 300000],
          ['com.acme.cache.SessionEntry', 5760000, 120000],
        ],
      );
      const gone = r.sites.find((s) => s.label === 'jdk.internal.misc.Unsafe')!;
      assert.deepEqual([gone.bytes, gone.bytesDiff], [0, -16]);
      assert.equal(r.sites[r.sites.length - 1].label, 'java.util.concurrent.ConcurrentHashMap$Node');
      assert.ok(!r.sites.some((s) => s.label === 'java.lang.Class')); // unchanged
    }
  });
});

describe('leak parsers: heaptrack_print', () => {
  it('reads MEMORY LEAKS entries with their largest backtrace', () => {
    const r = parseLeakReport(fx('heaptrack-print.txt'));
    contractShape(r);
    assert.equal(r.tool, 'heaptrack');
    assert.equal(r.command, './test_c --iterations 100');
    assert.equal(r.summary.inUseAtExitBytes, 1270);
    assert.equal(r.summary.peakBytes, 40070);
    assert.equal(r.summary.totalAllocs, 10000);
    assert.equal(r.summary.suppressedBytes, 72700);
    assert.equal(r.sites.length, 2);
    const [a, b] = r.sites;
    assert.deepEqual([a.bytes, a.count, a.stacks], [1200, 3, 2]);
    assert.deepEqual(
      a.frames.map((f) => [f.function, f.file, f.line, f.object]),
      [
        ['Foo::Foo()', '/home/dev/heaptrack/tests/manual/test.cpp', 9, '/home/dev/build/tests/manual/test_c'],
        ['main', '/home/dev/heaptrack/tests/manual/test.cpp', 40, '/home/dev/build/tests/manual/test_c'],
      ],
    );
    assert.deepEqual(
      [b.bytes, b.frames[0].function, b.frames[0].address, b.frames[0].object],
      [72, null, '0x7f2b3c4d5e6f', '/lib/x86_64-linux-gnu/libdl.so.2'],
    );
  });

  it('falls back to PEAK MEMORY CONSUMERS without -l', () => {
    const text = fx('heaptrack-print.txt');
    const noLeaks = text.slice(0, text.indexOf('MEMORY LEAKS')) + text.slice(text.indexOf('MOST TEMPORARY'));
    const r = parseLeakReport(noLeaks);
    assert.equal(r.sites.length, 1);
    assert.equal(r.sites[0].bytes, 40000);
    assert.ok(r.warnings.some((w) => /PEAK MEMORY CONSUMERS/.test(w)));
  });
});

describe('leak parsers: detection, garbage, files', () => {
  it('detects every format from its head', () => {
    const cases: Array<[string, string | null]> = [
      ['memcheck-cxx-templates.txt', 'valgrind-memcheck'],
      ['memcheck-protocol4.xml', 'valgrind-memcheck'],
      ['massif.out.1234', 'valgrind-massif'],
      ['ms_print-grow.txt', 'valgrind-massif'],
      ['tracemalloc-diff.txt', 'tracemalloc'],
      ['tracemalloc-repr.txt', 'tracemalloc'],
      ['tracemalloc-tb.txt', 'tracemalloc'],
      ['memray-stats-2024.txt', 'memray'],
      ['server.heapprofile', 'node-heap-profile'],
      ['after.heapsnapshot', 'node-heap-snapshot'],
      ['jmap-histo-jdk11.txt', 'java-histogram'],
      ['jcmd-class-histogram-jdk8.txt', 'java-histogram'],
      ['heaptrack-print.txt', 'heaptrack'],
      ['leak.c', null],
    ];
    for (const [f, tool] of cases) assert.equal(detectLeakFormat(fx(f).slice(0, 4096)), tool, f);
  });

  it('never throws on garbage: a report with a warning naming the first line', () => {
    for (const g of ['', '   \n\n', 'hello world\nthis is not a leak report', '{"a": 1}', '<html><body>nope</body></html>', '\u0000\u0001binary']) {
      const r = parseLeakReport(g);
      assert.equal(r.sites.length, 0);
      assert.equal(r.warnings.length, 1);
      assert.match(r.warnings[0], /^not a recognized leak report: /);
    }
    assert.equal(parseLeakReport('hello world\nx').warnings[0], "not a recognized leak report: first line 'hello world'");
    assert.equal(parseLeakReport(undefined as unknown as string).sites.length, 0);
    const badJson = parseLeakReport('{"head": {"callFrame": {"functionName": "x"');
    assert.equal(badJson.tool, 'node-heap-profile');
    assert.match(badJson.warnings[0], /invalid JSON/);
  });

  it('files: missing file, gzip-compressed log, JSON size limit documented', async () => {
    const missing = await parseLeakReportFile('/nonexistent/valgrind.log');
    assert.equal(missing.sites.length, 0);
    assert.match(missing.warnings[0], /ENOENT/);
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-gz-'));
    try {
      const p = join(dir, 'valgrind.log.gz');
      writeFileSync(p, gzipSync(readFileSync(fxPath('memcheck-cxx-templates.txt'))));
      const r = await parseLeakReportFile(p);
      assert.equal(r.sites.length, 8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('leak reports: comparing runs', () => {
  it('matches sites by frames, ignoring addresses and directories; finds fixed, added and grown', () => {
    const before = parseLeakReport(fx('memcheck-verbose.txt'));
    const afterText = fx('memcheck-verbose.txt')
      .replace(/0x10916E/g, '0x20916E') // addresses change between builds
      .replace('40 bytes in 1 blocks are definitely lost in loss record 2 of 4', '80 bytes in 2 blocks are definitely lost in loss record 2 of 4')
      .replace(
        /7 bytes in 1 blocks are still reachable in loss record 1 of 4\n==9536== {4}at 0x48417B4: malloc \(in [^)]*\)\n==9536== {4}by 0x1091C8: main \(leak.c:8\)/,
        '7 bytes in 1 blocks are still reachable in loss record 1 of 4\n==9536==    at 0x48417B4: malloc (in /x.so)\n==9536==    by 0x1091C8: main (leak.c:99)',
      );
    const after = parseLeakReport(afterText);
    const c = compareLeakReports(before, after);
    assert.deepEqual(
      c.fixed.map((s) => [s.kind, firstUserFrame(s)!.line]),
      [['still reachable', 8]],
    );
    assert.deepEqual(
      c.added.map((s) => [s.kind, firstUserFrame(s)!.line]),
      [['still reachable', 99]],
    );
    assert.deepEqual(
      c.grown.map((g) => [g.before.bytes, g.after.bytes]),
      [[40, 80]],
    );
    // XML (dir + file) against text (file only): the same sites
    const xml = parseLeakReport(fx('memcheck-protocol4.xml'));
    const vsText = compareLeakReports(before, xml);
    assert.equal(vsText.added.length, 0);
    assert.equal(siteKey(xml.sites[0]), siteKey(before.sites[0]));
  });

  it('diffLeakReports turns two tracemalloc snapshots into growth', () => {
    const a = parseLeakReport('/app/a.py:3: size=10 KiB, count=10, average=1024 B\n/app/b.py:4: size=1 KiB, count=1, average=1024 B');
    const b = parseLeakReport('/app/a.py:3: size=50 KiB, count=50, average=1024 B\n/app/b.py:4: size=1 KiB, count=1, average=1024 B');
    const d = diffLeakReports(a, b);
    assert.deepEqual(
      d.sites.map((s) => [s.kind, s.frames[0].file, s.bytesDiff, s.countDiff]),
      [['growth', '/app/a.py', 40 * 1024, 40]],
    );
  });
});

describe('leak parsers: hard-wrapped memcheck text (mail, narrow terminals)', () => {
  it('joins a wrapped loss-record header and a wrapped C++ frame', () => {
    const r = parseLeakReport(
      [
        '> ==9662== 72 (8 direct, 64 indirect) bytes in 1 blocks are definitely lost in',
        '> loss record 7 of 8',
        '> ==9662==    at 0x4841F2F: operator new(unsigned long) (in',
        '> /usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)',
        '> ==9662==    by 0x10A5FB: app::Cache::put(std::__cxx11::basic_string<char,',
        '> std::char_traits<char>, std::allocator<char> > const&) (leak.cc:7)',
        '> ==9662==    by 0x10A320: main (leak.cc:8)',
        '> ==9662== ',
      ].join('\n'),
    );
    assert.equal(r.sites.length, 1);
    const s = r.sites[0];
    assert.deepEqual([s.bytes, s.directBytes, s.indirectBytes, s.record, s.recordsTotal], [72, 8, 64, 7, 8]);
    assert.equal(s.frames.length, 3);
    assert.equal(s.frames[0].object, '/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so');
    assert.equal(s.frames[1].function, 'app::Cache::put(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)');
    assert.equal(s.frames[1].line, 7);
    assert.equal(firstUserFrame(s)!.function, s.frames[1].function);
  });

  it('does not glue program output to complete valgrind lines', () => {
    const r = parseLeakReport(
      [
        '==5== 8 bytes in 1 blocks are definitely lost in loss record 1 of 1',
        'program says hello',
        '==5==    at 0x1: malloc (vg_replace_malloc.c:1)',
        'program says (unbalanced',
        '==5==    by 0x2: main (a.c:3)',
        '==5== ',
      ].join('\n'),
    );
    assert.deepEqual(
      r.sites[0].frames.map((f) => f.function),
      ['malloc', 'main'],
    );
  });
});

describe('leak parsers: XML pasted in documents', () => {
  it('ignores a closing fence after </valgrindoutput> and warns about a second document', () => {
    const xml = fx('memcheck-protocol4.xml');
    const fenced = parseLeakReport('## valgrind report\n```xml\n' + xml + '```\nThanks!\n');
    assert.equal(fenced.sites.length, 2);
    assert.deepEqual(fenced.warnings, ['memcheck error (not a leak): Invalid read of size 4 at main (/tmp/vgt/leak.c:9)']);
    const two = parseLeakReport(xml + '\n' + xml);
    assert.equal(two.sites.length, 2);
    assert.ok(two.warnings.some((w) => /another valgrind XML document/.test(w)));
  });

  it('reads tracemalloc statistics("filename") lines (line 0 = no line)', () => {
    const r = parseLeakReport(
      '/usr/lib/python3.11/json/decoder.py:0: size=12.5 KiB, count=40, average=320 B\n/app/main.py:0: size=3 KiB, count=3, average=1024 B',
    );
    assert.equal(r.sites[0].frames[0].line, null);
    assert.equal(firstUserFrame(r.sites[0]), null);
    assert.equal(firstUserFrame(r.sites[1])!.file, '/app/main.py');
  });
});
