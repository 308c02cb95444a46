// Every valgrind and python sample of the shared corpus, every fact of its .expected.json mapped to
// the leak-report contract and asserted. The corpus uses its own snake_case layout; the mapping is here.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseLeakReport, detectLeakFormat, firstUserFrame } from '../../src/core/parse/leaks';
import { parseLeakReportFile } from '../../src/core/collect/leakFile';
import type { LeakReport, LeakSite, LeakSummary, LeakGroup } from '../../src/core/model/leakReport';

const CORPUS = '/work/shared/corpus';
/* eslint-disable @typescript-eslint/no-explicit-any */
type Json = any;

const MiB = 1024 * 1024;
const KiB = 1024;

function samples(dir: string): Array<{ name: string; text: string; expected: Json; path: string }> {
  const d = join(CORPUS, dir);
  if (!existsSync(d)) return [];
  return readdirSync(d)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => {
      const expected = JSON.parse(readFileSync(join(d, f), 'utf8'));
      const sampleFile = join(CORPUS, expected.sample_file ?? join(dir, f.replace('.expected.json', '.txt')));
      return { name: f.replace('.expected.json', ''), text: readFileSync(sampleFile, 'utf8'), expected, path: sampleFile };
    });
}

function assertHeapSummary(s: LeakSummary, h: Json) {
  assert.equal(s.inUseAtExitBytes, h.in_use_at_exit_bytes);
  assert.equal(s.inUseAtExitBlocks, h.in_use_at_exit_blocks);
  assert.equal(s.totalAllocs, h.allocs);
  assert.equal(s.totalFrees, h.frees);
  assert.equal(s.totalBytesAllocated, h.bytes_allocated);
}

function assertLeakSummary(s: LeakSummary, l: Json) {
  assert.equal(s.definitelyLostBytes, l.definitely_lost_bytes);
  assert.equal(s.definitelyLostBlocks, l.definitely_lost_blocks);
  assert.equal(s.indirectlyLostBytes, l.indirectly_lost_bytes);
  assert.equal(s.indirectlyLostBlocks, l.indirectly_lost_blocks);
  assert.equal(s.possiblyLostBytes, l.possibly_lost_bytes);
  assert.equal(s.possiblyLostBlocks, l.possibly_lost_blocks);
  assert.equal(s.stillReachableBytes, l.still_reachable_bytes);
  assert.equal(s.stillReachableBlocks, l.still_reachable_blocks);
  assert.equal(s.suppressedBytes, l.suppressed_bytes);
  assert.equal(s.suppressedBlocks, l.suppressed_blocks);
}

function assertErrorSummary(s: LeakSummary, e: Json) {
  assert.equal(s.errorCount, e.errors);
  assert.equal(s.errorContexts, e.contexts);
}

function assertRecord(site: LeakSite | undefined, rec: Json) {
  assert.ok(site, `loss record ${rec.record} not found`);
  assert.equal(site.kind, rec.kind);
  assert.equal(site.bytes, rec.bytes_total);
  assert.equal(site.count, rec.blocks);
  assert.equal(site.record, rec.record);
  assert.equal(site.recordsTotal, rec.records_total);
  assert.equal(site.directBytes, rec.bytes_direct ?? null);
  assert.equal(site.indirectBytes, rec.bytes_indirect ?? null);
  if (rec.alloc_fn) assert.equal(site.frames[0].function, rec.alloc_fn);
  if (rec.stack_depth !== undefined) assert.equal(site.frames.length, rec.stack_depth);
  if (rec.stack) {
    assert.equal(site.frames.length, rec.stack.length);
    rec.stack.forEach((f: Json, i: number) => {
      const g = site.frames[i];
      assert.equal(g.address, f.ip, `frame ${i} ip`);
      assert.equal(g.function, f.fn === '???' ? null : f.fn, `frame ${i} fn`);
      assert.equal(g.file, f.file ?? null, `frame ${i} file`);
      assert.equal(g.line, f.line ?? null, `frame ${i} line`);
      if (f.obj) assert.equal(g.object, f.obj, `frame ${i} obj`);
      assert.equal(g.inlined === true, f.inlined === true, `frame ${i} inlined`);
    });
  }
  if (rec.first_user_frame) {
    const u = firstUserFrame(site);
    assert.ok(u, 'first user frame');
    assert.equal(u.function, rec.first_user_frame.fn);
    assert.equal(u.file, rec.first_user_frame.file);
    assert.equal(u.line, rec.first_user_frame.line);
  }
}

