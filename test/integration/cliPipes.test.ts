// The CLI reads what users pipe to it, and never loses a report it replaces: events and leaks
// from standard input (gzip too), a FIFO and bash's <(…); `kill -9` during `--out` keeps the
// previous report whole.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CLI, ROOT, requireBuiltCli } from './helpers';

const KERN = join(ROOT, 'test', 'fixtures', 'corpus', 'kernel-oom', '001-centos6-syslog-uid-before-name.txt');
const LEAK = join(ROOT, 'test', 'fixtures', 'leaks', 'memcheck-cxx-templates.txt');

function cli(args: string[], input?: Buffer | string) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', timeout: 60_000 });
}

/** `oom-lens COMMAND FIFO --json` while another process writes FILE into the FIFO (a named pipe, not a file). */
function viaFifo(fifo: string, file: string, command: string) {
  spawnSync('mkfifo', [fifo]);
  const q = JSON.stringify;
  return spawnSync('sh', ['-c', `cat ${q(file)} > ${q(fifo)} & ${q(process.execPath)} ${q(CLI)} ${command} ${q(fifo)} --json; wait`], {
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('CLI: pipes, FIFOs, stdin and atomic --out', function () {
  this.timeout(120_000);
  let dir = '';
  before(() => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'oomlens-pipes-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const victims = (json: string) =>
    (JSON.parse(json) as { events: { victim: { comm: string; pid: number } | null }[] }).events.map((e) => `${e.victim?.comm}/${e.victim?.pid}`);
  const expected = () => victims(cli(['events', KERN, '--json']).stdout);

  it('events - reads stdin, plain and gzip (no "No OOM events" for a .gz piped in)', () => {
    const want = expected();
    assert.ok(want.includes('mysqld/40738'), want.join());
    assert.deepEqual(victims(cli(['events', '-', '--json'], readFileSync(KERN)).stdout), want);
    const gz = cli(['events', '-', '--json'], gzipSync(readFileSync(KERN)));
    assert.equal(gz.status, 0, gz.stderr);
    assert.deepEqual(victims(gz.stdout), want);
  });

  it('events <(…) and a FIFO: read as streams (no ESPIPE)', () => {
    const want = expected();
    const bash = spawnSync('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} events <(cat ${JSON.stringify(KERN)}) --json`], {
      encoding: 'utf8',
    });
    assert.equal(bash.status, 0, bash.stderr);
    assert.deepEqual(victims(bash.stdout), want);
    const r = viaFifo(join(dir, 'kern.fifo'), KERN, 'events');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(victims(r.stdout), want);
  });

  it('leaks - and leaks FIFO read the report (gzip too); comparing needs two files', () => {
    const want = JSON.parse(cli(['leaks', LEAK, '--json']).stdout) as { tool: string; sites: unknown[] };
    assert.equal(want.tool, 'valgrind-memcheck');
    for (const input of [readFileSync(LEAK), gzipSync(readFileSync(LEAK))]) {
      const r = cli(['leaks', '-', '--json'], input);
      assert.equal(r.status, 0, r.stderr);
      const got = JSON.parse(r.stdout) as typeof want;
      assert.deepEqual([got.tool, got.sites.length], [want.tool, want.sites.length]);
    }
    const f = viaFifo(join(dir, 'leak.fifo'), LEAK, 'leaks');
    assert.equal(f.status, 0, f.stderr);
    assert.equal((JSON.parse(f.stdout) as typeof want).sites.length, want.sites.length);
    const pair = cli(['leaks', '-', LEAK], readFileSync(LEAK));
    assert.equal(pair.status, 2);
    assert.match(pair.stderr, /comparing needs two files/);
  });

  it('kill -9 during --out leaves the previous report whole (5 of 5), and a finished run replaces it', async () => {
    const out = join(dir, 'report.json');
    writeFileSync(out, JSON.stringify({ previous: true }));
    for (let i = 0; i < 5; i++) {
      const c = spawn(process.execPath, [CLI, 'diagnose', '--json', '--out', out], { stdio: 'ignore' });
      const closed = new Promise((r) => c.on('close', r));
      // Kill at a different point each time: while loading, collecting, rendering, writing (a run takes ~0.3 s).
      await new Promise((r) => setTimeout(r, 60 + i * 45));
      c.kill('SIGKILL');
      await closed;
      const text = readFileSync(out, 'utf8');
      const j = JSON.parse(text) as { previous?: boolean; version?: number };
      assert.ok(j.previous === true || typeof j.version === 'number', `round ${i}: ${text.slice(0, 80)}`);
    }
    // No temp files left behind by the killed runs... except a killed run's own temp, which is named after it and never read.
    const done = cli(['diagnose', '--json', '--out', out]);
    assert.equal(done.status, 0, done.stderr);
    assert.equal(typeof (JSON.parse(readFileSync(out, 'utf8')) as { version: number }).version, 'number');
    assert.ok(existsSync(out));
    assert.ok(readdirSync(dir).every((f) => !f.startsWith('.report.json.') || !f.endsWith(`${done.pid}.tmp`)));
  });
});
