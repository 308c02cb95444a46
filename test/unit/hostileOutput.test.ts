// Hostile output: a command that never stops printing, one endless line, endless pids, control
// characters in names. Each is bounded or made visible, never trusted.
import { strict as assert } from 'node:assert';
import { localExec } from '../../src/core/host/localExec';
import { OutputLimitError } from '../../src/core/host/host';
import { FrameParser } from '../../src/core/parse/sampleFrames';
import { FRAME } from '../../src/core/parse/frame';
import { terminalSafe, terminalSafeLine } from '../../src/core/util/terminalText';
import { table } from '../../src/core/report/table';
import { maxOf, minOf } from '../../src/core/model/numbers';
import { renderMarkdown } from '../../src/core/report/markdown';
import { quietReport } from '../fixtures/analyze/reports';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLeakReportFile } from '../../src/core/collect/leakFile';

describe('hostile output is bounded', function () {
  this.timeout(30_000);
  it('a command printing past the cap is stopped with an error naming the host and the cap', async () => {
    const t = Date.now();
    const e = await localExec('yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', { maxOutputBytes: 2 ** 20, hostName: 'web-1' }).then(
      () => null,
      (x: unknown) => x,
    );
    assert.ok(e instanceof OutputLimitError, String(e));
    assert.equal((e as Error).message, "a command on web-1 printed more than 1 MiB: stopped (the cap on one command's output)");
    assert.match((e as OutputLimitError).hint!, /OOM_LENS_MAX_OUTPUT_MIB/);
    assert.ok(Date.now() - t < 10_000, 'stopped, not run to the end');
  });
  it('streamed output (onStdout + discardStdout) is not capped: its consumer bounds it', async () => {
    let n = 0;
    const r = await localExec('head -c 3000000 /dev/zero', { maxOutputBytes: 2 ** 20, discardStdout: true, onStdout: (c) => (n += c.length) });
    assert.equal(r.code, 0);
    assert.equal(n, 3_000_000);
    assert.equal(r.stdout, '');
  });
  it('stderr keeps its first MiB and the command still succeeds', async () => {
    const r = await localExec('head -c 5000000 /dev/zero | tr "\\0" e >&2; echo ok');
    assert.equal(r.stdout, 'ok\n');
    assert.ok(r.stderr.length >= 2 ** 20 && r.stderr.length < 2 * 2 ** 20, `${r.stderr.length}`);
  });
  it('the sample parser drops an endless line and pids past its cap, and keeps parsing after', () => {
    const frames: number[] = [];
    const p = new FrameParser((f) => frames.push(f.procs.size));
    p.push(`${FRAME} frame 1 1000\n`);
    for (let i = 0; i < 100; i++) p.push('x'.repeat(10_000)); // 1 MB of one line, in pieces
    p.push('\n');
    p.push(`1/status:Name:\tinit\n${FRAME} done\n`);
    assert.deepEqual(frames, [1], 'the frame after the endless line still parses');
    assert.equal(p.dropped, 1);
    // A frame naming 150,000 pids keeps 100,000.
    p.push(`${FRAME} frame 2 2000\n`);
    let chunk = '';
    for (let pid = 1; pid <= 150_000; pid++) chunk += `${pid}/status:Name:\tp\n`;
    p.push(chunk);
    p.push(`${FRAME} done\n`);
    assert.deepEqual(frames, [1, 100_000]);
    assert.equal(p.dropped, 1 + 50_000);
  });
});

describe('no spread of unbounded arrays into calls', () => {
  it('a 200,000-row table renders (Math.max(...rows) overflowed the stack at ~125k)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'victim', `${i} kB`]);
    const t = table(['PID', 'NAME', 'RSS'], rows, [true, false, true]);
    assert.equal(t.split('\n').length, 200_001);
    assert.match(t.split('\n')[200_000], /^199999 {2}victim {2}199999 kB$/);
  });
  it('maxOf / minOf over 1,000,000 values; empty gives the given default; NaN is skipped', () => {
    const xs = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 1_000_003);
    assert.equal(
      maxOf(xs),
      xs.reduce((a, b) => (b > a ? b : a)),
    );
    assert.equal(minOf(xs), 0);
    assert.equal(maxOf([], 0), 0);
    assert.equal(maxOf([NaN, 3, NaN, 5]), 5);
    assert.equal(minOf(new Float64Array([4, 2, 9])), 2);
  });
});

describe('huge inputs refuse clearly instead of taking the process down', () => {
  it('a 450 MB file that starts like a .heapsnapshot and then is not one: a clear warning at the first bad byte, nothing more read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-big-'));
    try {
      const f = join(dir, 'big.heapsnapshot');
      const fd = openSync(f, 'w');
      writeSync(
        fd,
        '{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],"node_types":[[]]},"node_count":1},"nodes":[',
      );
      ftruncateSync(fd, 450 * 2 ** 20); // sparse: the size is real, the rest is NUL bytes
      closeSync(fd);
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const r = await parseLeakReportFile(f);
      assert.equal(r.tool, 'node-heap-snapshot');
      assert.deepEqual(r.sites, []);
      assert.match(r.warnings.join(' '), /invalid heap snapshot \(unexpected "\\u0000"\): truncated file\?/);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms: the rest was read`);
      assert.ok(process.memoryUsage().rss - before < 64 * 2 ** 20, 'nothing of it was kept');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Markdown reports keep host text as text', () => {
  it('a finding detail that looks like a heading, an entity, a link or an escape renders as the same text', () => {
    const r = quietReport();
    r.findings = [
      {
        id: 'x',
        key: 'x',
        severity: 'warning',
        title: 'evil [link](http://x) | cell',
        detail: '# not a heading &lt;script&gt; \\| still one cell **not bold**',
        pids: [],
        evidence: {},
        remedies: [],
      },
    ];
    const md = renderMarkdown(r);
    assert.ok(md.includes('### WARNING: evil \\[link\\](http://x) \\| cell (`x`)'), md);
    assert.ok(md.includes('\n\\# not a heading &amp;lt;script&amp;gt; \\\\\\| still one cell \\*\\*not bold\\*\\*\n'), md);
  });
});

describe('control characters reach no terminal', () => {
  it('C0, DEL and C1 become \\xNN; newlines and tabs stay (one-line fields escape them too)', () => {
    assert.equal(terminalSafe('evil\x1b]0;pwned\x07 name\x9b2J\x7f'), 'evil\\x1b]0;pwned\\x07 name\\x9b2J\\x7f');
    assert.equal(terminalSafe('a\tb\nc'), 'a\tb\nc');
    assert.equal(terminalSafeLine('Password:\r\n\x1b[2K'), 'Password:\\x0d\\n\\x1b[2K');
    assert.equal(terminalSafe('plain ünïcødé ✓'), 'plain ünïcødé ✓');
  });
});
