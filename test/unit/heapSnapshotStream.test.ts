// The streamed .heapsnapshot reader against the plain definition (JSON.parse the whole file, group
// nodes by DevTools' constructor label), on random snapshots cut into random chunks.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { HeapSnapshotScanner, heapSnapshotStats, type ConstructorStat } from '../../src/core/parse/leaks/heapSnapshotStream';
import { parseLeakReport } from '../../src/core/parse/leaks';

const TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
  'concatenated string',
  'sliced string',
  'symbol',
  'bigint',
];
const FIELDS = ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'];

/** The oracle: the summary as DevTools defines it, from the parsed JSON. */
function reference(json: {
  snapshot: { meta: { node_fields: string[]; node_types: unknown[] } };
  nodes: number[];
  strings: string[];
}): ConstructorStat[] | null {
  const f = json.snapshot.meta.node_fields;
  const types = json.snapshot.meta.node_types[0] as string[];
  const w = f.length;
  const label = (type: string, name: string) =>
    type === 'object' || type === 'native'
      ? name
      : type === 'synthetic'
        ? `(${name || 'synthetic'})`
        : ((
            {
              hidden: '(system)',
              code: '(compiled code)',
              string: '(string)',
              'concatenated string': '(string)',
              'sliced string': '(string)',
              closure: '(closure)',
              regexp: '(regexp)',
              number: '(number)',
              'heap number': '(number)',
              array: '(array)',
            } as Record<string, string>
          )[type] ?? `(${type})`);
  const m = new Map<string, ConstructorStat>();
  for (let i = 0; i + w <= json.nodes.length; i += w) {
    const l = label(types[json.nodes[i + f.indexOf('type')]], json.strings[json.nodes[i + f.indexOf('name')]] ?? '');
    const a = m.get(l) ?? { label: l, bytes: 0, count: 0 };
    a.bytes += json.nodes[i + f.indexOf('self_size')];
    a.count++;
    m.set(l, a);
  }
  return sorted([...m.values()]);
}
const sorted = (xs: ConstructorStat[] | null) => (xs ? [...xs].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)) : xs);

function scanChunks(text: string, cuts: number[]): { stats: ConstructorStat[] | null; warnings: string[] } {
  const sc = new HeapSnapshotScanner();
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => Math.floor(x * text.length)))].sort((a, b) => a - b)) {
    sc.write(text.slice(at, c));
    at = c;
  }
  sc.write(text.slice(at));
  return { stats: sc.finish(), warnings: sc.warnings };
}

const snapshotArb = fc.record({
  fields: fc.shuffledSubarray(FIELDS, { minLength: FIELDS.length, maxLength: FIELDS.length }),
  strings: fc.array(fc.oneof(fc.string(), fc.constantFrom('Leaky"Record', 'caf\u00e9', 'a\\b', '\u{1F600}Emoji', 'line\nbreak', '')), {
    minLength: 1,
    maxLength: 30,
  }),
  rows: fc.array(fc.tuple(fc.nat(TYPES.length - 1), fc.nat(1000), fc.nat(5_000_000)), { maxLength: 200 }),
  indent: fc.constantFrom(0, 1, 2),
  stringsFirst: fc.boolean(),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
});

describe('streamed heap snapshots (HeapSnapshotScanner)', () => {
  it('property: the same constructors as JSON.parse + grouping, for any field order, strings, indentation, key order and chunk cuts', () => {
    fc.assert(
      fc.property(snapshotArb, ({ fields, strings, rows, indent, stringsFirst, cuts }) => {
        const nodes: number[] = [];
        for (const [t, n, size] of rows) {
          const row: Record<string, number> = {
            type: t,
            name: n % strings.length,
            id: n * 2 + 1,
            self_size: size,
            edge_count: 1,
            trace_node_id: 0,
            detachedness: 0,
          };
          for (const f of fields) nodes.push(row[f]);
        }
        const snapshot = {
          meta: { node_fields: fields, node_types: [TYPES, 'string', 'number'], edge_fields: ['type', 'name_or_index', 'to_node'] },
          node_count: rows.length,
        };
        const json = stringsFirst
          ? { snapshot, strings, nodes, edges: [1, 2, 3], trace_function_infos: [], samples: [], locations: [] }
          : { snapshot, nodes, edges: [1, 2, 3], trace_function_infos: [], trace_tree: [[1, [2]], {}], samples: [], locations: [], strings };
        const text = JSON.stringify(json, null, indent);
        const got = scanChunks(text, cuts);
        assert.deepEqual(sorted(got.stats), reference(json));
        assert.deepEqual(got.warnings, []);
      }),
      { numRuns: 300 },
    );
  });

  it('a snapshot cut anywhere: never throws; the nodes read so far are counted and the cut is said', () => {
    const strings = ['', 'Leak', 'Other'];
    const nodes = Array.from({ length: 300 }, (_, i) => [3, 1 + (i % 2), i, 16, 0, 0, 0]).flat();
    const text = JSON.stringify({ snapshot: { meta: { node_fields: FIELDS, node_types: [TYPES] } }, nodes, strings });
    fc.assert(
      fc.property(fc.nat(text.length - 1), (cut) => {
        const r = scanChunks(text.slice(0, cut), []);
        if (r.stats === null) assert.ok(r.warnings.length > 0, 'null comes with a reason');
        else assert.match(r.warnings.join(' '), /ends early|not a multiple/);
      }),
      { numRuns: 200 },
    );
  });

  it('not a heap snapshot (an array, a bare value, JSON without nodes or strings, garbage): null with a reason, no exception', () => {
    for (const t of ['[1,2,3]', '42', '{"snapshot":{"meta":{"node_fields":["type"]}}}', '{"nodes":[1,2],"strings":["a"]}', '{"snapshot": x}', '']) {
      const w: string[] = [];
      assert.equal(heapSnapshotStats(t, w), null, t);
      assert.ok(w.length > 0, t);
    }
  });

  it('through parseLeakReport: the biggest constructor first, totals, and a comparison of two snapshots by constructor growth', () => {
    const snap = (leaky: number) =>
      JSON.stringify({
        snapshot: { meta: { node_fields: FIELDS, node_types: [TYPES] } },
        nodes: [...Array.from({ length: leaky }, () => [3, 1, 1, 48, 0, 0, 0]).flat(), 3, 2, 2, 100, 0, 0, 0],
        strings: ['', 'LeakyRecord', 'Config'],
      });
    const r = parseLeakReport(snap(10));
    assert.equal(r.tool, 'node-heap-snapshot');
    assert.deepEqual(
      r.sites.map((s) => [s.label, s.bytes, s.count]),
      [
        ['LeakyRecord', 480, 10],
        ['Config', 100, 1],
      ],
    );
    assert.equal(r.summary.liveBytes, 580);
  });
});
