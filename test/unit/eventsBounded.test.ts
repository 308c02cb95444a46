// Kernel-log readers bounded by what they keep, not by what they are fed: a gzip bomb of kill lines
// keeps the newest 20,000 events and says how many more there were; an endless task table stops
// growing; JSON-shaped log lines do not slow the reader down.
import { strict as assert } from 'node:assert';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import { MAX_EVENTS } from '../../src/core/parse/kernelLog/reader';
import { eventsFromStream } from '../../src/core/collect/logFile';
import { samples } from './helpers/corpusEvents';

const kill = (i: number) =>
  `[${(1000 + i / 1000).toFixed(6)}] Out of memory: Killed process ${1000 + i} (grow${i % 10}) total-vm:2000kB, anon-rss:${1000 + (i % 500)}kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n`;

describe('kernel log readers keep a bounded amount', function () {
  this.timeout(120_000);
  it('a gzip bomb of 100,000 kills: the newest 20,000 kept, the rest counted, memory bounded', async () => {
    const N = 100_000;
    let text = '';
    for (let i = 0; i < N; i++) text += kill(i);
    const gz = gzipSync(text, { level: 9 });
    const before = process.memoryUsage().rss;
    const r = await eventsFromStream(Readable.from([gz]), { kind: 'stdin' });
    const grew = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.equal(r.events.length, MAX_EVENTS);
    assert.equal(r.events[0].victim?.pid, 1000 + N - MAX_EVENTS, 'the oldest kept is the 80,001st');
    assert.equal(r.events[r.events.length - 1].victim?.pid, 1000 + N - 1);
    assert.ok(r.warnings.includes(`80,000 older OOM events not kept: only the newest 20,000 are (the log holds 100,000)`), r.warnings.join('\n'));
    console.log(`      ${(gz.length / 1024).toFixed(0)} KiB of gzip → ${(text.length / 2 ** 20).toFixed(0)} MiB of kills; RSS grew ${grew.toFixed(0)} MiB`);
  });

  it('a task table that never ends keeps 20,000 rows and counts the rest', () => {
    let t =
      '[  100.000000] Tasks state (memory values in pages):\n[  100.000000] [  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name\n';
    for (let i = 1; i <= 25_000; i++)
      t += `[  100.000000] [ ${String(i).padStart(6)}]     0 ${String(i).padStart(6)}     1000      100    40960        0             0 p${i}\n`;
    t +=
      '[  100.000001] Out of memory: Killed process 7 (p7) total-vm:4000kB, anon-rss:400kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0\n';
    const r = parseOomEvents(t);
    const ev = r.events.find((e) => e.victim?.pid === 7)!;
    assert.ok(ev, JSON.stringify(r.events.map((e) => e.kind)));
    assert.equal(ev.tasks.length, 20_000);
    assert.equal(ev.tasksOmitted, 5_000);
  });

  it('JSON-shaped log lines cost about what plain ones do (they were 100x slower)', () => {
    const plain: string[] = [];
    const json: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      plain.push(`Dec  3 12:00:00 web-1 app[123]: request ${i} served in 12 ms from cache node-${i % 17}`);
      json.push(`{"ts":"2026-12-03T12:00:00Z","level":"info","msg":"request ${i} served","ms":12,"cache":"node-${i % 17}","tags":["a","b",{"k":[1,2,3]}]}`);
    }
    const time = (lines: string[]) => {
      const t = performance.now();
      parseOomEvents(lines.join('\n') + '\n' + kill(1));
      return performance.now() - t;
    };
    time(plain);
    const p = Math.min(time(plain), time(plain));
    const j = Math.min(time(json), time(json));
    console.log(`      200,000 lines: plain ${p.toFixed(0)} ms, JSON-shaped ${j.toFixed(0)} ms (${(j / p).toFixed(1)}x)`);
    assert.ok(j / p < 5, `JSON-shaped lines ${(j / p).toFixed(1)}x slower`);
  });

  it('unstamped logs (bare text, JSON lines) are skipped fast and give the same events as a full parse, for every corpus sample', () => {
    const noise = [
      (i: number) => `request ${i} served in 12 ms from cache node-${i % 17}`,
      (i: number) => `{"ts":"2026-12-03T12:00:00Z","level":"info","msg":"request ${i} served","ms":12}`,
      (i: number) => `worker-${i % 4} | GET /api/items?page=${i} 200 12ms`,
    ];
    let checked = 0;
    for (const cat of ['kernel-oom', 'kubernetes', 'node', 'python']) {
      for (const smp of samples(cat)) {
        for (const n of noise) {
          const before = Array.from({ length: 400 }, (_, i) => n(i)).join('\n');
          const after = Array.from({ length: 400 }, (_, i) => n(i + 400)).join('\n');
          const text = `${before}\n${smp.text.replace(/\n?$/, '\n')}${after}\n`;
          const fast = parseOomEvents(text);
          const full = parseOomEvents(text, { kind: 'text' }, { fastSkip: false });
          // Every fact the same; only where an event's span ends may differ by a few lines, when noise
          // right after a sample reads as its wrapped continuation in a full parse (a hard-wrapped paste).
          const facts = (r: typeof fast) => r.events.map((e) => ({ ...e, lines: { first: e.lines.first } }));
          const what = `${cat}/${smp.name} in ${n(0).slice(0, 20)}… noise`;
          assert.deepEqual(facts(fast), facts(full), what);
          fast.events.forEach((e, k) => assert.ok(Math.abs(e.lines.last - full.events[k].lines.last) <= 12, what));
          checked++;
        }
      }
    }
    assert.ok(checked >= 29 * 3, `${checked} cases`);
  });
});
