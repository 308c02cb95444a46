// The leak-tool runners with the REAL tools on tiny leaking programs (test/fixtures/programs): each
// run must find the leaking line (file and line number) through the runner and the parsers.
// A missing tool skips its test LOUDLY with the reason.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host/localHost';
import { runLeakTool, ToolMissingError, prepareHost, NotSanitizedError } from '../../src/core/tools';
import { firstUserFrame } from '../../src/core/parse/leaks';
import { parseLeakReportFile } from '../../src/core/collect/leakFile';
import type { LeakReport, LeakSite } from '../../src/core/model/leakReport';
import { CancelledError } from '../../src/core/errors';
import { ROOT, which, missingDependency } from './helpers';

const PROGRAMS = join(ROOT, 'test', 'fixtures', 'programs');
const C_SOURCE = join(PROGRAMS, 'leak.c');
const host = new LocalHost();

/** The site whose first user frame is FILE:LINE. */
function siteAt(r: LeakReport, file: string, line: number): LeakSite | undefined {
  return r.sites.find((s) => {
    const f = firstUserFrame(s);
    return f?.file === file && f.line === line;
  });
}
/** leak.c:14 (make_record) loses 8 records of 16 bytes: the site every tool must find. */
function leakAt14(rep: LeakReport): LeakSite {
  const s = siteAt(rep, C_SOURCE, 14);
  assert.ok(s, `no site at leak.c:14: ${where(rep)}`);
  assert.equal(s.kind, 'definitely lost');
  assert.equal(s.bytes, 128);
  assert.equal(s.count, 8);
  assert.equal(firstUserFrame(s)?.function, 'make_record');
  return s;
}

function where(r: LeakReport): string {
  return JSON.stringify(
    r.sites.slice(0, 8).map((s) => {
      const f = firstUserFrame(s);
      return `${s.kind} ${s.bytes} ${f?.file}:${f?.line}`;
    }),
  );
}

let binary = '';
function compiled(ctx: Mocha.Context): string {
  if (!which('gcc')) missingDependency(ctx, 'gcc is not installed (apt-get install -y gcc)');
  if (!binary) {
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-leak-'));
    binary = join(dir, 'leak');
    const r = spawnSync('gcc', ['-g', '-O0', '-o', binary, C_SOURCE], { encoding: 'utf8' });
    assert.equal(r.status, 0, `gcc failed: ${r.stderr}`);
  }
  return binary;
}

function startChild(cmd: string, args: string[], ready: RegExp | null): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (!ready) return Promise.resolve(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (ready.test(out)) resolve(child);
    });
    child.once('exit', (c) => reject(new Error(`${cmd} exited early (${c}): ${out}`)));
  });
}

