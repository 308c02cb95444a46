// Leak-tool runners without running tools: argv building (quoting, settings -> flags), runtime
// detection from a command line, path mapping, and the runner's host protocol against a fake Host.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  commandLine,
  quoteArgv,
  valgrindArgv,
  heaptrackArgv,
  heaptrackAttachArgv,
  heaptrackPrintArgv,
  heaptrackStopArgv,
  tracemallocArgv,
  nodeHeapArgv,
  javaHistogramCommand,
  showLeakKinds,
  checkExtraArgs,
  checkPid,
  splitCommandLine,
  ToolArgError,
  missingToolsCommand,
  DEFAULT_TOOL_SETTINGS,
} from '../../src/core/tools';
import { TRACEMALLOC_BOOTSTRAP } from '../../src/core/tools/scripts';
import { detectRuntime, toolsForRuntime, installHint, toolExecutables } from '../../src/core/tools/runtime';
import { candidatePaths, mapPath, expandVars } from '../../src/core/tools/pathMap';
import { runLeakTool, ToolMissingError } from '../../src/core/tools/runner';
import { siteSummary, renderLeakText } from '../../src/core/tools/render';
import { formatBytes } from '../../src/core/format';
import { parseCli } from '../../src/cli/args';
import { runRequest } from '../../src/cli/commands/run';
import { FakeHost } from './fakeHost';
import type { LeakSite } from '../../src/core/model/leakReport';

/** Runs `sh -c` on a word list and returns what sh saw: the real test of quoting. */
function shWords(cmd: string): string[] {
  const r = spawnSync('sh', ['-c', `for w in ${cmd}; do :; done; set -- ${cmd}; for w in "$@"; do printf '%s\\0' "$w"; done`], { encoding: 'utf8' });
  return r.stdout.split('\0').slice(0, -1);
}

const S = DEFAULT_TOOL_SETTINGS;

