// `oom-lens leaks` and `oom-lens run` through the built CLI, with the real tools.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, requireBuiltCli, which, missingDependency } from './helpers';
import { contractExample, missingKeys } from '../unit/helpers/contract';

const PROGRAMS = join(ROOT, 'test', 'fixtures', 'programs');
const C_SOURCE = join(PROGRAMS, 'leak.c');
const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, cwd });

describe('oom-lens leaks / run (the built CLI, real tools)', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-cli-leaks-'));
  const bin = join(dir, 'leak');
  before(function () {
    requireBuiltCli();
    if (!which('gcc')) return;
    const r = spawnSync('gcc', ['-g', '-O0', '-o', bin, C_SOURCE], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('run valgrind -- COMMAND: prints the report path and the top site with its first user frame; --out copies the report', function () {
    if (!which('gcc') || !which('valgrind')) missingDependency(this, 'gcc or valgrind is not installed (apt-get install -y gcc valgrind)');
    const out = join(dir, 'run8.xml');
    const r = cli(['run', 'valgrind', '--out', out, '--', bin, '8'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^report: \/\S+\/memcheck\.xml \(copied to .*run8\.xml\)$/m);
    assert.match(r.stdout, /^ {2}1\. 128 B definitely lost in 8 blocks$/m);
    assert.ok(r.stdout.includes(`      at make_record (${C_SOURCE}:14)`), r.stdout);
    assert.match(r.stderr, /^\$ cd .* && exec valgrind /m, 'the command line is shown on stderr');
    assert.ok(existsSync(out));
    assert.match(readFileSync(out, 'utf8'), /<valgrindoutput>/);
  });

  it('run lsan -- COMMAND: a binary built with -fsanitize=leak, the site at leak.c:14; an unsanitized one gets the build flags', function () {
    if (!which('gcc')) missingDependency(this, 'gcc is not installed (apt-get install -y gcc)');
    const lsan = join(dir, 'leak-lsan');
    const b = spawnSync('gcc', ['-fsanitize=leak', '-g', '-fno-omit-frame-pointer', '-o', lsan, C_SOURCE], { encoding: 'utf8' });
    if (b.status !== 0) missingDependency(this, `gcc -fsanitize=leak failed (apt-get install -y liblsan0): ${b.stderr.trim()}`);
    const r = cli(['run', 'lsan', '--', lsan, '8'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^report: \/\S+\/lsan\.txt$/m);
    assert.match(r.stdout, /^ {2}1\. 128 B definitely lost in 8 objects$/m);
    assert.ok(r.stdout.includes(`      at make_record (${C_SOURCE}:14)`), r.stdout);
    const plain = cli(['run', 'lsan', '--', bin, '1'], dir);
    assert.notEqual(plain.status, 0);
    assert.match(plain.stderr, /is not built with LeakSanitizer or AddressSanitizer \(rebuild it with -fsanitize=leak -g -fno-omit-frame-pointer/);
  });

  it('leaks FILE --json follows the contract (docs/contracts/leak-report.md); two files compare', function () {
    if (!which('gcc') || !which('valgrind')) missingDependency(this, 'gcc or valgrind is not installed (apt-get install -y gcc valgrind)');
    const a = join(dir, 'a.xml');
    const b = join(dir, 'b.xml');
    assert.equal(cli(['run', 'valgrind', '--out', a, '--', bin, '2'], dir).status, 0);
    assert.equal(cli(['run', 'valgrind', '--out', b, '--', bin, '5'], dir).status, 0);
    const r = cli(['leaks', a, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.deepEqual(missingKeys(contractExample('leak-report.md'), rep), []);
    assert.equal(rep.tool, 'valgrind-memcheck');
    assert.equal(rep.sites[0].bytes, 32);
    assert.ok(rep.sites[0].frames.some((f: { file: string; line: number }) => f.file === C_SOURCE && f.line === 14));
    const pair = cli(['leaks', a, b, '--json']);
    assert.equal(pair.status, 0, pair.stderr);
    const g = JSON.parse(pair.stdout);
    assert.deepEqual([g.comparison.fixed, g.comparison.added, g.comparison.grown], [0, 0, 1]);
    assert.equal(g.sites[0].kind, 'growth');
    assert.equal(g.sites[0].bytesDiff, 48);
    const text = cli(['leaks', a, b]);
    assert.match(text.stdout, /fixed: 0, new: 0, grown: 1, shrunk: 0/);
    assert.ok(text.stdout.includes(`^ 32 B -> 80 B definitely lost at make_record (${C_SOURCE}:14)`), text.stdout);
  });

  it('run tracemalloc -- SCRIPT prints the growing line; run node-heap -- SCRIPT prints the allocation site and the constructor growth', function () {
    if (!which('python3')) missingDependency(this, 'python3 is not installed');
    const py = cli(['run', 'tracemalloc', '--', join(PROGRAMS, 'leak.py'), '3000']);
    assert.equal(py.status, 0, py.stderr);
    assert.ok(py.stdout.includes(`at ${join(PROGRAMS, 'leak.py')}:12`), py.stdout);
    const js = cli(['run', 'node-heap', '--top', '3', '--', join(PROGRAMS, 'leak.js'), '20000']);
    assert.equal(js.status, 0, js.stderr);
    assert.match(js.stdout, /^report: \S+\/heap\.heapprofile$/m);
    assert.match(js.stdout, /LeakyRecord: \+[\d.]+ KiB grew \(now [\d.]+ KiB in 20,000 objects\) \(\+20,000 objects\)/);
  });

  it('usage errors exit 2, failures exit 1 with one line', () => {
    for (const args of [
      ['run'],
      ['run', 'nope', '--', 'x'],
      ['run', 'valgrind'],
      ['run', 'valgrind', '--pid', '12'],
      ['run', 'heaptrack', '--pid', 'x'],
      ['leaks'],
      ['leaks', 'a', 'b', 'c'],
      ['diagnose', '--pid', '3'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^oom-lens: .+\n$/);
    }
    const missing = cli(['leaks', join(dir, 'no-such-file.xml')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^oom-lens: no such file: .*no-such-file\.xml\n$/);
    const notLeak = cli(['leaks', join(ROOT, 'package.json')]);
    assert.equal(notLeak.status, 1);
    assert.match(notLeak.stderr, /^oom-lens: package\.json|^oom-lens: .*package\.json: not a recognized leak report/);
  });
});
