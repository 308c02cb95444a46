import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createAnchorScanner, INBOX_BYTES, ANCHOR_WORDS, type AnchorScanner } from '../../src/core/parse/kernelLog/anchorScanner';
import { INTEREST, WINDOW_BEFORE, WINDOW_AFTER } from '../../src/core/parse/kernelLog/reader';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import { readOomEventsFromFile } from '../../src/core/collect/logFile';
import { samples } from './helpers/corpusEvents';

const ROOT = join(__dirname, '..', '..');

/** Bytes drawn mostly from the anchor words' letters, newlines and a multi-byte character. */
const bytesArb = fc
  .array(fc.constantFrom('o', 'm', 'e', 'r', 'K', 'i', 'l', 'oom', 'emor', 'Kill', '\n', 'x', ' ', 'é', 'OOM'), { maxLength: 400 })
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

function allAnchors(s: AnchorScanner, data: Buffer): number[] {
  const out: number[] = [];
  for (let p = 0; ;) {
    const a = s.nextAnchor(data, p);
    if (a < 0) return out;
    out.push(a);
    p = a + 1;
  }
}

describe('anchor scanner (WebAssembly SIMD against Buffer.indexOf)', () => {
  it('this runtime runs the WebAssembly scanner (a broken module would silently fall back)', () => {
    assert.equal(createAnchorScanner('auto').kind, 'wasm');
    assert.equal(createAnchorScanner('indexof').kind, 'indexof');
  });

  it('anchorScanWasm.ts is what anchorScan.wat compiles to', function () {
    this.timeout(30000);
    execFileSync(process.execPath, ['scripts/gen-wasm.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' });
  });

  it('finds the same anchors and counts the same lines, in copied buffers and in its inbox with stale bytes after the data', () => {
    const wasm = createAnchorScanner('auto');
    const ref = createAnchorScanner('indexof');
    fc.assert(
      fc.property(bytesArb, fc.nat(), fc.nat(), (data, a, b) => {
        const from = a % (data.length + 1);
        const to = from + (b % (data.length - from + 1));
        // A buffer the scanner copies.
        wasm.forget();
        ref.forget();
        assert.deepEqual(allAnchors(wasm, data), allAnchors(ref, data));
        assert.equal(wasm.countNewlines(data, from, to), ref.countNewlines(data, from, to));
        // The same bytes read into the inbox, after a longer piece full of anchor words.
        const inbox = wasm.inbox()!;
        inbox.fill('oomKillemor');
        wasm.forget();
        ref.forget();
        const view = inbox.subarray(0, data.length);
        data.copy(view);
        assert.deepEqual(allAnchors(wasm, view), allAnchors(ref, data));
        assert.equal(wasm.countNewlines(view, from, to), ref.countNewlines(data, from, to));
      }),
      { numRuns: 500 },
    );
  });

  it('finds anchors across a whole 1 MiB piece, the last bytes included', () => {
    const wasm = createAnchorScanner('auto');
    const data = Buffer.alloc(1 << 20, 'a');
    for (const at of [0, 15, 20, 31, 40, 4095, 65533, 65540, (1 << 20) - 8]) data.write('Kill', at);
    data.write('oom', (1 << 20) - 3);
    assert.deepEqual(allAnchors(wasm, data), [0, 15, 20, 31, 40, 4095, 65533, 65540, (1 << 20) - 8, (1 << 20) - 3]);
    assert.equal(INBOX_BYTES, 64 * 1024);
  });
});

describe('kernel-log file reader (inbox reads, look-back across pieces)', () => {
  const KERNEL = samples('kernel-oom').map((s) => s.text.replace(/\n$/, ''));
  const NOISE = [
    'Nov 25 10:00:01 web-1 kernel: [ 1234.567890] IPv6: ADDRCONF(NETDEV_CHANGE): eth0: link becomes ready',
    'Nov 25 10:00:05 web-1 kernel: [ 1236.100000] EDAC MC0: 1 CE memory read error on CPU_SrcID#0_Ha#0 (channel:0 slot:0)',
    'Nov 25 10:00:06 web-1 kernel: [ 1237.100000] zoom room: Killing off stale sessions, the memory of it, OOM mode',
    'Nov 25 10:00:07 web-1 kernel: [ 1237.200000] Freeing unused kernel image (initmem) memory: 2740K',
    'Nov 25 10:00:08 web-1 kernel: [ 1237.300000] x86/mm: Memory block size: 128MB',
  ];
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'oom-lens-reader-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reading a file finds exactly what parsing every line finds, with either scanner', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: KERNEL.length - 1 }), fc.integer({ min: 0, max: 1500 })), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        async (parts, seed) => {
          const lines: string[] = [];
          let x = seed;
          const noise = (n: number) => {
            for (let i = 0; i < n; i++) {
              x = (x * 1103515245 + 12345) & 0x7fffffff;
              lines.push(NOISE[x % NOISE.length]);
            }
          };
          noise(300);
          for (const [i, gap] of parts) {
            lines.push(...KERNEL[i].split('\n'));
            noise(gap);
          }
          const text = lines.join('\n') + '\n';
          const file = join(dir, `log-${run++}.log`);
          writeFileSync(file, text);
          const full = parseOomEvents(text, { kind: 'file', path: file }, { fastSkip: false });
          assert.ok(full.events.length >= 1); // back-to-back partial samples may fairly be one report
          for (const scan of ['auto', 'indexof'] as const) {
            const got = await readOomEventsFromFile(file, { kind: 'file', path: file }, { scan });
            assert.deepEqual(got.events, full.events, scan);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe("the reader's window around an anchor word", () => {
  it('holds every INTEREST phrase that contains an anchor word, wherever the word is in it', () => {
    let checked = 0;
    for (const alt of INTEREST.source.split('|')) {
      if (/[{}\\]/.test(alt)) continue; // the task-table header: found by full parsing, not by an anchor
      // [Xx] classes: try each letter.
      const variants = alt.split(/(\[[A-Za-z]+\])/).reduce<string[]>(
        (acc, part) => {
          const opts = /^\[([A-Za-z]+)\]$/.exec(part)?.[1].split('') ?? [part];
          return acc.flatMap((a) => opts.map((o) => a + o));
        },
        [''],
      );
      for (const phrase of variants) {
        for (const w of ANCHOR_WORDS) {
          for (let i = phrase.indexOf(w); i >= 0; i = phrase.indexOf(w, i + 1)) {
            assert.ok(
              i <= WINDOW_BEFORE && phrase.length - i <= WINDOW_AFTER,
              `"${phrase}" does not fit a window of -${WINDOW_BEFORE}/+${WINDOW_AFTER} around "${w}" at ${i}`,
            );
            checked++;
          }
        }
      }
    }
    assert.ok(checked >= 20, `checked ${checked} phrase/anchor pairs`);
  });
});