describe('leak tools: argv building', () => {
  it('valgrind: full leak check, XML file, leak kinds from the setting, extra flags, then the program and its args', () => {
    assert.deepEqual(valgrindArgv({ program: '/p/a.out', args: ['-n', '3'] }, '/w/memcheck.xml', S), [
      'valgrind',
      '--tool=memcheck',
      '--leak-check=full',
      '--show-leak-kinds=definite,indirect,possible',
      '--child-silent-after-fork=yes',
      '--xml=yes',
      '--xml-file=/w/memcheck.xml',
      '/p/a.out',
      '-n',
      '3',
    ]);
    const a = valgrindArgv({ program: 'x' }, '/w/m.xml', {
      valgrindShowLeakKinds: ' Definite , reachable,definite',
      valgrindExtraArgs: ['--num-callers=40', '--track-origins=yes'],
    });
    assert.ok(a.includes('--show-leak-kinds=definite,reachable'));
    assert.deepEqual(a.slice(-3), ['--num-callers=40', '--track-origins=yes', 'x']);
    assert.equal(showLeakKinds('ALL'), 'all');
    for (const bad of ['', 'definitely', 'all,bogus', ',']) assert.throws(() => showLeakKinds(bad), ToolArgError, bad);
    for (const bad of [['x'], ['--xml-file=/tmp/y'], ['--log-file=z'], ['--tool=massif']])
      assert.throws(() => checkExtraArgs(bad, 's'), ToolArgError, bad.join());
  });

  it('quotes every word: paths with spaces, quotes, $, ;, backticks, newlines reach the program unchanged', () => {
    const nasty = ["/tmp/my dir/it's $(rm -rf x); `id`\n\t*", '--flag=a b', '', '-', "'", '"'];
    const argv = valgrindArgv({ program: nasty[0], args: nasty.slice(1) }, '/w d/m.xml', S);
    assert.deepEqual(shWords(quoteArgv(argv)), argv);
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ unit: 'binary' }).map((s) => s.replace(/\0/g, '')),
          { maxLength: 6 },
        ),
        (words) => {
          assert.deepEqual(shWords(quoteArgv(words)), words);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('commandLine: cd to the cwd, exec, env assignments quoted, names checked', () => {
    assert.equal(
      commandLine(['node', 'a b.js'], { cwd: '/srv/my app', env: { A: 'x y', B_2: "it's" } }),
      `cd '/srv/my app' && exec env 'A=x y' 'B_2=it'\\''s' node 'a b.js'`,
    );
    assert.equal(commandLine(['ls']), 'exec ls');
    assert.throws(() => commandLine(['x'], { env: { 'A;rm': '1' } }), ToolArgError);
  });

  it('heaptrack: -o before the program (and before -p for attach); heaptrack_print shows leaks and peaks; the stop uses gdb on an integer pid', () => {
    assert.deepEqual(heaptrackArgv({ program: 'a', args: ['1'] }, '/w/heaptrack'), ['heaptrack', '-o', '/w/heaptrack', 'a', '1']);
    assert.deepEqual(heaptrackAttachArgv(1234, '/w/h'), ['heaptrack', '-o', '/w/h', '-p', '1234']);
    assert.deepEqual(heaptrackPrintArgv('/w/h.zst'), [
      'heaptrack_print',
      '-f',
      '/w/h.zst',
      '--print-leaks=1',
      '--print-peaks=1',
      '--print-allocators=0',
      '--print-temporary=0',
    ]);
    assert.ok(heaptrackStopArgv(99).includes('--eval-command=call (void) heaptrack_stop()'));
    for (const bad of [0, 1, -5, 1.5, NaN, 2 ** 40, '12' as unknown as number]) assert.throws(() => checkPid(bad), ToolArgError, String(bad));
    assert.throws(() => heaptrackAttachArgv('1; rm -rf /' as unknown as number, '/w'), ToolArgError);
    assert.equal(javaHistogramCommand(42), 'if command -v jcmd >/dev/null 2>&1; then jcmd 42 GC.class_histogram; else jmap -histo:live 42; fi');
  });

  it('tracemalloc: python -c BOOTSTRAP OUT INTERVAL FRAMES TOP SCRIPT ARGS (frames and interval from the settings)', () => {
    const a = tracemallocArgv({ program: 'app.py', args: ['--port', '80'] }, '/w/t.txt', { tracemallocFrames: 40, intervalSeconds: 5 }, 'python3.11');
    assert.deepEqual([a[0], a[1], ...a.slice(3)], ['python3.11', '-c', '/w/t.txt', '5', '40', '50', 'app.py', '--port', '80']);
    assert.equal(a[2], TRACEMALLOC_BOOTSTRAP);
    assert.match(a[2], /tracemalloc\.start\(_frames\)/);
    assert.throws(() => tracemallocArgv({ program: 'a.py' }, '/o', { tracemallocFrames: 0, intervalSeconds: 5 }), ToolArgError);
    assert.throws(() => tracemallocArgv({ program: 'a.py' }, '/o', { tracemallocFrames: 25, intervalSeconds: -1 }), ToolArgError);
    assert.throws(() => tracemallocArgv({ program: ' ' }, '/o', S), /no program/);
  });

  it('node: --heap-prof into the work dir with the sampling interval from the settings, the snapshot preload with --require', () => {
    assert.deepEqual(nodeHeapArgv({ program: 's.js', args: ['1'] }, '/w', { nodeSamplingIntervalBytes: 4096 }, '/w/pre.js'), [
      'node',
      '--heap-prof',
      '--heap-prof-dir=/w',
      '--heap-prof-name=heap.heapprofile',
      '--heap-prof-interval=4096',
      '--require',
      '/w/pre.js',
      's.js',
      '1',
    ]);
    assert.ok(!nodeHeapArgv({ program: 's.js' }, '/w', S, null).includes('--require'));
  });

  it('missing tools: one `command -v` per name, names quoted', () => {
    assert.equal(
      missingToolsCommand(['valgrind', "we'ird"]),
      `command -v valgrind >/dev/null 2>&1 || echo missing:valgrind; command -v 'we'\\''ird' >/dev/null 2>&1 || echo 'missing:we'\\''ird'`,
    );
    assert.deepEqual(toolExecutables('heaptrack', 'attach'), ['heaptrack', 'heaptrack_print', 'gdb']);
    assert.equal(installHint('valgrind', 'apt'), 'sudo apt-get install -y valgrind');
    assert.equal(installHint('heaptrack_print', 'dnf'), 'sudo dnf install -y heaptrack');
    assert.equal(installHint('node', null), 'sudo apt-get install -y nodejs');
    assert.match(installHint('jcmd', 'apk'), /^sudo apk add openjdk17 \(a JDK/);
  });

  it('splitCommandLine reads arguments like sh (quotes, escapes), and refuses unclosed quotes', () => {
    assert.deepEqual(splitCommandLine(`a  'b c' "d \\"e\\"" f\\ g '' x"y"z`), ['a', 'b c', 'd "e"', 'f g', '', 'xyz']);
    assert.deepEqual(splitCommandLine('   '), []);
    assert.throws(() => splitCommandLine(`'open`), ToolArgError);
    assert.throws(() => splitCommandLine(`"open`), ToolArgError);
    fc.assert(
      fc.property(
        fc.array(
          fc.string().map((s) => s.replace(/\0/g, '')),
          { maxLength: 5 },
        ),
        (words) => {
          assert.deepEqual(splitCommandLine(quoteArgv(words)), words);
        },
      ),
    );
  });
});

describe('leak tools: runtime detection from a process', () => {
  const cases: Array<[Parameters<typeof detectRuntime>[0], string]> = [
    [{ comm: 'python3', cmdline: '/usr/bin/python3 app.py' }, 'python'],
    [{ comm: 'python3.11', cmdline: null }, 'python'],
    [{ comm: 'gunicorn', cmdline: '/srv/venv/bin/python3.11 /srv/venv/bin/gunicorn app:app' }, 'python'],
    [{ comm: 'uwsgi', cmdline: 'uwsgi --ini x.ini' }, 'python'],
    [{ comm: 'node', cmdline: 'node server.js' }, 'node'],
    [{ comm: 'MainThread', cmdline: '/home/u/.nvm/versions/node/v20.1.0/bin/node /app/index.js' }, 'node'],
    [{ comm: 'npm start', cmdline: 'npm start' }, 'node'],
    [{ comm: 'java', cmdline: '/usr/lib/jvm/java-17/bin/java -Xmx2g -jar app.jar' }, 'java'],
    [{ comm: 'main', cmdline: '/usr/bin/java\0-cp\0x\0Main' }, 'java'],
    [{ exe: '/usr/bin/python3.12', comm: 'myworker', cmdline: 'myworker' }, 'python'],
    [{ comm: 'env', cmdline: '/usr/bin/env python3 tool.py' }, 'python'],
    [{ comm: 'nginx', cmdline: 'nginx: worker process' }, 'native'],
    [{ comm: 'postgres', cmdline: '/usr/lib/postgresql/15/bin/postgres -D /var/lib' }, 'native'],
    [{ comm: 'pythonista-native', cmdline: './pythonista-native' }, 'native'],
    [{ comm: 'nodejs-exporter', cmdline: '/bin/nodejs-exporter' }, 'native'],
    [{ comm: '', cmdline: '' }, 'native'],
  ];
  for (const [p, want] of cases) {
    it(`${JSON.stringify(p)} -> ${want}`, () => assert.equal(detectRuntime(p), want));
  }
  it('offers the tools that fit each runtime, attach first where attaching works', () => {
    assert.deepEqual(
      toolsForRuntime('native').map((c) => `${c.tool}/${c.mode}`),
      ['heaptrack/attach', 'valgrind/restart'],
    );
    assert.deepEqual(
      toolsForRuntime('python').map((c) => `${c.tool}/${c.mode}`),
      ['tracemalloc/restart', 'heaptrack/attach'],
    );
    assert.deepEqual(
      toolsForRuntime('node').map((c) => `${c.tool}/${c.mode}`),
      ['node-heap/attach', 'node-heap/restart'],
    );
    assert.deepEqual(
      toolsForRuntime('java').map((c) => `${c.tool}/${c.mode}`),
      ['java-histogram/attach'],
    );
  });
});

describe('leak tools: path mapping (remote paths -> workspace files)', () => {
  const ws = {
    workspaceFolders: [
      { name: 'app', path: '/home/me/app' },
      { name: 'lib', path: '/home/me/lib' },
    ],
    home: '/home/me',
  };
  it('maps by the longest matching prefix, with ${workspaceFolder[:name]} and ${userHome}', () => {
    const m = { '/srv': '/nowhere', '/srv/app': '${workspaceFolder}', '/opt/lib/': '${workspaceFolder:lib}/src', '/u': '${userHome}/x' };
    assert.equal(candidatePaths('/srv/app/src/leak.c', m, ws)[0], '/home/me/app/src/leak.c');
    assert.equal(candidatePaths('/srv/other.c', m, ws)[0], '/nowhere/other.c');
    assert.equal(candidatePaths('/opt/lib/a/b.c', m, ws)[0], '/home/me/lib/src/a/b.c');
    assert.equal(candidatePaths('/u/k.py', m, ws)[0], '/home/me/x/k.py');
    // a prefix matches whole path components only
    assert.equal(candidatePaths('/srv/application/x.c', { '/srv/app': '/L' }, ws)[0], '/srv/application/x.c');
    assert.equal(expandVars('${workspaceFolder:nope}/x', ws), null);
  });
  it('uses the path itself when it exists (local runs, Remote-SSH windows), else the longest tail that exists in a workspace folder', () => {
    const files = new Set(['/home/me/app/src/leak.c', '/build/x/y.c', '/home/me/app/leak.py']);
    const exists = (p: string) => files.has(p);
    assert.equal(mapPath('/build/x/y.c', {}, ws, exists), '/build/x/y.c');
    assert.equal(mapPath('/ci/runner/work/app/src/leak.c', {}, ws, exists), '/home/me/app/src/leak.c');
    assert.equal(mapPath('leak.py', {}, ws, exists), '/home/me/app/leak.py');
    assert.equal(mapPath('/nope/none.c', {}, ws, exists), null);
    assert.equal(mapPath('/srv/app/src/leak.c', { '/srv/app': '${workspaceFolder}' }, ws, exists), '/home/me/app/src/leak.c');
    assert.equal(mapPath('/ci/src/leak.c', {}, ws, exists, { tailSearch: false }), null);
  });
});

describe('leak tools: words for sites', () => {
  const site = (o: Partial<LeakSite>): LeakSite => ({
    kind: 'definitely lost',
    bytes: 8192,
    directBytes: null,
    indirectBytes: null,
    count: 2,
    bytesDiff: null,
    countDiff: null,
    label: null,
    frames: [],
    ...o,
  });
  it('"8 KiB definitely lost in 2 blocks", growth with its diff, heaptrack "leaked", direct + indirect once', () => {
    assert.equal(siteSummary(site({}), 'valgrind-memcheck'), '8 KiB definitely lost in 2 blocks');
    assert.equal(
      siteSummary(site({ bytes: 8032, directBytes: 16, indirectBytes: 8016, count: 1 }), 'valgrind-memcheck'),
      '16 B definitely lost (+7.83 KiB indirectly) in 1 block',
    );
    assert.equal(siteSummary(site({ count: 1, bytes: 16 }), 'valgrind-memcheck'), '16 B definitely lost in 1 block');
    assert.equal(
      siteSummary(site({ kind: 'growth', bytes: 600_000, bytesDiff: 590_000, count: 2001, countDiff: 2000 }), 'tracemalloc'),
      '+576 KiB grew (now 586 KiB in 2,001 allocations) (+2,000 allocations)',
    );
    assert.equal(siteSummary(site({ kind: 'retained', bytes: 128, count: 8 }), 'heaptrack'), '128 B leaked in 8 allocations');
    assert.equal(
      siteSummary(site({ kind: 'growth', label: 'LeakyRecord', bytes: 800, bytesDiff: 800, count: 20, countDiff: 20 }), 'node-heap-snapshot'),
      'LeakyRecord: +800 B grew (now 800 B in 20 objects) (+20 objects)',
    );
    assert.deepEqual(
      [formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(-2048), formatBytes(5 * 1024 ** 3)],
      ['0 B', '1023 B', '1 KiB', '-2 KiB', '5 GiB'],
    );
  });
  it("the CLI text names the first frame in the user's code", () => {
    const s = site({
      frames: [
        { function: 'malloc', file: 'vg_replace_malloc.c', line: 381, object: '/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so' },
        { function: 'make_record', file: '/src/leak.c', line: 14, object: '/src/leak' },
      ],
    });
    const text = renderLeakText({
      tool: 'valgrind-memcheck',
      toolVersion: '3.19.0',
      pid: 7,
      command: './leak',
      summary: { definitelyLostBytes: 8192, definitelyLostBlocks: 2 } as never,
      sites: [s],
      warnings: [],
    });
    assert.match(text, /^valgrind-memcheck · 3\.19\.0 · pid 7 · command: \.\/leak\n/);
    assert.match(text, /\n {2}1\. 8 KiB definitely lost in 2 blocks\n {6}at make_record \(\/src\/leak\.c:14\)\n/);
  });
});

describe('oom-lens run / leaks arguments', () => {
  const req = (argv: string[]) => {
    const a = parseCli(argv);
    return runRequest(a.positionals, a.leakOptions!);
  };
  it('run TOOL -- COMMAND starts the command; --pid attaches; --interval and the tool options are read', () => {
    assert.deepEqual(req(['run', 'valgrind', '--', './a.out', '--flag', 'x y']), {
      tool: 'valgrind',
      start: { program: './a.out', args: ['--flag', 'x y'], cwd: process.cwd() },
    });
    assert.deepEqual(req(['run', 'heaptrack', '--pid', '42', '--interval', '5s']), { tool: 'heaptrack', pid: 42, durationSeconds: 5 });
    assert.deepEqual(req(['run', 'java-histogram', '--pid', '7']), { tool: 'java-histogram', pid: 7, intervalSeconds: undefined });
    const a = parseCli(['run', 'valgrind', '--show-leak-kinds', 'all', '--json', '--out', 'r.xml', '--', 'prog']);
    assert.deepEqual([a.json, a.out, a.leakOptions?.showLeakKinds], [true, 'r.xml', 'all']);
    assert.equal(parseCli(['run', 'tracemalloc', '--frames', '40', '--', 'a.py']).leakOptions?.frames, 40);
    assert.deepEqual(parseCli(['leaks', 'a.xml', 'b.xml']).positionals, ['a.xml', 'b.xml']);
  });
  it('refuses what cannot work, as usage errors', () => {
    assert.throws(() => req(['run', 'valgrind', '--pid', '3']), /cannot attach/);
    assert.throws(() => req(['run', 'java-histogram', '--', 'x']), /needs --pid/);
    assert.throws(() => req(['run', 'heaptrack', '--pid', '3', '--', 'x']), /either --pid PID or -- COMMAND/);
    assert.throws(() => req(['run', 'tracemalloc']), /needs a command after --/);
    assert.throws(() => parseCli(['run', 'valgrind', '--pid', '0']), /positive whole number/);
    assert.throws(() => parseCli(['leaks', 'a', 'b', 'c']), /unexpected argument 'c'/);
    assert.throws(() => parseCli(['events', '--pid', '3']), /apply to run/);
  });
});

describe('leak tools: the runner against a Host (remote-style: the report comes back through cat)', () => {
  const xml = readFileSync(join(__dirname, '..', 'fixtures', 'leaks', 'memcheck-protocol4.xml'), 'utf8');
  it('prepares in one round trip, runs the quoted command in the work dir, fetches the XML with cat and parses it', async () => {
    const host = new FakeHost((cmd) => {
      if (cmd.includes('mktemp -d')) return { stdout: 'pm:apt-get\ndir:/tmp/oom-lens-abc\n' };
      if (cmd.startsWith('( cd ')) return { stdout: 'program output\n', code: 3 };
      if (cmd.startsWith('cat ')) return { stdout: xml };
      return { code: 127 };
    });
    const out: string[] = [];
    const r = await runLeakTool(
      host,
      { tool: 'valgrind', start: { program: '/srv/my app/leak', args: ["it's"], cwd: '/srv/my app' } },
      { onOutput: (t) => out.push(t) },
    );
    assert.equal(host.commands.length, 3, 'prepare, run (+ check the report), cat');
    assert.match(host.commands[0], /command -v valgrind .*mktemp -d/);
    assert.equal(
      host.commands[1],
      `( cd '/srv/my app' && exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible --child-silent-after-fork=yes --xml=yes --xml-file=/tmp/oom-lens-abc/memcheck.xml '/srv/my app/leak' 'it'\\''s' ) 2>&1; rc=$?; [ -s /tmp/oom-lens-abc/memcheck.xml ] || echo oom-lens-missing:/tmp/oom-lens-abc/memcheck.xml >&2; exit $rc`,
    );
    assert.equal(host.commands[2], 'cat /tmp/oom-lens-abc/memcheck.xml');
    assert.equal(r.exitCode, 3);
    assert.equal(r.host, 'fake-remote');
    assert.equal(r.reports[0].hostPath, '/tmp/oom-lens-abc/memcheck.xml');
    assert.notEqual(r.reports[0].localPath, r.reports[0].hostPath, 'a local copy of the remote file');
    assert.equal(readFileSync(r.reports[0].localPath!, 'utf8'), xml);
    assert.equal(r.reports[0].report.tool, 'valgrind-memcheck');
    assert.ok(r.reports[0].report.sites.length > 0);
    assert.ok(out.join('').includes('program output'));
  });

  it("a missing tool fails before anything runs, with the install command for the host's package manager", async () => {
    const host = new FakeHost((cmd) => (cmd.includes('mktemp') ? { stdout: 'missing:heaptrack\nmissing:gdb\npm:dnf\ndir:/tmp/x\n' } : { code: 1 }));
    await assert.rejects(runLeakTool(host, { tool: 'heaptrack', pid: 1234 }), (e: unknown) => {
      assert.ok(e instanceof ToolMissingError);
      assert.equal(e.message, 'heaptrack, gdb are not installed on fake-remote');
      assert.equal(e.hint, 'install with: sudo dnf install -y heaptrack && sudo dnf install -y gdb');
      return true;
    });
    assert.equal(host.commands.length, 1);
  });

  it('a bad setting is refused before the host is asked anything', async () => {
    const host = new FakeHost(() => ({}));
    await assert.rejects(runLeakTool(host, { tool: 'valgrind', start: { program: 'a' } }, { settings: { valgrindShowLeakKinds: 'everything' } }), ToolArgError);
    await assert.rejects(runLeakTool(host, { tool: 'heaptrack', pid: -1 }), ToolArgError);
    assert.equal(host.commands.length, 0);
  });

  it('no report file: the error says which file, the exit code and the last output lines', async () => {
    const host = new FakeHost((cmd) => {
      if (cmd.includes('mktemp -d')) return { stdout: 'dir:/tmp/w\n' };
      if (cmd.startsWith('( ')) return { stdout: 'valgrind: ./nope: No such file or directory\n', stderr: 'oom-lens-missing:/tmp/w/memcheck.xml\n', code: 127 };
      return { code: 1 };
    });
    await assert.rejects(
      runLeakTool(host, { tool: 'valgrind', start: { program: './nope' } }),
      /valgrind wrote no report \(\/tmp\/w\/memcheck\.xml; exit code 127\): valgrind: \.\/nope: No such file or directory/,
    );
  });
});
