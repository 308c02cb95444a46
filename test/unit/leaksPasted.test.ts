// valgrind XML as users paste it: lone <error> elements cut from a real protocol-4 file
// (test/fixtures/leaks/memcheck-protocol4.xml, valgrind 3.19), with prose or a fence around them,
// CRLF, indentation; and the indirectly lost total of a whole document, which XML only gives in the
// records' "(N direct, M indirect)".
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { detectLeakFormat, firstUserFrame, parseLeakReport } from '../../src/core/parse/leaks';

const xml = readFileSync(join(__dirname, '..', 'fixtures', 'leaks', 'memcheck-protocol4.xml'), 'utf8');
const errors = [...xml.matchAll(/<error>[\s\S]*?<\/error>/g)].map((m) => m[0]);
const leaks = errors.filter((e) => e.includes('<kind>Leak_'));

describe('leak parsers: valgrind XML as pasted', () => {
  it('the fixture has the errors the tests cut out (read by hand: 40 B at leak.c:6, 116 B at leak.c:4, an invalid read)', () => {
    assert.equal(errors.length, 3);
    assert.equal(leaks.length, 2);
  });

  it('a lone leak <error> is detected and read: site, frames, direct/indirect split, a warning saying what it was', () => {
    const text = leaks[1];
    assert.equal(detectLeakFormat(text), 'valgrind-memcheck');
    const r = parseLeakReport(text);
    assert.equal(r.sites.length, 1);
    const s = r.sites[0];
    assert.deepEqual([s.kind, s.bytes, s.directBytes, s.indirectBytes, s.count, s.record, s.recordsTotal], ['definitely lost', 116, 16, 100, 1, 4, 4]);
    assert.deepEqual(firstUserFrame(s), { function: 'mk', file: '/tmp/vgt/leak.c', line: 4, object: '/tmp/vgt/leak', address: '0x10915D' });
    assert.equal(r.summary.definitelyLostBytes, 16);
    assert.equal(r.summary.indirectlyLostBytes, 100);
    assert.deepEqual(r.warnings, ['a fragment of valgrind XML (1 <error> element) without its document: no run facts, totals from the records shown']);
    assert.equal(r.pid, null);
    assert.equal(r.details?.format, 'xml-fragment');
  });

  it('property: one or more <error> elements with prose, a fence, CRLF, indentation or blank lines around them: the same sites', () => {
    const expected = (picked: string[]) => picked.filter((e) => e.includes('<kind>Leak_')).map((e) => Number(/<leakedbytes>(\d+)</.exec(e)![1]));
    fc.assert(
      fc.property(
        fc.subarray(errors, { minLength: 1 }).filter((a) => a.some((e) => e.includes('<kind>Leak_'))),
        fc.constantFrom('', 'valgrind says:\n', '```xml\n', 'Here is the relevant part of the xml file:\n\n'),
        fc.constantFrom('', '\n```\n', '\nany idea?\n'),
        fc.boolean(),
        fc.constantFrom('', '  ', '\t'),
        (picked, before, after, crlf, indent) => {
          let text = before + picked.join('\n\n') + after;
          if (indent) text = text.replace(/^/gm, indent);
          if (crlf) text = text.replace(/\n/g, '\r\n');
          const r = parseLeakReport(text);
          assert.equal(r.tool, 'valgrind-memcheck');
          assert.deepEqual(
            r.sites.map((s) => s.bytes),
            expected(picked).sort((a, b) => b - a),
          );
          const big = r.sites.find((s) => s.bytes === 116);
          if (big) assert.equal(firstUserFrame(big)?.line, 4);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a full document: indirectlyLostBytes from the records, blocks unknown; a clean finished run: zero', () => {
    const r = parseLeakReport(xml);
    assert.equal(r.summary.indirectlyLostBytes, 100);
    assert.equal(r.summary.indirectlyLostBlocks, null);
    const clean = xml.replace(/<error>[\s\S]*?<\/error>/g, '');
    const c = parseLeakReport(clean);
    assert.equal(c.sites.length, 0);
    assert.equal(c.summary.definitelyLostBytes, 0);
    assert.equal(c.summary.indirectlyLostBytes, 0);
    assert.equal(c.summary.indirectlyLostBlocks, 0);
  });
});