/** tracemalloc prints 3 significant digits: compare a size string's bytes with tolerance. */
function approxBytes(actual: number | null | undefined, printed: string) {
  const m = /^([+-]?\d+(?:\.\d+)?) (B|KiB|MiB|GiB)$/.exec(printed);
  assert.ok(m, printed);
  const mult = { B: 1, KiB: KiB, MiB: MiB, GiB: 1024 * MiB }[m[2] as 'B'];
  assert.ok(actual !== null && actual !== undefined, `bytes for ${printed}`);
  assert.ok(Math.abs(actual - Number(m[1]) * mult) <= 1, `${actual} vs ${printed}`);
}

/** memray prints sizes like "257.024MB" with 1024-based units. */
function memrayBytes(printed: string): number {
  const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB)$/.exec(printed);
  assert.ok(m, printed);
  return Math.round(Number(m[1]) * { B: 1, KB: KiB, MB: MiB, GB: 1024 * MiB }[m[2] as 'B']);
}

const checks: Partial<Record<string, (r: LeakReport, e: Json, text: string) => void>> = {
  '001-memcheck-3.10-summary-only': (r, e) => {
    assert.equal(r.tool, 'valgrind-memcheck');
    assert.equal(r.toolVersion, /Valgrind-([\d.]+)/.exec(e.tool_version)![1]);
    assert.equal(r.pid, e.pid);
    assert.equal(r.command, e.command);
    assertHeapSummary(r.summary, e.heap_summary);
    assertLeakSummary(r.summary, e.leak_summary);
    assertErrorSummary(r.summary, e.error_summary);
    assert.equal(r.sites.length, e.leak_records.length);
    assert.equal(r.summary.peakBytes, null);
  },
  '004-memcheck-show-leak-kinds-all-indirect': (r, e) => {
    assert.equal(r.pid, e.pid);
    assert.equal(r.sites.length, e.leak_records.length);
    for (const rec of e.leak_records)
      assertRecord(
        r.sites.find((s) => s.record === rec.record),
        rec,
      );
    // largest first, ties in input order (records 9, 10, 11 all 1,024 bytes)
    assert.deepEqual(
      r.sites.map((s) => s.record),
      [12, 9, 10, 11],
    );
    const directDefinite = r.sites.filter((s) => s.kind === 'definitely lost').reduce((a, s) => a + (s.directBytes ?? s.bytes), 0);
    assert.equal(directDefinite, e.aggregates.definitely_lost_direct_bytes_in_excerpt);
    assert.equal(r.sites.filter((s) => s.kind === 'indirectly lost').length, e.aggregates.indirectly_lost_records_in_excerpt);
    // no summary in the excerpt: null, not 0
    assert.equal(r.summary.definitelyLostBytes, null);
  },
  '007-memcheck-inlined-frames-two-runs': (r, e) => {
    const [run1, run2] = e.runs;
    assert.ok(r.runs && r.runs.length === 2);
    assert.equal(r.pid, run1.pid);
    assert.equal(r.runs[0].pid, run1.pid);
    assertLeakSummary(r.summary, run1.leak_summary);
    assertErrorSummary(r.summary, run1.error_summary);
    assertLeakSummary(r.runs[0].summary, run1.leak_summary);
    assert.equal(r.runs[0].sites, 0);
    // the record belongs to the other run, not to the summary
    assert.equal(r.runs[1].pid, run2.pid);
    assert.equal(r.runs[1].summary.definitelyLostBytes, null);
    assert.equal(r.sites.length, run2.leak_records.length);
    for (const rec of run2.leak_records) {
      const s = r.sites.find((x) => x.record === rec.record);
      assertRecord(s, rec);
      assert.equal(s!.pid, run2.pid);
    }
    assert.ok(r.warnings.some((w) => /2 valgrind runs/.test(w)));
  },
  '010-memcheck-xml-full-clean-run': (r, e) => {
    assert.equal(r.tool, 'valgrind-memcheck');
    assert.equal(r.toolVersion, /Valgrind-([\d.]+)/.exec(e.tool_version)![1]);
    assert.equal(r.pid, e.pid);
    assert.equal(r.details?.ppid, e.ppid);
    assert.equal(r.command, e.command);
    assert.equal(r.details?.protocolVersion, 4);
    assert.deepEqual(r.details?.valgrindArgs, e.valgrind_args);
    const status = r.details?.status as Array<{ state: string; time: string; elapsedSeconds: number }>;
    assert.equal(status.length, e.status.length);
    e.status.forEach((st: Json, i: number) => {
      assert.equal(status[i].state, st.state);
      assert.equal(status[i].time, st.time);
      if (st.elapsed_seconds !== undefined) assert.equal(status[i].elapsedSeconds, st.elapsed_seconds);
    });
    assert.equal(r.sites.length, e.errors.length);
    assert.equal(r.details?.nonLeakErrors, e.error_count);
    assert.equal(
      r.sites.reduce((a, s) => a + s.bytes, 0),
      e.leaked_bytes_total,
    );
    assert.equal(r.summary.definitelyLostBytes, e.leaked_bytes_total);
    assert.deepEqual(r.warnings, []);
  },
  '013-massif-out-pages-as-heap-peak-not-max': (r, e) => {
    assert.equal(r.tool, 'valgrind-massif');
    assert.equal(r.command, e.cmd);
    const d = r.details as Json;
    assert.equal(d.desc, e.desc);
    assert.equal(d.timeUnit, e.time_unit);
    assert.equal(d.snapshotCount, e.snapshot_count);
    e.snapshots.forEach((s: Json, i: number) => {
      assert.deepEqual(d.snapshots[i], {
        index: s.n,
        time: s.time,
        heapBytes: s.mem_heap_B,
        extraBytes: s.mem_heap_extra_B,
        stacksBytes: s.mem_stacks_B,
        tree: s.heap_tree,
      });
    });
    assert.equal(d.peakSnapshot.index, e.peak_snapshot_index);
    assert.equal(d.sitesSnapshot.index, e.peak_snapshot_index);
    assert.equal(d.maxSnapshot.index, e.max_mem_heap_snapshot_index);
    // peakBytes: the largest heap seen, not the snapshot massif marked "peak"
    assert.equal(r.summary.peakBytes, e.snapshots[e.max_mem_heap_snapshot_index].mem_heap_B);
    assert.equal(r.summary.liveBytes, e.peak_tree_root.bytes);
    assert.equal(d.root.bytes, e.peak_tree_root.bytes);
    assert.equal(d.root.children, e.peak_tree_root.children);
    assert.equal(d.root.label, e.peak_tree_root.label);
    assert.equal(d.topLevel.length, e.peak_tree_top_children.length);
    e.peak_tree_top_children.forEach((c: Json, i: number) => {
      const t = d.topLevel[i];
      assert.equal(t.bytes, c.bytes);
      if (c.below_threshold) {
        assert.equal(t.frame, null);
        assert.equal(t.belowThresholdPlaces, String(c.places));
      } else {
        assert.equal(t.frame.address, c.ip);
        assert.equal(t.frame.function, c.fn === '???' ? null : c.fn);
        assert.equal(t.frame.file, c.file);
        assert.equal(t.frame.line, c.line);
      }
    });
    // sites: leaves of the peak tree, conserving the bytes of the tree
    assert.equal(
      r.sites.reduce((a, s) => a + s.bytes, 0),
      e.peak_tree_root.bytes,
    );
    assert.ok(r.sites.every((s) => s.kind === 'retained'));
    const unknown = r.sites.find((s) => s.frames.length === 1 && s.frames[0].address === '0xFFFFFFFFFFFFFFFF');
    assert.ok(unknown);
    assert.equal(unknown.bytes, 3239936);
    assert.ok(r.warnings.some((w) => /largest heap is snapshot 3/.test(w)));
  },
  '001-tracemalloc-compare_to-lineno-diffs': (r, e) => {
    assert.equal(r.tool, 'tracemalloc');
    assert.equal(r.sites.length, e.entries.length);
    e.entries.forEach((x: Json, i: number) => {
      const s = r.sites[i]; // identical numbers: input order kept, not merged
      assert.equal(s.kind, 'growth');
      assert.equal(s.frames.length, 1);
      assert.equal(s.frames[0].file, x.file);
      assert.equal(s.frames[0].line, x.line);
      approxBytes(s.bytes, x.size);
      approxBytes(s.bytesDiff, x.size_diff);
      if (x.size_bytes_approx) assert.equal(s.bytes, x.size_bytes_approx);
      if (x.size_diff_bytes_approx) assert.ok(Math.abs(s.bytesDiff! - x.size_diff_bytes_approx) <= 1);
      assert.equal(s.count, x.count);
      assert.equal(s.countDiff, x.count_diff);
      approxBytes(Math.round(s.bytes / s.count!), x.average.replace(/^(\d+) B$/, '$1 B'));
    });
    assert.ok(r.sites[0].frames[0].file!.endsWith('/' + e.top_entry.file));
    assert.equal(r.sites[0].frames[0].line, e.top_entry.line);
  },
  '004-tracemalloctext-2013-legacy-top-output': (r, e) => {
    assert.equal(r.tool, 'tracemalloc');
    const groups = r.groups as LeakGroup[];
    assert.equal(groups.length, e.blocks.length);
    e.blocks.forEach((b: Json, gi: number) => {
      const g = groups[gi];
      assert.equal(g.title, b.title);
      assert.equal(g.groupBy, b.group_by);
      if (b.timestamp) assert.equal(g.timestamp, b.timestamp);
      if (b.entries) {
        assert.equal(g.sites.length, b.entries.length);
        b.entries.forEach((x: Json) => {
          const s = g.sites[x.rank - 1];
          approxBytes(s.bytes, x.size);
          if (x.file) {
            assert.equal(s.frames[0].file, x.file);
            assert.equal(s.frames[0].line, x.line ?? null);
          }
          if (x.address) {
            assert.equal(s.label, `memory block ${x.address}`);
            assert.equal(s.frames.length, 0);
          }
        });
      }
      if (b.entries_count) assert.equal(g.sites.length, b.entries_count);
      for (const key of ['top', 'tenth']) {
        const x = b[key];
        if (!x) continue;
        const s = g.sites[x.rank - 1];
        assert.equal(s.frames[0].file, x.file);
        assert.equal(s.frames[0].line, x.line);
        approxBytes(s.bytes, x.size);
        assert.equal(s.count, x.count);
        // the printed average is itself rounded: only check the order of magnitude
        const avg = /^(\d+) (B|KiB|MiB)$/.exec(x.average)!;
        const avgBytes = Number(avg[1]) * { B: 1, KiB: KiB, MiB: MiB }[avg[2] as 'B'];
        assert.ok(Math.abs(s.bytes / s.count! - avgBytes) / avgBytes < 0.1);
      }
      if (b.more) {
        assert.equal(g.rest!.entries, b.more.entries);
        approxBytes(g.rest!.bytes, b.more.size);
        assert.equal(g.rest!.count, b.more.count ?? null);
      }
      if (b.traced_total) {
        approxBytes(g.total!.bytes, b.traced_total.size);
        assert.equal(g.total!.count, b.traced_total.count ?? null);
      }
      if (b.metrics) {
        const m = (r.details as Json).metrics;
        for (const [k, v] of Object.entries(b.metrics)) assert.equal(m[k], String(v));
        approxBytes(r.summary.peakBytes, b.metrics['tracemalloc.traced.max_size']);
        approxBytes(r.summary.liveBytes, b.traced_total.size);
        assert.equal(r.summary.liveCount, b.traced_total.count);
      }
    });
    // the report's sites: the per-line block (the one that points at code)
    assert.equal(r.sites.length, 10);
    assert.equal(r.sites[0].frames[0].file, '.../tracemalloc/Lib/lzma.py');
    assert.ok(r.sites.every((s) => s.kind === 'allocated'));
    // '<frozen importlib._bootstrap>:704' is a frame with a line; stdlib, so not a user frame
    const frozen = r.sites.find((s) => s.frames[0].file === '<frozen importlib._bootstrap>')!;
    assert.equal(frozen.frames[0].line, 704);
    assert.equal(firstUserFrame(frozen), null);
  },
  '007-memray-stats-histogram': (r, e) => {
    assert.equal(r.tool, 'memray');
    assert.equal(r.summary.totalAllocs, e.total_allocations);
    assert.equal(r.summary.totalBytesAllocated, memrayBytes(e.total_memory_allocated));
    const d = r.details as Json;
    assert.equal(d.histogramMinBytes, memrayBytes(e.histogram.min));
    assert.equal(d.histogramMaxBytes, memrayBytes(e.histogram.max));
    assert.equal(d.histogram.length, e.histogram.buckets.length);
    e.histogram.buckets.forEach((b: Json, i: number) => {
      assert.equal(d.histogram[i].upper, memrayBytes(b.upper));
      assert.equal(d.histogram[i].inclusive, b.inclusive);
      assert.equal(d.histogram[i].count, b.count);
    });
    assert.equal(
      d.histogram.reduce((a: number, b: Json) => a + b.count, 0),
      e.histogram.bucket_count_sum,
    );
    assert.equal(r.sites.length, 0);
    assert.ok(r.warnings.some((w) => /no sites/.test(w)));
  },
};

describe('leak parsers on the shared corpus (valgrind, python)', () => {
  const all = [...samples('valgrind'), ...samples('python')];

  it('finds the corpus', () => {
    if (all.length === 0) console.warn('WARNING: corpus not found at ' + CORPUS + ': corpus tests skipped');
  });

  for (const s of all) {
    describe(s.name, () => {
      it('is detected and parsed without throwing, from text and from the file', async () => {
        const r = parseLeakReport(s.text);
        assert.notEqual(detectLeakFormat(s.text.slice(0, 8192)), null, 'detected');
        assert.notEqual(r.tool, null);
        const rf = await parseLeakReportFile(s.path);
        assert.deepEqual(rf, r, 'file (streamed) and text parses agree');
      });
      const check: ((r: LeakReport, e: Json, text: string) => void) | undefined = checks[s.name];
      it(check ? 'gets every expected fact' : 'has no fact mapping yet (generic checks only)', () => {
        const r = parseLeakReport(s.text);
        if (!check) {
          console.warn(`WARNING: corpus sample ${s.name} has no fact mapping in leaksCorpus.test.ts`);
          return;
        }
        check(r, s.expected, s.text);
      });
    });
  }
});
