import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { OomEventsResult } from '../../src/core/model/oomEvent';
import { OomEventReader, parseOomEvents } from '../../src/core/parse/kernelLog';
import { samples } from './helpers/corpusEvents';

const ALL = ['kernel-oom', 'node', 'kubernetes', 'python', 'smaps', 'valgrind'].flatMap((c) => samples(c).map((s) => s.text));
const KERNEL = samples('kernel-oom').map((s) => s.text);
const KINDS = new Set(['kill', 'panic', 'lowmemorykiller', 'runtime', 'container', 'userspace-kill']);

function wellFormed(r: OomEventsResult): void {
  assert.ok(Array.isArray(r.events) && Array.isArray(r.warnings) && r.source);
  let prev = 0;
  for (const e of r.events) {
    assert.ok(KINDS.has(e.kind), e.kind);
    assert.ok(e.lines.first >= 1 && e.lines.first <= e.lines.last, JSON.stringify(e.lines));
    assert.ok(e.lines.first >= prev, 'events in input order');
    prev = e.lines.first;
    assert.ok(Array.isArray(e.tasks));
    JSON.stringify(e);
  }
  for (const w of r.warnings) assert.equal(typeof w, 'string');
}

function feedInPieces(bytes: Buffer, cuts: number[], options: { fastSkip?: boolean } = {}): OomEventsResult {
  const r = new OomEventReader({ kind: 'test' }, options);
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const p = Math.min(c, bytes.length);
    r.push(bytes.subarray(at, p));
    at = p;
  }
  r.push(bytes.subarray(at));
  return r.end();
}

/** Median-free robust timing: best of several runs, in ms. */
function best(fn: () => void, runs = 5): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return b;
}

/** Asserts that parsing `two` (about twice `one`) takes less than 6x the time of `one`; retried on a noisy machine. */
function linear(what: string, one: string, two: string): void {
  let msg = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    parseOomEvents(one);
    const t1 = Math.max(
      best(() => parseOomEvents(one)),
      1,
    );
    const t2 = best(() => parseOomEvents(two));
    if (t2 < 6 * t1) return;
    msg = `${what}: ${t1.toFixed(2)} ms for ${one.length} chars, ${t2.toFixed(2)} ms for ${two.length}`;
  }
  assert.fail(msg);
}

const NOISE = [
  'Nov 25 10:00:01 web-1 kernel: [ 1234.567890] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
  'Nov 25 10:00:01 web-1 kernel: [ 1234.567891] audit: type=1400 audit(1700000000.123:45): apparmor="STATUS" operation="profile_load" name="/usr/bin/man" pid=1234',
  'Nov 25 10:00:02 web-1 kernel: [ 1234.600000] EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)',
  'Nov 25 10:00:03 web-1 kernel: [ 1235.000001] [UFW BLOCK] IN=eth0 OUT= MAC=00:00:00:00:00:00 SRC=1.2.3.4 DST=5.6.7.8 LEN=40 PROTO=TCP SPT=12345 DPT=22',
  'Nov 25 10:00:04 web-1 systemd[1]: Started Session 42 of user root.',
  'Nov 25 10:00:05 web-1 kernel: [ 1236.100000] EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0 (channel:0 slot:0)',
  'Nov 25 10:00:06 web-1 kernel: [ 1237.100000] Killing off stale sessions is not a kernel message but has the anchor word Kill',
];

function noise(n: number, seed: number): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out.push(NOISE[x % NOISE.length]);
  }
  return out;
}

