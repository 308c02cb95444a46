// LeakSanitizer / AddressSanitizer leak reports: real outputs of gcc 12 on Debian 12
// (test/fixtures/leaks/lsan-*.txt, from lsan-tree.c), the frame forms of other builds (clang with
// llvm-symbolizer: file:line:column; unsymbolized: module+offset; BuildId suffixes), and the same
// report mangled the way pastes mangle it (prefixes stripped, CRLF, indentation, quoting).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectLeakFormat, firstUserFrame, parseLeakReport } from '../../src/core/parse/leaks';
import { parseSanitizerFrame } from '../../src/core/parse/leaks/lsan';
import { parseLeakReportFile } from '../../src/core/collect/leakFile';
import { renderLeakText } from '../../src/core/tools/render';
import type { LeakReport } from '../../src/core/model/leakReport';

const FX = join(__dirname, '..', 'fixtures', 'leaks');
const SRC = '/work/main/test/fixtures/leaks/lsan-tree.c';
const asan = readFileSync(join(FX, 'lsan-asan-gcc12.txt'), 'utf8');
const noDebug = readFileSync(join(FX, 'lsan-gcc12-no-debuginfo.txt'), 'utf8');

/** The facts a reader must get from lsan-asan-gcc12.txt, read off the file by hand. */
function facts(r: LeakReport) {
  return {
    tool: r.tool,
    sites: r.sites.map((s) => {
      const f = firstUserFrame(s);
      return [s.kind, s.bytes, s.count, f ? `${f.function} ${f.file}:${f.line}` : null];
    }),
    summary: [r.summary.definitelyLostBytes, r.summary.definitelyLostBlocks, r.summary.indirectlyLostBytes, r.summary.indirectlyLostBlocks],
  };
}
const ASAN_FACTS = {
  tool: 'lsan',
  sites: [
    ['indirectly lost', 144, 3, `push ${SRC}:14`],
    ['definitely lost', 48, 1, `push ${SRC}:14`],
    ['definitely lost', 8, 1, `label ${SRC}:20`],
  ],
  // 48 + 8 direct in 2 objects, 144 indirect in 3; the SUMMARY's 200 bytes in 5 allocations is their sum
  summary: [56, 2, 144, 3],
};