describe('leak tools for real: valgrind / heaptrack / tracemalloc / node / java on tiny leaking programs', function () {
  this.timeout(120_000);

  describe('valgrind memcheck', () => {
    it('finds the definitely lost blocks at leak.c:14 (make_record) through the runner and the XML parser', async function () {
      const prog = compiled(this);
      if (!which('valgrind')) missingDependency(this, 'valgrind is not installed (apt-get install -y valgrind)');
      const steps: string[] = [];
      const r = await runLeakTool(host, { tool: 'valgrind', start: { program: prog, args: ['8'] } }, { onStep: (m) => steps.push(m) });
      assert.equal(r.exitCode, 0);
      assert.match(
        r.commandLine,
        /^exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible .*--xml=yes --xml-file=\S+\/memcheck\.xml \S+\/leak 8$/,
      );
      const rep = r.reports[0].report;
      assert.equal(rep.tool, 'valgrind-memcheck');
      leakAt14(rep);
      assert.equal(rep.summary.definitelyLostBytes, 128);
      assert.ok(steps.some((m) => /under valgrind/.test(m)));
      assert.ok(existsSync(r.reports[0].localPath!));
    });

    it('with show-leak-kinds=all also reports the still-reachable block at leak.c:20 (remember)', async function () {
      const prog = compiled(this);
      if (!which('valgrind')) missingDependency(this, 'valgrind is not installed (apt-get install -y valgrind)');
      const r = await runLeakTool(
        host,
        { tool: 'valgrind', start: { program: prog, args: ['2'] } },
        { settings: { valgrindShowLeakKinds: 'all', valgrindExtraArgs: ['--num-callers=30'] } },
      );
      const rep = r.reports[0].report;
      const s = siteAt(rep, C_SOURCE, 20);
      assert.ok(s, where(rep));
      assert.equal(s.kind, 'still reachable');
      assert.equal(s.bytes, 1024);
      assert.match(r.commandLine, /--show-leak-kinds=all .*--num-callers=30 /);
    });

    it('is cancelled for real: the abort stops valgrind and the program', async function () {
      const prog = compiled(this);
      if (!which('valgrind')) missingDependency(this, 'valgrind is not installed (apt-get install -y valgrind)');
      const ac = new AbortController();
      const p = runLeakTool(host, { tool: 'valgrind', start: { program: prog, args: ['100000', '100'] } }, { signal: ac.signal });
      await new Promise((r) => setTimeout(r, 1500));
      ac.abort();
      await assert.rejects(p, (e) => e instanceof CancelledError);
      await new Promise((r) => setTimeout(r, 300));
      const left = spawnSync('pgrep', ['-f', `${prog} 100000 100`], { encoding: 'utf8' }).stdout.trim();
      assert.equal(left, '', `processes left after cancel: ${left}`);
    });
  });

  describe('LeakSanitizer', () => {
    const built = new Map<string, string>();
    /** leak.c built with gcc and these flags; a missing sanitizer runtime is a missing package. */
    function sanitized(ctx: Mocha.Context, flags: string[], source = C_SOURCE): string {
      if (!which('gcc')) missingDependency(ctx, 'gcc is not installed (apt-get install -y gcc)');
      const key = `${source} ${flags.join(' ')}`;
      let bin = built.get(key);
      if (!bin) {
        bin = join(mkdtempSync(join(tmpdir(), 'oom-lens-lsan-')), 'prog');
        const r = spawnSync('gcc', [...flags, '-O0', '-o', bin, source], { encoding: 'utf8' });
        if (r.status !== 0 && /cannot find -l(?:l|a)san|lib(?:l|a)san/.test(r.stderr))
          missingDependency(
            ctx,
            `the sanitizer runtime for gcc ${flags.join(' ')} is not installed (apt-get install -y liblsan0 libasan8): ${r.stderr.trim()}`,
          );
        assert.equal(r.status, 0, `gcc failed: ${r.stderr}`);
        built.set(key, bin);
      }
      return bin;
    }

    for (const flags of [
      ['-fsanitize=leak', '-g', '-fno-omit-frame-pointer'],
      ['-fsanitize=address', '-g'],
    ]) {
      it(`run lsan on leak.c built with ${flags[0]}: the direct leak at leak.c:14 (make_record), 128 bytes in 8 objects`, async function () {
        const prog = sanitized(this, flags);
        const r = await runLeakTool(host, { tool: 'lsan', start: { program: prog, args: ['8'] } });
        assert.match(r.commandLine, /^exec env ASAN_OPTIONS=detect_leaks=1:log_path=(\S+)\/lsan LSAN_OPTIONS=log_path=\1\/lsan \S+\/prog 8$/);
        assert.notEqual(r.exitCode, 0, 'LeakSanitizer makes a leaking program fail');
        const rep = r.reports[0].report;
        assert.equal(rep.tool, 'lsan');
        const s = leakAt14(rep);
        assert.equal(s.frames.find((f) => f.function === 'main')?.line, 29, 'the caller frame in main');
        // the block kept in a global (leak.c:20) is reachable: LSan does not report it
        assert.equal(siteAt(rep, C_SOURCE, 20), undefined);
        assert.equal(rep.summary.definitelyLostBytes, 128);
        assert.equal(rep.summary.indirectlyLostBytes, 0);
        assert.equal(rep.pid, rep.sites[0].pid);
        assert.ok(rep.pid && rep.pid > 1);
      });
    }

    it('a sanitized program that leaks nothing: an empty report saying so, not an error', async function () {
      const prog = sanitized(this, ['-fsanitize=leak', '-g']);
      const r = await runLeakTool(host, { tool: 'lsan', start: { program: prog, args: ['0'] } });
      // 0 iterations: only the reachable block at leak.c:20 remains
      assert.equal(r.exitCode, 0);
      assert.equal(r.reports[0].report.tool, 'lsan');
      assert.deepEqual(r.reports[0].report.sites, []);
      assert.deepEqual(r.reports[0].report.warnings, ['LeakSanitizer found no leaks']);
    });

    it('a program that does not exist is said so, not called unsanitized', async () => {
      await assert.rejects(
        runLeakTool(host, { tool: 'lsan', start: { program: '/nonexistent/oom-lens-prog' } }),
        (e) => !(e instanceof NotSanitizedError) && /\/nonexistent\/oom-lens-prog not found on /.test((e as Error).message),
      );
    });

    it('a program built without a sanitizer is refused with the build flags', async function () {
      const prog = compiled(this);
      await assert.rejects(
        runLeakTool(host, { tool: 'lsan', start: { program: prog, args: ['1'] } }),
        (e) =>
          e instanceof NotSanitizedError &&
          /is not built with LeakSanitizer/.test(e.message) &&
          (e.hint ?? '').includes('-fsanitize=leak -g -fno-omit-frame-pointer'),
      );
    });
  });

  describe('heaptrack', () => {
    it('run: finds the leak at leak.c:14 and the kept block at leak.c:20 (heaptrack_print -> parser)', async function () {
      const prog = compiled(this);
      if (!which('heaptrack') || !which('heaptrack_print')) missingDependency(this, 'heaptrack is not installed (apt-get install -y heaptrack)');
      const r = await runLeakTool(host, { tool: 'heaptrack', start: { program: prog, args: ['8'] } });
      const rep = r.reports[0].report;
      assert.equal(rep.tool, 'heaptrack');
      const s = siteAt(rep, C_SOURCE, 14);
      assert.ok(s, where(rep));
      assert.equal(s.bytes, 128);
      assert.equal(s.count, 8);
      assert.ok(siteAt(rep, C_SOURCE, 20), where(rep));
      assert.ok(
        readdirSync(r.workDir).some((f) => /^heaptrack\.(zst|gz)$/.test(f)),
        readdirSync(r.workDir).join(','),
      );
    });

    // heaptrack -p injects its recorder through gdb. Where gdb cannot call into a process (gdb 13
    // on CPUs with AMX says "Couldn't write extended state status: Bad address"; ptrace refused),
    // the runner must fail at once with that reason instead of waiting forever; elsewhere it records.
    it('attach -p: records a running process for a while and it keeps running, or (gdb cannot call into processes here) fails at once saying why', async function () {
      const prog = compiled(this);
      if (!which('heaptrack') || !which('heaptrack_print') || !which('gdb'))
        missingDependency(this, 'heaptrack/gdb is not installed (apt-get install -y heaptrack gdb)');
      const child = await startChild(prog, ['600', '50'], null); // 30 s of leaking 16 B every 50 ms
      try {
        await new Promise((r) => setTimeout(r, 300));
        const probe = spawnSync('gdb', ['--batch', '-n', '-p', String(child.pid), '-ex', 'call (int)getpid()', '-ex', 'detach'], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        const gdbCanCall = new RegExp(`= ${child.pid}\\b`).test(probe.stdout);
        const started = Date.now();
        const p = runLeakTool(host, { tool: 'heaptrack', pid: child.pid!, durationSeconds: 2 });
        if (!gdbCanCall) {
          console.log(
            `      gdb cannot call into a process on this machine (${(probe.stdout + probe.stderr).match(/Couldn't write[^\n]*|ptrace[^\n]*/)?.[0] ?? 'no result'}): checking the error`,
          );
          await assert.rejects(
            p,
            (e: Error) =>
              /heaptrack could not record process \d+: gdb could not inject/.test(e.message) &&
              /start the program under heaptrack/.test(String((e as { hint?: string }).hint)),
          );
          assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
        } else {
          const r = await p;
          assert.equal(r.exitCode, null);
          const rep = r.reports[0].report;
          const s = siteAt(rep, C_SOURCE, 14);
          assert.ok(s, where(rep));
          assert.ok((s.count ?? 0) >= 5, `only ${s.count} allocations recorded in 2 s`);
        }
        assert.equal(child.exitCode, null, 'the attached process is still running');
        assert.equal(process.kill(child.pid!, 0), true);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });

  describe('python tracemalloc', () => {
    it('finds the growing cache at leak.py:12 (snapshot at start vs at exit, enough frames to reach the code)', async function () {
      if (!which('python3')) missingDependency(this, 'python3 is not installed (apt-get install -y python3)');
      const script = join(PROGRAMS, 'leak.py');
      const r = await runLeakTool(host, { tool: 'tracemalloc', start: { program: script, args: ['2000'] } }, { settings: { intervalSeconds: 1 } });
      assert.equal(r.exitCode, 0);
      const rep = r.reports[0].report;
      assert.equal(rep.tool, 'tracemalloc');
      const s = siteAt(rep, script, 12);
      assert.ok(s, where(rep));
      assert.equal(s.kind, 'growth');
      assert.ok((s.countDiff ?? 0) >= 2000, `countDiff ${s.countDiff}`);
      assert.ok((s.bytesDiff ?? 0) > 400_000, `bytesDiff ${s.bytesDiff}`);
      assert.equal(rep.sites[0], s, 'the leak is the biggest growth');
      // the whole traceback is there: handle <- main <- module
      assert.deepEqual(
        s.frames.filter((f) => f.file === script).map((f) => f.line),
        [12, 19, 24],
      );
    });

    it('snapshots on the interval: a killed long run still leaves the last difference', async function () {
      if (!which('python3')) missingDependency(this, 'python3 is not installed (apt-get install -y python3)');
      const script = join(PROGRAMS, 'leak.py');
      const ac = new AbortController();
      const dir = mkdtempSync(join(tmpdir(), 'oom-lens-tm-'));
      const p = runLeakTool(
        host,
        { tool: 'tracemalloc', start: { program: script, args: ['100000', '0.001'] } },
        { signal: ac.signal, workDir: dir, settings: { intervalSeconds: 0.5 } },
      );
      for (let i = 0; i < 60 && !existsSync(join(dir, 'tracemalloc.txt')); i++) await new Promise((r) => setTimeout(r, 100));
      ac.abort();
      await assert.rejects(p, (e) => e instanceof CancelledError);
      const rep = await parseLeakReportFile(join(dir, 'tracemalloc.txt'));
      assert.ok(siteAt(rep, script, 12), where(rep));
    });
  });

  describe('node heap profile and snapshots', () => {
    it('start: the sampling heap profile points at leak.js:10 and the snapshot diff shows +20000 LeakyRecord', async function () {
      if (!which('node')) missingDependency(this, 'node is not installed');
      const script = join(PROGRAMS, 'leak.js');
      const r = await runLeakTool(host, { tool: 'node-heap', start: { program: script, args: ['20000'] } });
      assert.equal(r.reports.length, 2);
      const [profile, growth] = r.reports.map((x) => x.report);
      assert.equal(profile.tool, 'node-heap-profile');
      const s = siteAt(profile, script, 10);
      assert.ok(s, where(profile));
      assert.equal(firstUserFrame(s)?.function, 'remember');
      assert.ok(!profile.sites.some((x) => firstUserFrame(x)?.file?.startsWith(r.workDir)), "OOM Lens's own preload is not a leak site");
      assert.equal(growth.tool, 'node-heap-snapshot');
      const rec = growth.sites.find((x) => x.label === 'LeakyRecord');
      assert.ok(rec, JSON.stringify(growth.sites.slice(0, 5).map((x) => x.label)));
      assert.equal(rec.countDiff, 20000);
    });

    it('attach: SIGUSR1 + inspector records a sampling heap profile of a running process', async function () {
      if (!which('node')) missingDependency(this, 'node is not installed');
      const script = join(PROGRAMS, 'leak.js');
      const child = await startChild(process.execPath, [script, '100000000', '20'], null);
      try {
        await new Promise((r) => setTimeout(r, 500));
        const r = await runLeakTool(host, { tool: 'node-heap', pid: child.pid!, durationSeconds: 2 });
        const rep = r.reports[0].report;
        // Optimized code: V8 inlines remember() (line 10) into tick() and the sampling profiler
        // then books its allocations at the call site, line 15. Either line is the leak's path.
        const top = rep.sites[0];
        assert.ok(top && [10, 15].includes(firstUserFrame(top)?.line ?? -1) && firstUserFrame(top)?.file === script, where(rep));
        assert.ok(top.bytes > 1_000_000, `only ${top.bytes} bytes sampled in 2 s`);
        assert.equal(child.exitCode, null, 'the process keeps running');
      } finally {
        child.kill('SIGKILL');
      }
    });
  });

  describe('java class histogram', () => {
    it('two jcmd GC.class_histogram: Leak$LeakyEntry grows', async function () {
      if (!which('java') || !which('jcmd')) missingDependency(this, 'a JDK is not installed (apt-get install -y default-jdk-headless)');
      const child = await startChild('java', [join(PROGRAMS, 'Leak.java'), '60'], /ready/);
      try {
        await new Promise((r) => setTimeout(r, 500));
        const r = await runLeakTool(host, { tool: 'java-histogram', pid: child.pid!, intervalSeconds: 2 });
        const rep = r.reports[0].report;
        const s = rep.sites.find((x) => x.label === 'Leak$LeakyEntry');
        assert.ok(s, JSON.stringify(rep.sites.slice(0, 5).map((x) => x.label)));
        assert.ok((s.countDiff ?? 0) > 1000, `countDiff ${s.countDiff}`);
      } finally {
        child.kill('SIGKILL');
      }
    });
  });

  describe('a program that does not start', () => {
    it("says which report is missing, the exit code and the tool's last words", async function () {
      if (!which('valgrind')) missingDependency(this, 'valgrind is not installed (apt-get install -y valgrind)');
      await assert.rejects(
        runLeakTool(host, { tool: 'valgrind', start: { program: '/nonexistent/oom-lens-prog' } }),
        /valgrind wrote no report \(\S+\/memcheck\.xml; exit code \d+\): .*\/nonexistent\/oom-lens-prog: No such file or directory/,
      );
    });
  });

  describe('missing tools', () => {
    it('are detected with `command -v` on the host, with an install command for its package manager', async () => {
      const p = await prepareHost(host, ['sh', 'oom-lens-no-such-tool']);
      assert.deepEqual(p.missing, ['oom-lens-no-such-tool']);
      assert.ok(existsSync(p.workDir));
      await assert.rejects(
        runLeakTool(host, { tool: 'tracemalloc', python: 'python-oom-lens-missing', start: { program: join(PROGRAMS, 'leak.py') } }),
        (e) => e instanceof ToolMissingError && /python-oom-lens-missing is not installed on /.test(e.message) && /install/.test(e.hint ?? ''),
      );
    });
  });
});
