// Go `go tool pprof -top` text and Python memory_profiler line-by-line output as leak reports.
// The samples are real, made here:
//  - test/fixtures/leaks/pprof-top-go1.19.txt / pprof-top-lines-go1.19.txt: test/fixtures/programs/oom.go
//    (`oom heap.pprof`, 64 x 1 MiB kept) with Debian's Go 1.19, `go tool pprof -top [-lines]
//    -sample_index=inuse_space oom heap.pprof`. Read by hand: main.leak 62.45MB flat (with -unit=B
//    pprof printed 65485618B: 62.45MB is 1024-based), then runtime.malg and
//    runtime.(*scavengerState).init at 0.50MB; the 0-flat rows are callers only.
//  - test/fixtures/leaks/memory-profiler-0.61.txt: test/fixtures/programs/mprof.py under Debian's
//    python3-memory-profiler 0.61. Read by hand: line 11 +38.148 MiB, line 12 +15.262 MiB, line 13
//    -15.262 MiB, line 9 (the @profile line: the memory at entry, 21.781 MiB) is no allocation.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectLeakFormat, firstUserFrame, parseLeakReport } from '../../src/core/parse/leaks';

const LEAKS = join(__dirname, '..', 'fixtures', 'leaks');
const top = readFileSync(join(LEAKS, 'pprof-top-go1.19.txt'), 'utf8');
const topLines = readFileSync(join(LEAKS, 'pprof-top-lines-go1.19.txt'), 'utf8');
const mprof = readFileSync(join(LEAKS, 'memory-profiler-0.61.txt'), 'utf8');
const MP_FILE = '/work/main/test/fixtures/programs/mprof.py'; // where the sample was made

const MiB = 1048576;

/** The manglings of a paste: CRLF, indentation, a log prefix per line, text around it. */
function mangle(text: string, o: { crlf: boolean; indent: string; prefix: string; before: string; after: string }): string {
  const body = (o.before + text + o.after)
    .split('\n')
    .map((l) => o.prefix + o.indent + l)
    .join('\n');
  return o.crlf ? body.replace(/\n/g, '\r\n') : body;
}
const manglings = fc.record({
  crlf: fc.boolean(),
  indent: fc.constantFrom('', '  ', '\t', '    '),
  prefix: fc.constantFrom('', '2025-01-02T03:04:05Z ', 'Jan  5 10:00:00 web1 prof[42]: ', '> ', '[ci] '),
  before: fc.constantFrom('', '$ go tool pprof -top heap.pprof\n', 'here is the output:\n\n'),
  after: fc.constantFrom('', '\n(pprof) \n', '\nthanks\n'),
});

describe('leak formats: go tool pprof -top', () => {
  it('detected from its table header', () => {
    assert.equal(detectLeakFormat(top), 'go-pprof');
    assert.equal(detectLeakFormat(topLines), 'go-pprof');
  });

  it('real Go 1.19 -top: sites by flat bytes (1024-based units), functions only, the callers left out, a warning naming -lines', () => {
    const r = parseLeakReport(top);
    assert.equal(r.tool, 'go-pprof');
    assert.equal(r.command, 'oom');
    assert.deepEqual(
      r.sites.map((s) => [s.kind, s.bytes, s.frames.map((f) => f.function)]),
      [
        ['retained', Math.round(62.45 * MiB), ['main.leak']],
        ['retained', Math.round(0.5 * MiB), ['runtime.malg']],
        ['retained', Math.round(0.5 * MiB), ['runtime.(*scavengerState).init']],
      ],
    );
    assert.equal(r.summary.liveBytes, Math.round(63.45 * MiB));
    assert.equal(r.details?.sampleType, 'inuse_space');
    assert.deepEqual(r.warnings, ['pprof -top names functions only, no file:line: `go tool pprof -top -lines` gives the source line of each site']);
  });

  it('real -top -lines: the frame has the file and line, so the site can sit beside the code', () => {
    const r = parseLeakReport(topLines);
    assert.deepEqual(r.sites[0].frames, [{ function: 'main.leak', file: '/tmp/gooom/oom.go', line: 18, object: null }]);
    assert.deepEqual(firstUserFrame(r.sites[0])?.line, 18);
    assert.deepEqual(r.warnings, []);
  });

  it('alloc_space totals are allocations; *_objects are counts; -files rows are files; -diff_base negatives are left out with a warning', () => {
    const alloc = parseLeakReport(top.replace('Type: inuse_space', 'Type: alloc_space'));
    assert.equal(alloc.sites[0].kind, 'allocated');
    assert.equal(alloc.summary.totalBytesAllocated, Math.round(63.45 * MiB));
    assert.equal(alloc.summary.liveBytes ?? null, null);
    const objects = parseLeakReport(
      'Type: inuse_objects\nShowing nodes accounting for 7876, 100% of 7876 total\n      flat  flat%   sum%        cum   cum%\n      6554 83.21% 83.21%       6554 83.21%  runtime.(*scavengerState).init\n        62  0.79%   100%         62  0.79%  main.leak (inline)\n',
    );
    assert.deepEqual(
      objects.sites.map((s) => [s.count, s.frames[0].function]),
      [
        [6554, 'runtime.(*scavengerState).init'],
        [62, 'main.leak'],
      ],
    );
    assert.equal(objects.summary.liveCount, 7876);
    const files = parseLeakReport(
      '      flat  flat%   sum%        cum   cum%\n   62.45MB 98.42% 98.42%    62.45MB 98.42%  /tmp/gooom/oom.go\n    0.50MB  0.79% 99.21%    62.95MB 99.21%  /usr/lib/go-1.19/src/runtime/proc.go\n',
    );
    assert.deepEqual(files.sites[0].frames, [{ function: null, file: '/tmp/gooom/oom.go', line: null, object: null }]);
    const diff = parseLeakReport(
      '      flat  flat%   sum%        cum   cum%\n    -1.5MB 50.00% 50.00%    -1.5MB 50.00%  main.old\n     3kB  1.00%  51.00%     3kB  1.00%  main.new\n',
    );
    assert.deepEqual(
      diff.sites.map((s) => [s.bytes, s.frames[0].function]),
      [[3072, 'main.new']],
    );
    assert.match(diff.warnings.join('\n'), /1 row\(s\) with a negative flat value/);
  });

  it('property: the real -top and -top -lines with CRLF, indentation, a log prefix per line, text around: the same sites', () => {
    const want = (t: string) => parseLeakReport(t).sites;
    const clean = [want(top), want(topLines)];
    assert.equal(clean[0][0].bytes, Math.round(62.45 * MiB));
    fc.assert(
      fc.property(fc.constantFrom(0, 1), manglings, (i, m) => {
        const r = parseLeakReport(mangle([top, topLines][i], m));
        assert.equal(r.tool, 'go-pprof');
        assert.deepEqual(r.sites, clean[i]);
        assert.equal(r.summary.liveBytes, Math.round(63.45 * MiB));
      }),
      { numRuns: 150 },
    );
  });
});

