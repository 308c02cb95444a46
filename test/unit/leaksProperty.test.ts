// Property: whatever is cut, mangled or forced through any reader, the leak parsers never throw and
// always return a well-formed report (sites sorted, numbers finite, JSON-serializable).
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { compareLeakReports, firstUserFrame, parseLeakReport, parseLeakReportPair, type LeakFormat } from '../../src/core/parse/leaks';
import type { LeakReport } from '../../src/core/model/leakReport';

const FX = join(__dirname, '..', 'fixtures', 'leaks');
const CORPUS = '/work/shared/corpus';

function loadSamples(): string[] {
  const out: string[] = [];
  for (const f of readdirSync(FX)) {
    if (/\.(txt|xml|heapprofile|heapsnapshot|1234)$/.test(f)) out.push(readFileSync(join(FX, f), 'utf8'));
  }
  for (const dir of ['valgrind', 'python']) {
    const d = join(CORPUS, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d)) if (f.endsWith('.txt')) out.push(readFileSync(join(d, f), 'utf8'));
  }
  // keep the property runs fast: big samples are cut to their first 40 KB
  return out.map((s) => (s.length > 40000 ? s.slice(0, 40000) : s));
}

const FORMATS: LeakFormat[] = [
  'memcheck-xml',
  'memcheck-text',
  'massif',
  'tracemalloc',
  'memray',
  'heap-profile',
  'heap-snapshot',
  'java-histogram',
  'heaptrack',
];

function wellFormed(r: LeakReport) {
  assert.ok(r && typeof r === 'object');
  assert.ok(Array.isArray(r.sites));
  assert.ok(Array.isArray(r.warnings));
  assert.ok(r.summary && typeof r.summary === 'object');
  for (const s of r.sites) {
    assert.ok(Number.isFinite(s.bytes), 'bytes finite');
    assert.ok(Array.isArray(s.frames));
    firstUserFrame(s);
  }
  const m = (i: number) => (r.sites[i].kind === 'growth' && r.sites[i].bytesDiff !== null ? r.sites[i].bytesDiff! : r.sites[i].bytes);
  for (let i = 1; i < r.sites.length; i++) assert.ok(m(i - 1) >= m(i));
  JSON.stringify(r);
}

describe('leak parsers: property — never throw on cut or mangled input', () => {
  const samples = loadSamples();

  it('has samples', () => assert.ok(samples.length >= 10));

  it('random truncations of every sample', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: samples.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, a, b) => {
          const s = samples[i];
          const from = Math.floor(Math.min(a, b) * s.length);
          const to = Math.floor(Math.max(a, b) * s.length);
          wellFormed(parseLeakReport(s.slice(0, to)));
          wellFormed(parseLeakReport(s.slice(from)));
          wellFormed(parseLeakReport(s.slice(from, to)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random mutations: replaced, inserted, deleted text; shuffled and duplicated lines', () => {
    const mutation = fc.oneof(
      fc.record({ op: fc.constant('replace' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(50), with: fc.string({ maxLength: 20 }) }),
      fc.record({
        op: fc.constant('insert' as const),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        len: fc.constant(0),
        with: fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(
            '==1== ',
            '<error>',
            '</stack>',
            '{',
            ']',
            'n3: 12 ',
            '(+5)',
            ' bytes in ',
            'size=',
            'at 0x1: ',
            '\n\n',
            '\u0000',
            '-->',
            '&amp;',
            'NaN',
            '1e309',
          ),
        ),
      }),
      fc.record({ op: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(200), with: fc.constant('') }),
      fc.record({ op: fc.constant('lines' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), len: fc.nat(5), with: fc.constant('') }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 8 }), (i, muts) => {
        let s = samples[i];
        for (const m of muts) {
          const at = Math.floor(m.at * s.length);
          if (m.op === 'lines') {
            const lines = s.split('\n');
            const k = Math.floor(m.at * lines.length);
            if (m.len % 2 === 0)
              lines.splice(k, 0, ...lines.slice(k, k + m.len)); // duplicate
            else if (k + 1 < lines.length) [lines[k], lines[k + 1]] = [lines[k + 1], lines[k]]; // swap
            s = lines.join('\n');
          } else {
            s = s.slice(0, at) + m.with + s.slice(at + m.len);
          }
        }
        const r = parseLeakReport(s);
        wellFormed(r);
        compareLeakReports(r, parseLeakReport(samples[i]));
      }),
      { numRuns: 300 },
    );
  });

  it('any text forced through any reader', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FORMATS),
        fc.oneof(fc.string({ maxLength: 300 }), fc.json({ maxDepth: 4 }), fc.constantFrom(...samples.map((x) => x.slice(0, 3000)))),
        (format, text) => {
          wellFormed(parseLeakReport(text, { format }));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('hostile JSON shapes for the Node readers, and pairs', () => {
    const weird = [
      '{"head": null}',
      '{"head": {"children": [null, 1, "x", {"selfSize": "big"}]}}',
      '{"head": {"callFrame": {}, "selfSize": 1e400}}',
      '{"snapshot": {"meta": {"node_fields": []}}, "nodes": [], "strings": []}',
      '{"snapshot": {"meta": {"node_fields": ["type","name","id","self_size"], "node_types": [["object"]]}}, "nodes": [0, 99, 1, 5, 7], "strings": []}',
      '{"snapshot": {"meta": {"node_fields": ["type","name","id","self_size"], "node_types": "x"}}, "nodes": "no", "strings": {}}',
      '[1,2,3]',
      'null',
      '"str"',
    ];
    for (const w of weird) {
      for (const format of ['heap-profile', 'heap-snapshot', 'memray'] as LeakFormat[]) wellFormed(parseLeakReport(w, { format }));
      wellFormed(parseLeakReport(w));
      wellFormed(parseLeakReportPair(w, w, { format: 'heap-snapshot' }));
    }
    // deep profile trees are walked without recursion
    let node = '{"callFrame": {"functionName": "leaf", "url": "file:///a.js", "lineNumber": 0}, "selfSize": 8, "children": []}';
    for (let i = 0; i < 20000; i++)
      node = `{"callFrame": {"functionName": "f${i}", "url": "file:///a.js", "lineNumber": ${i}}, "selfSize": 0, "children": [${node}]}`;
    const deep = parseLeakReport(`{"head": ${node}}`);
    assert.equal(deep.sites.length, 1);
    // 20,000 frames (the head node is the root, not a frame), cut as valgrind's --num-callers cuts
    assert.equal(deep.sites[0].frames.length, 24);
    assert.equal(deep.sites[0].frames[0].function, 'leaf');
    assert.equal(deep.sites[0].frames[23].function, 'f22'); // leaf's callers: f0, f1, …
    assert.equal(deep.sites[0].framesOmitted, 20000 - 24);
  });
});
