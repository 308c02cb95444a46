import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, existsSync, writeFileSync, statSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CLI, requireBuiltCli, isRoot, skipLoudly, which, missingDependency, cliForOtherUsers } from './helpers';

const run = (args: string[], env: NodeJS.ProcessEnv = process.env, prefix: string[] = [], cli = CLI) =>
  spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), cli, ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
  });

describe('oom-lens CLI (the built dist/cli.js, real machine)', () => {
  before(requireBuiltCli);

  it('diagnose prints the free -h picture and the top processes; exit 0', () => {
    const r = run(['diagnose', '--top', '5']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^\s+total\s+used\s+free\s+shared\s+buff\/cache\s+available$/m);
    assert.match(r.stdout, /^Mem:\s+\S+/m);
    assert.match(r.stdout, /^Top 5 of \d+ processes by RSS:$/m);
    assert.match(r.stdout, /PID\s+USER\s+RSS\s+%MEM\s+PSS\s+USS\s+SWAP\s+OOM\s+ADJ/);
  });

  it('diagnose --json prints one report object whose MemTotal is /proc/meminfo', () => {
    const r = run(['diagnose', '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    assert.equal(rep.version, 1);
    assert.equal(rep.memory.totalKb, Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]));
    assert.ok(rep.processes.length > 0);
  });

  it('keeps a V8 code cache of the CLI under XDG_CACHE_HOME: made by the first run, used by the next, a damaged one replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-cache-'));
    const cacheDir = join(dir, 'oom-lens');
    const cacheFile = () =>
      readdirSync(cacheDir)
        .filter((f) => /^cli-main\.js-[0-9a-f]{8}\.v8cache$/.test(f))
        .map((f) => join(cacheDir, f))[0] ?? join(cacheDir, 'none');
    const env = { ...process.env, XDG_CACHE_HOME: dir };
    try {
      const off = run(['snapshot', '--json'], { ...env, OOM_LENS_NO_CODE_CACHE: '1' });
      assert.equal(off.status, 0, off.stderr);
      assert.equal(existsSync(cacheDir), false, 'OOM_LENS_NO_CODE_CACHE=1 writes nothing');
      const first = run(['snapshot', '--json'], env);
      assert.equal(first.status, 0, first.stderr);
      const cache = cacheFile();
      assert.ok(statSync(cache).size > 10_000, 'cache written at exit');
      const written = statSync(cache).mtimeMs;
      const second = run(['snapshot', '--json'], env);
      assert.equal(second.status, 0, second.stderr);
      assert.equal(JSON.parse(second.stdout).version, 1);
      assert.equal(statSync(cache).mtimeMs, written, 'a valid cache is used, not rewritten');
      writeFileSync(cache, 'garbage\nnot a cache');
      const third = run(['snapshot', '--json'], env);
      assert.equal(third.status, 0, third.stderr);
      assert.ok(statSync(cache).size > 10_000, 'a damaged cache is replaced');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('events FILE reads a kernel log file (plain and .gz), events - reads stdin; a missing file exits 1', () => {
    const sample = join(__dirname, '..', 'fixtures', 'corpus', 'kernel-oom', '001-centos6-syslog-uid-before-name.txt');
    const table = run(['events', sample]);
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /killed\s+mysqld\s+40738\b/);
    const json = run(['events', sample, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const r = JSON.parse(json.stdout);
    assert.deepEqual(r.source, { kind: 'file', path: sample });
    assert.equal(r.events.find((e: { victim?: { pid: number } }) => e.victim?.pid === 40738)?.victim.comm, 'mysqld');
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-events-'));
    try {
      writeFileSync(join(dir, 'kern.log.1.gz'), gzipSync(readFileSync(sample)));
      const gz = run(['events', join(dir, 'kern.log.1.gz'), '--json']);
      assert.equal(gz.status, 0, gz.stderr);
      assert.deepEqual(JSON.parse(gz.stdout).events, r.events);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const stdin = spawnSync(process.execPath, [CLI, 'events', '-', '--json'], { input: readFileSync(sample), encoding: 'utf8' });
    assert.equal(stdin.status, 0, stdin.stderr);
    assert.deepEqual(JSON.parse(stdin.stdout).events, r.events);
    const missing = run(['events', '/nonexistent/kern.log']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /cannot read \/nonexistent\/kern.log: no such file/);
  });

  it('output cut short by the reader (| head) ends quietly, without a stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" snapshot --json | head -c 20 >/dev/null`], { encoding: 'utf8' });
    assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\(node:/, r.stderr);
  });

  it('bin/oom-lens (the installed command) runs the CLI through a symlink, without NODE_EXTRA_CA_CERTS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-bin-'));
    try {
      symlinkSync(join(__dirname, '..', '..', 'bin', 'oom-lens'), join(dir, 'oom-lens'));
      // A missing certificate file makes Node warn at start-up when the variable reaches it.
      const env = { ...process.env, NODE_EXTRA_CA_CERTS: join(dir, 'missing.pem'), PATH: `${dir}:${process.env.PATH}` };
      const r = spawnSync('oom-lens', ['snapshot', '--json'], { encoding: 'utf8', env, cwd: tmpdir() });
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /extra certs|NODE_EXTRA_CA_CERTS/i);
      assert.equal(JSON.parse(r.stdout).version, 1);
      const direct = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', env });
      assert.match(direct.stderr, /extra certs/i, 'the check above can fail: Node does warn when it gets the variable');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--out writes the file and prints nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-cli-'));
    try {
      const r = run(['snapshot', '--json', '--out', join(dir, 'r.json')]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).version, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('usage errors exit 2 with a message; --help exits 0', () => {
    const bad = run(['diagnose', '--bogus']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^oom-lens: .*bogus/);
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage:/);
  });

  it('a failure exits 1 with a one-line reason (no sh on PATH)', () => {
    const r = run(['diagnose'], { ...process.env, PATH: '/nonexistent' });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^oom-lens: /);
  });

  it("as a non-root user: other users' PSS/USS are null (not 0) with a warning saying why", function () {
    if (!isRoot) skipLoudly(this, 'needs root to switch to user nobody');
    const setpriv = which('setpriv');
    if (!setpriv) missingDependency(this, 'setpriv (util-linux) is not installed');
    const r = run(['snapshot', '--json'], process.env, [setpriv, '--reuid=65534', '--regid=65534', '--clear-groups'], cliForOtherUsers());
    assert.equal(r.status, 0, r.stderr);
    const rep = JSON.parse(r.stdout);
    const rootProcs = rep.processes.filter((p: { uid: number; rssKb: number | null }) => p.uid === 0 && p.rssKb !== null);
    assert.ok(rootProcs.length > 0);
    for (const p of rootProcs) {
      assert.equal(p.pssKb, null);
      assert.equal(p.ussKb, null);
    }
    assert.ok(
      rep.warnings.some((w: string) => /of other users \(not root\)/.test(w)),
      JSON.stringify(rep.warnings),
    );
    const own = rep.processes.find((p: { uid: number; comm: string }) => p.uid === 65534 && p.comm === 'node');
    assert.ok(own && own.pssKb > 0, 'its own process keeps PSS');
  });
});

describe('oom-lens watch (the built CLI, real machine)', () => {
  it('prints a table per frame until Ctrl-C, then exits 0', async () => {
    requireBuiltCli();
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'watch', '--interval', '300ms', '--top', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGINT');
    const code = await new Promise((r) => child.on('exit', r));
    assert.equal(code, 0);
    const frames = out.split(/\n(?=\d{4}-\d\d-\d\dT)/).filter((f) => /PID\s+NAME\s+RSS\s+ANON\s+GROWTH/.test(f));
    assert.ok(frames.length >= 3, `${frames.length} frames in 2 s at 300 ms`);
  });
});