describe('events reader: property and robustness', () => {
  it('has samples', () => assert.ok(ALL.length >= 30));

  it('random truncations of every sample: never throws, well-formed result', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ALL.length - 1 }), fc.nat(), fc.nat(), (i, a, b) => {
        const t = ALL[i];
        const from = a % (t.length + 1);
        const to = from + (b % (t.length - from + 1));
        wellFormed(parseOomEvents(t.slice(from, to)));
      }),
      { numRuns: 300 },
    );
  });

  it('random mutations: replaced, inserted, deleted text; shuffled and duplicated lines', () => {
    const piece = fc.oneof(
      fc.string({ maxLength: 8 }),
      fc.constantFrom(
        '(',
        ')',
        '[',
        ']',
        '{',
        '}',
        '"',
        ':',
        ',',
        '\n',
        '\r',
        '#012',
        '> ',
        '```',
        '<6>',
        ' kB',
        'Killed process ',
        'invoked oom-killer: ',
        'oom-kill:',
        '[ pid ]',
        'OOMKilled',
        'FATAL ERROR:',
        'State:',
        '- name: x',
        '\u0000',
        '\ufffd',
        'é',
      ),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: ALL.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 }), piece), { maxLength: 12 }),
        fc.boolean(),
        (i, edits, shuffle) => {
          let t = ALL[i];
          for (const [at, del, ins] of edits) {
            const p = at % (t.length + 1);
            t = t.slice(0, p) + ins + t.slice(p + del);
          }
          if (shuffle) {
            const lines = t.split('\n');
            for (let k = lines.length - 1; k > 0; k--) {
              const j = (k * 7919) % (k + 1);
              [lines[k], lines[j]] = [lines[j], lines[k]];
            }
            t = lines.concat(lines.slice(0, 5)).join('\n');
          }
          wellFormed(parseOomEvents(t));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random strings and random bytes, fed whole or in random pieces', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: 'binary' }), (s) => wellFormed(parseOomEvents(s))),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat({ max: 2000 }), { maxLength: 6 }), (bytes, cuts) => {
        const buf = Buffer.from(bytes);
        const r = feedInPieces(buf, cuts);
        wellFormed(r);
        assert.deepEqual(r.events, feedInPieces(buf, []).events);
      }),
      { numRuns: 200 },
    );
  });

  it('any sample fed in random byte pieces gives the same result as whole', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ALL.length - 1 }), fc.array(fc.nat(), { maxLength: 10 }), (i, cuts) => {
        const buf = Buffer.from(ALL[i], 'utf8');
        assert.deepEqual(
          feedInPieces(
            buf,
            cuts.map((c) => c % (buf.length + 1)),
          ),
          feedInPieces(buf, []),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('a 10 MB line of "(" returns quickly with a warning', () => {
    const t0 = Date.now();
    const r = parseOomEvents('('.repeat(10 * 1024 * 1024) + '\n[1.0] Out of memory: Killed process 5 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(r.events.length, 1);
    assert.equal(r.events[0].lines.first, 2);
    assert.match(r.warnings[0], /^line 1: line longer than/);
    // Streamed in pieces with no newline for a long time.
    const reader = new OomEventReader();
    const chunk = Buffer.alloc(65536, '(');
    for (let i = 0; i < 160; i++) reader.push(chunk);
    reader.push('\nKilled process 6 (y) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n');
    const s = reader.end();
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0].lines.first, 2);
  });

  it('hostile shapes stay linear: time for 2x input is not wildly more than 2x', () => {
    const shapes: Array<(n: number) => string> = [
      (n) => 'Killed process 1 (' + '('.repeat(n) + ') total-vm:1kB\n',
      (n) => 'Out of memory: Kill process 1 (' + ') score '.repeat(n / 8) + '\n',
      (n) => 'oom-kill:' + ',task='.repeat(n / 6) + ',pid=1,uid=0\n',
      (n) => '[ ' + ' '.repeat(n) + 'x\n',
      (n) => '['.repeat(n) + '\n',
      (n) => '{"a":'.repeat(n / 5) + '\n',
      (n) => '- a:\n  '.repeat(n / 8) + '\n',
      (n) => 'Nov 25 10:00:00 ' + 'h'.repeat(n) + '\n',
      (n) => '[Thu Dec  7 ' + '0'.repeat(n) + '\n',
      (n) => 'Killed process 1 (x) total-vm:1kB, anon-rss:1kB, file-rss:0kB\n'.repeat(n / 60),
      (n) => '[  123] 0 123 1 1 1 1 1 x\n'.repeat(n / 28),
      (n) => '    State: Terminated\n    Reason: OOMKilled\n'.repeat(n / 44),
      (n) => ('java.lang.OutOfMemoryError: ' + 'x'.repeat(20) + '\n').repeat(n / 50),
      (n) => '"' + '\\"'.repeat(n / 2) + '\n',
      (n) => "lowmemorykiller: Killing '" + "'".repeat(n) + '\n',
      (n) => 'Memory cgroup stats for ' + ':'.repeat(n) + '\n',
    ];
    const n = 30000;
    for (const [k, shape] of shapes.entries()) {
      // Several such lines, so each run takes long enough to be measured on a busy machine.
      linear(`shape ${k}`, shape(n).repeat(4), shape(2 * n).repeat(4));
    }
  });

  it('a log with OOM reports and other content: 2x input takes about 2x time', () => {
    const text = noise(3000, 7).join('\n') + '\n' + ALL.join('\n') + '\n';
    linear('mixed log', text, text + text);
  });

  it('skipping ordinary lines of a big log finds exactly what parsing every line finds', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: KERNEL.length - 1 }), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat(),
        (parts, cuts, seed) => {
          const lines = noise(400, seed);
          for (const [i, gap] of parts) lines.push(...KERNEL[i].replace(/\n$/, '').split('\n'), ...noise(gap, seed + gap));
          const buf = Buffer.from(lines.join('\n') + '\n', 'utf8');
          const full = feedInPieces(buf, [], { fastSkip: false });
          const fast = feedInPieces(
            buf,
            cuts.map((c) => c % (buf.length + 1)),
          );
          assert.deepEqual(fast.events, full.events);
          // Not one event per sample: a header-only sample right before a sample that starts at its
          // task table is, fairly, one report.
          assert.ok(full.events.length >= 1);
        },
      ),
      { numRuns: 60 },
    );
  });
});