describe('leak parsers: LeakSanitizer', () => {
  it('is detected from the ERROR line, a leak header or the SUMMARY line alone', () => {
    assert.equal(detectLeakFormat(asan), 'lsan');
    assert.equal(detectLeakFormat('Direct leak of 7 byte(s) in 1 object(s) allocated from:\n'), 'lsan');
    assert.equal(detectLeakFormat('SUMMARY: AddressSanitizer: 7 byte(s) leaked in 1 allocation(s).\n'), 'lsan');
    assert.equal(detectLeakFormat(readFileSync(join(FX, 'memcheck-verbose.txt'), 'utf8')), 'valgrind-memcheck');
  });

  it('a real AddressSanitizer run (gcc 12): direct and indirect sites, frames with file and line, the first user frame', () => {
    const r = parseLeakReport(asan);
    assert.deepEqual(facts(r), ASAN_FACTS);
    assert.equal(r.pid, 1488);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.details, { sanitizer: 'LeakSanitizer', reports: 1, pids: [1488], leakedBytes: 200, leakedAllocations: 5 });
    const head = r.sites[1];
    assert.deepEqual(head.frames[0], {
      function: '__interceptor_malloc',
      file: '../../../../src/libsanitizer/asan/asan_malloc_linux.cpp',
      line: 69,
      object: null,
      address: '0x7f07206b89cf',
    });
    assert.deepEqual(
      head.frames.map((f) => `${f.function}:${f.line}`),
      ['__interceptor_malloc:69', 'push:14', 'main:24', '__libc_start_call_main:58'],
    );
    assert.equal(head.pid, 1488);
    assert.equal(firstUserFrame(r.sites[2])?.line, 20, 'strdup through __interceptor_strdup: the caller label() is the user frame');
  });

  it('a build without debug info: frames name the module and offset, no user file', () => {
    const r = parseLeakReport(noDebug);
    assert.deepEqual(
      r.sites.map((s) => [s.kind, s.bytes, s.count]),
      [
        ['indirectly lost', 144, 3],
        ['definitely lost', 48, 1],
        ['definitely lost', 8, 1],
      ],
    );
    assert.deepEqual(r.sites[1].frames[1], { function: 'push', file: null, line: null, object: '/tmp/lsantest/t2', address: '0x5562d65cf16e' });
    assert.deepEqual(r.sites[2].frames[1], { function: '__GI___strdup', file: 'string/strdup.c', line: 42, object: null, address: '0x7ff9a70bc9a9' });
    assert.equal(firstUserFrame(r.sites[1]), null);
    assert.equal(r.details?.sanitizer, 'LeakSanitizer');
  });

  it('frame forms of other builds: columns, module+offset with or without a function, BuildId, C++ names with spaces', () => {
    assert.deepEqual(parseSanitizerFrame('in make_record /src/leak.c:14:5', '0x4c3a'), {
      function: 'make_record',
      file: '/src/leak.c',
      line: 14,
      column: 5,
      object: null,
      address: '0x4c3a',
    });
    assert.deepEqual(parseSanitizerFrame('in malloc (/path/bin+0x4c2f)', '0x4c2f'), {
      function: 'malloc',
      file: null,
      line: null,
      object: '/path/bin',
      address: '0x4c2f',
    });
    assert.deepEqual(parseSanitizerFrame(' (/lib/x86_64-linux-gnu/libc.so.6+0x2724a) (BuildId: 51657f818beb1a4ed3e2c1b6e4d6d5e5a0ae5e79)', '0x7f00'), {
      function: null,
      file: null,
      line: null,
      object: '/lib/x86_64-linux-gnu/libc.so.6',
      address: '0x7f00',
    });
    const cxx = parseSanitizerFrame('in Store::add(std::vector<int, std::allocator<int> > const&) /home/u/src/store.cc:22:11', '0x1');
    assert.equal(cxx.function, 'Store::add(std::vector<int, std::allocator<int> > const&)');
    assert.equal(cxx.file, '/home/u/src/store.cc');
    assert.equal(cxx.line, 22);
    const op = parseSanitizerFrame('in operator new(unsigned long) ../../../../src/libsanitizer/asan/asan_new_delete.cpp:95', '0x2');
    assert.equal(op.function, 'operator new(unsigned long)');
    assert.equal(op.line, 95);
  });

  it('clang-style report: interceptors are allocator frames, the first user frame is the caller', () => {
    const text = [
      '==42==ERROR: LeakSanitizer: detected memory leaks',
      '',
      'Direct leak of 36 byte(s) in 3 object(s) allocated from:',
      '    #0 0x4c2f in malloc (/path/bin+0x4c2f) (BuildId: 0123abcd)',
      '    #1 0x55de in make_record /src/leak.c:14:5',
      '    #2 0x55df in main /src/leak.c:29:15',
      '',
      'Indirect leak of 240 byte(s) in 1 object(s) allocated from:',
      '    #0 0x4c2f in ___interceptor_calloc (/path/bin+0x4c2f)',
      '    #1 0x5600 in grow /src/leak.c:40:9',
      '',
      'SUMMARY: AddressSanitizer: 276 byte(s) leaked in 4 allocation(s).',
    ].join('\n');
    const r = parseLeakReport(text);
    assert.deepEqual(
      r.sites.map((s) => [s.kind, s.bytes, s.count, firstUserFrame(s)?.line, firstUserFrame(s)?.column]),
      [
        ['indirectly lost', 240, 1, 40, 9],
        ['definitely lost', 36, 3, 14, 5],
      ],
    );
    assert.equal(r.summary.definitelyLostBytes, 36);
    assert.equal(r.summary.indirectlyLostBytes, 240);
    assert.deepEqual(r.warnings, []);
    assert.match(renderLeakText(r), /36 B definitely lost in 3 objects/);
  });

  it('several processes in one log (forks), a cut paste, and a non-leak sanitizer error', () => {
    const two = asan + asan.replace(/==1488==/g, '==1500==');
    const r = parseLeakReport(two);
    assert.equal(r.sites.length, 6);
    assert.deepEqual([...new Set(r.sites.map((s) => s.pid))].sort(), [1488, 1500]);
    assert.equal(r.summary.definitelyLostBytes, 112);
    assert.match(r.warnings.join('\n'), /reports of 2 processes \(1488, 1500\)/);

    const cut = parseLeakReport(asan.slice(0, asan.indexOf('Indirect leak')) + '\nSUMMARY: AddressSanitizer: 200 byte(s) leaked in 5 allocation(s).\n');
    assert.equal(cut.sites.length, 2);
    assert.match(cut.warnings.join('\n'), /the SUMMARY counts 200 bytes leaked, the stacks shown 56/);

    const overflow = parseLeakReport(
      '==7==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000020 at pc 0x1 bp 0x2 sp 0x3\nSUMMARY: AddressSanitizer: heap-buffer-overflow /src/a.c:5 in main\n' +
        asan,
    );
    assert.equal(overflow.sites.length, 3);
    assert.match(overflow.warnings.join('\n'), /sanitizer error \(not a leak\): AddressSanitizer: heap-buffer-overflow on address/);
  });

  it('read from a file (streamed) gives the same report', async () => {
    assert.deepEqual(await parseLeakReportFile(join(FX, 'lsan-asan-gcc12.txt')), parseLeakReport(asan));
  });

  it('property: the report pasted with prefixes stripped or kept, CRLF, leading spaces, quoting, a log prefix: the same facts', () => {
    const lines = asan.split('\n');
    const mangle = fc.record({
      stripPid: fc.boolean(),
      crlf: fc.boolean(),
      indent: fc.constantFrom('', ' ', '  ', '\t'),
      dedentFrames: fc.boolean(),
      quote: fc.constantFrom('', '> ', '>> '),
      logPrefix: fc.constantFrom('', '2024-05-07T11:59:58.123Z ', 'ci-job | ', '[test] '),
      trailing: fc.constantFrom('', ' ', '  \t'),
      blankLinesDropped: fc.boolean(),
    });
    fc.assert(
      fc.property(mangle, (m) => {
        let ls = lines.map((l) => (m.stripPid ? l.replace(/==\d+==/, '') : l));
        if (m.dedentFrames) ls = ls.map((l) => l.trimStart());
        // a blank line ends a stack; without them, the next header or SUMMARY does
        if (m.blankLinesDropped) ls = ls.filter((l) => l.trim() !== '');
        const text = ls.map((l) => `${m.logPrefix}${m.quote}${m.indent}${l}${m.trailing}`).join(m.crlf ? '\r\n' : '\n');
        const r = parseLeakReport(text);
        assert.deepEqual(facts(r), ASAN_FACTS);
        assert.equal(r.pid, m.stripPid ? null : 1488);
      }),
      { numRuns: 200 },
    );
  });
});
