// A 450 MB .heapsnapshot through the built CLI: streamed, so it finishes under a stated memory cap
// (it used to kill V8 with SIGTRAP, then it was refused). The file is written here in 1 MiB pieces
// in V8's own layout (meta, nodes, edges, strings last); bench/heapSnapshot does the same with a
// snapshot V8 itself wrote.
import { strict as assert } from 'node:assert';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { measure } from '../../bench/lib/measure';
import { ROOT } from './helpers';

const FIELDS = '["type","name","id","self_size","edge_count","trace_node_id","detachedness"]';
const TYPES =
  '[["hidden","array","string","object","code","closure","regexp","number","native","synthetic","concatenated string","sliced string","symbol","bigint"],"string","number","number","number","number","number"]';
const CAP_MIB = 200;

/** Writes a snapshot of about `mb` MB: object nodes of 3 constructors (sizes 48, 32, 16). Returns the node count per constructor. */
function writeSnapshot(path: string, mb: number): number[] {
  const fd = openSync(path, 'w');
  const counts = [0, 0, 0];
  try {
    writeSync(fd, `{"snapshot":{"meta":{"node_fields":${FIELDS},"node_types":${TYPES}},"node_count":0},"nodes":[`);
    const rows: string[] = [];
    for (let i = 0; i < 4096; i++) rows.push(`3,${1 + (i % 3)},${i * 2 + 1},${48 - 16 * (i % 3)},0,0,0`);
    const piece = rows.join(',');
    const pieces = Math.ceil((mb * 1e6) / piece.length);
    for (let p = 0; p < pieces; p++) writeSync(fd, p === 0 ? piece : ',' + piece);
    for (let i = 0; i < 4096; i++) counts[i % 3] += pieces;
    writeSync(fd, '],"edges":[],"strings":["","Retained","Cache","Small"]}');
  } finally {
    closeSync(fd);
  }
  return counts;
}

describe('a 450 MB heap snapshot (built CLI)', function () {
  this.timeout(180_000);

  it(`oom-lens leaks FILE --json streams it: every node counted, peak RSS under ${CAP_MIB} MiB (printed)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-huge-'));
    try {
      const file = join(dir, 'huge.heapsnapshot');
      const counts = writeSnapshot(file, 450);
      const size = statSync(file).size;
      assert.ok(size > 450e6, `${size}`);
      const cli = join(ROOT, 'dist', 'cli.js');
      const m = await measure(process.execPath, [cli, 'leaks', file, '--json']);
      console.log(
        `      ${(size / 2 ** 20).toFixed(0)} MiB read in ${(m.ms / 1000).toFixed(1)} s, peak RSS ${(m.peakKb / 1024).toFixed(0)} MiB (cap ${CAP_MIB} MiB)`,
      );
      assert.equal(m.code, 0);
      assert.ok(m.peakKb < CAP_MIB * 1024, `peak RSS ${(m.peakKb / 1024).toFixed(0)} MiB`);
      const out = spawnSync(process.execPath, [cli, 'leaks', file, '--json'], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
      const rep = JSON.parse(out.stdout) as { tool: string; sites: { label: string; count: number; bytes: number }[]; warnings: string[] };
      assert.equal(rep.tool, 'node-heap-snapshot');
      assert.deepEqual(rep.warnings, []);
      assert.deepEqual(
        rep.sites.map((s) => [s.label, s.count, s.bytes]),
        [
          ['Retained', counts[0], counts[0] * 48],
          ['Cache', counts[1], counts[1] * 32],
          ['Small', counts[2], counts[2] * 16],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
