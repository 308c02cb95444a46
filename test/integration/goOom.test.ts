// A real Go program (test/fixtures/programs/oom.go, built with the Go toolchain from Debian's
// golang-go) that runs out of memory under `ulimit -v`: its real stderr is read by the same entry
// point as any log, and its heap profile through `go tool pprof -top` as a leak report.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOomEvents } from '../../src/core/parse/kernelLog';
import type { GoRuntimeOom } from '../../src/core/model/oomEvent';
import { parseLeakReport } from '../../src/core/parse/leaks';
import { ROOT, which, missingDependency } from './helpers';

const SOURCE = join(ROOT, 'test', 'fixtures', 'programs', 'oom.go');
/** oom.go's make() line: the allocation that fails. */
const LEAK_LINE = 18;
// Go 1.19 reserves about 700 MB of address space at start (page summaries, arenas): under
// `ulimit -v 300000` it dies with "failed to reserve page summary memory" before main runs. 900 MB
// lets it start and then fail while growing its heap, which is the OOM the test is about.
const ULIMIT_KB = 900000;

describe('Go runtime OOM and pprof, for real (Debian golang-go)', function () {
  this.timeout(180000);
  let dir = '';
  let bin = '';
  const env = () => ({ ...process.env, GOCACHE: join(dir, 'cache'), GOPATH: join(dir, 'gopath'), GO111MODULE: 'off', GOFLAGS: '' });

  before(function () {
    if (!which('go')) missingDependency(this, 'a Go toolchain is not installed (apt-get install -y golang-go)');
    dir = mkdtempSync(join(tmpdir(), 'oom-lens-go-'));
    bin = join(dir, 'oom');
    const r = spawnSync('go', ['build', '-o', bin, SOURCE], { encoding: 'utf8', env: env() });
    assert.equal(r.status, 0, `go build failed: ${r.stderr}`);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`under ulimit -v ${ULIMIT_KB}: its stderr is one Go runtime event with the sizes and main.leak at oom.go:${LEAK_LINE}`, () => {
    const r = spawnSync('sh', ['-c', `ulimit -v ${ULIMIT_KB} && exec "$0"`, bin], { encoding: 'utf8', env: env(), timeout: 120000 });
    assert.equal(r.status, 2, `the Go runtime exits 2 on a fatal error; got ${r.status} ${r.signal}: ${r.stderr.slice(0, 500)}`);
    const evs = parseOomEvents(r.stderr, { kind: 'stdin' }).events;
    assert.equal(evs.length, 1, r.stderr.slice(0, 2000));
    assert.equal(evs[0].kind, 'runtime');
    const rt = evs[0].runtime as GoRuntimeOom;
    assert.equal(rt.name, 'go');
    assert.match(rt.message, /out of memory/);
    assert.equal(rt.pid, null, 'Go prints no pid');
    assert.deepEqual(rt.frame, { function: 'main.leak', file: SOURCE, line: LEAK_LINE });
    // "cannot allocate N-byte block (M in use)": the heap grows in 4 MiB steps and cannot be past the limit
    assert.ok(rt.allocBytes !== null && rt.allocBytes > 0, String(rt.allocBytes));
    assert.ok(rt.inUseBytes !== null && rt.inUseBytes > 16 * 1048576 && rt.inUseBytes < ULIMIT_KB * 1024, String(rt.inUseBytes));
    assert.equal(rt.heapMb, Math.round((rt.inUseBytes / 1048576) * 10) / 10);
    // the event spans the whole goroutine dump
    assert.equal(evs[0].lines.last, r.stderr.trimEnd().split('\n').length);
  });

  it('its heap profile through go tool pprof -top: main.leak is the top site (and -lines gives oom.go:18)', () => {
    const profile = join(dir, 'heap.pprof');
    const run = spawnSync(bin, [profile], { encoding: 'utf8', env: env() });
    assert.equal(run.status, 0, run.stderr);
    const top = spawnSync('go', ['tool', 'pprof', '-top', '-sample_index=inuse_space', bin, profile], { encoding: 'utf8', env: env() });
    assert.equal(top.status, 0, top.stderr);
    const r = parseLeakReport(top.stdout);
    assert.equal(r.tool, 'go-pprof', top.stdout.slice(0, 500));
    assert.equal(r.sites[0].frames[0].function, 'main.leak', top.stdout);
    // 64 MiB kept; the profile samples (every 512 KiB on average) and scales back: about 64 MiB
    assert.ok(r.sites[0].bytes > 32 * 1048576 && r.sites[0].bytes < 128 * 1048576, String(r.sites[0].bytes));
    const lines = spawnSync('go', ['tool', 'pprof', '-top', '-lines', '-sample_index=inuse_space', bin, profile], { encoding: 'utf8', env: env() });
    assert.equal(lines.status, 0, lines.stderr);
    const rl = parseLeakReport(lines.stdout);
    assert.deepEqual([rl.sites[0].frames[0].function, rl.sites[0].frames[0].file, rl.sites[0].frames[0].line], ['main.leak', SOURCE, LEAK_LINE], lines.stdout);
  });
});