describe('leak formats: Python memory_profiler', () => {
  it('detected from its table header (with and without the Occurrences column)', () => {
    assert.equal(detectLeakFormat(mprof), 'memory-profiler');
    assert.equal(detectLeakFormat('Line #    Mem usage    Increment   Line Contents\n================================================\n'), 'memory-profiler');
  });

  it('real 0.61 output: a site per line that grew, at Filename:Line #, the code as label; the entry line and the shrinking line are not sites', () => {
    const r = parseLeakReport(mprof);
    assert.equal(r.tool, 'memory-profiler');
    assert.deepEqual(
      r.sites.map((s) => [s.kind, s.bytes, s.bytesDiff, s.frames[0].file, s.frames[0].line, s.label]),
      [
        ['growth', Math.round(38.148 * MiB), Math.round(38.148 * MiB), MP_FILE, 11, 'data = [0] * 5_000_000  # about 38 MiB of list slots'],
        ['growth', Math.round(15.262 * MiB), Math.round(15.262 * MiB), MP_FILE, 12, 'tmp = [1] * 2_000_000'],
      ],
    );
    assert.equal(firstUserFrame(r.sites[0])?.line, 11);
    assert.equal(r.details?.memUsagePeakBytes, Math.round(75.191 * MiB));
    assert.deepEqual(r.warnings, []);
  });

  it('an older memory_profiler (no Occurrences column) and two functions in two files', () => {
    // written for this test in the pre-0.58 layout (the README's example numbers), not a captured run
    const text = `Filename: /src/a.py

Line #    Mem usage    Increment   Line Contents
================================================
     3     38.8 MiB     38.8 MiB   @profile
     4                             def f():
     5     46.5 MiB      7.6 MiB       x = [1] * (10 ** 6)
     6    199.1 MiB    152.6 MiB       y = [2] * (2 * 10 ** 7)

Filename: /src/b.py

Line #    Mem usage    Increment   Line Contents
================================================
     8     40.0 MiB      0.0 MiB   def g():
     9     41.0 MiB      1.0 MiB       z = 12
`;
    const r = parseLeakReport(text);
    assert.deepEqual(
      r.sites.map((s) => [s.frames[0].file, s.frames[0].line, s.bytes, s.label]),
      [
        ['/src/a.py', 6, Math.round(152.6 * MiB), 'y = [2] * (2 * 10 ** 7)'],
        ['/src/a.py', 5, Math.round(7.6 * MiB), 'x = [1] * (10 ** 6)'],
        ['/src/b.py', 9, MiB, 'z = 12'],
      ],
    );
  });

  it('property: the real output with CRLF, indentation, a log prefix per line, text around: the same sites', () => {
    const clean = parseLeakReport(mprof).sites;
    assert.equal(clean.length, 2);
    fc.assert(
      fc.property(manglings, (m) => {
        const r = parseLeakReport(mangle(mprof, m));
        assert.equal(r.tool, 'memory-profiler');
        assert.deepEqual(r.sites, clean);
      }),
      { numRuns: 150 },
    );
  });
});
