// Following the live kernel log through LocalHost: a REAL OOM kill (in a memory cgroup the test
// creates) arrives as one event within seconds, kills from before the start do not, and abort
// stops the follower at once. Then the script's choice of source on stand-in commands (a dmesg
// that is refused, busybox, a syslog file), run by real dash and busybox sh.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host/localHost';
import { LogBurstParser, followKernelLog, type FollowResult, type FollowSource } from '../../src/core/collect/logFollow';
import { FOLLOW_FILES, logFollowScript } from '../../src/core/collect/logFollowScript';
import type { OomEvent } from '../../src/core/model/oomEvent';
import { ROOT, isRoot, missingDependency, skipLoudly, which } from './helpers';
import { memcgRoot, realOomKill } from './support/oomKill';
import { SYSLOG_KEEP_RE } from '../../src/core/collect/kernelLogScript';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
}

const tempDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'oomlens-follow-'));
  tempDirs.push(d);
  return d;
}
after(() => {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function script(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

/** Runs fn with PATH set as given (LocalHost's sh, and everything it runs, is looked up there). */
async function withPath<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const old = process.env.PATH;
  process.env.PATH = path;
  try {
    return await fn();
  } finally {
    process.env.PATH = old;
  }
}

interface Followed {
  result: Promise<FollowResult>;
  events: { e: OomEvent; at: number }[];
  source: () => FollowSource | null;
  abort: () => void;
}

function follow(notBeforeMs?: number): Followed {
  const ac = new AbortController();
  const events: { e: OomEvent; at: number }[] = [];
  let source: FollowSource | null = null;
  const result = followKernelLog(new LocalHost(), {
    signal: ac.signal,
    notBeforeMs,
    onEvent: (e) => events.push({ e, at: Date.now() }),
    onSource: (s) => {
      source = s;
    },
    onGap: (reason) => {
      throw new Error(`the follower stopped: ${reason}`);
    },
  });
  return { result, events, source: () => source, abort: () => ac.abort() };
}

describe('following the live kernel log: a REAL OOM kill', function () {
  this.timeout(120_000);
  let oldKill: Awaited<ReturnType<typeof realOomKill>> | null = null;
  let realDmesg = '';

  before(async function () {
    if (!isRoot) skipLoudly(this, 'a real OOM kill needs a memory cgroup, which needs root');
    if (!memcgRoot()) skipLoudly(this, 'this kernel has no memory cgroup controller');
    if (!which('gcc')) missingDependency(this, 'gcc is not installed (apt-get install gcc libc6-dev)');
    realDmesg = which('dmesg') ?? '';
    if (!realDmesg) missingDependency(this, 'dmesg (util-linux) is not installed');
    // An older kill in the ring buffer: never emitted. Further back than notBeforeMs' 2 s of slack.
    oldKill = await realOomKill(64);
    await sleep(3500);
  });

  /** Starts following, kills a grower, checks the event, aborts; returns what was seen. */
  async function followAKill(): Promise<{ f: Followed; kill: Awaited<ReturnType<typeof realOomKill>>; start: number }> {
    const start = Date.now();
    const f = follow(start);
    assert.ok(await until(() => f.source() !== null, 10_000), 'onSource was not called within 10 s');
    assert.notEqual(f.source()!.source, 'none', f.source()!.detail);
    await sleep(200); // the framing line is printed just before the follower starts
    const kill = await realOomKill(64);
    const killedAt = Date.now();
    assert.equal(kill.signal, 'SIGKILL');
    const mine = () => f.events.find((x) => x.e.victim?.pid === kill.pid);
    assert.ok(await until(() => !!mine(), 5000), `no event for pid ${kill.pid} within 5 s of the kill (${f.events.length} others)`);
    const { e, at } = mine()!;
    assert.ok(at - killedAt <= 5000, `arrived ${at - killedAt} ms after the kill`);
    assert.equal(e.kind, 'kill');
    assert.equal(e.victim!.comm, 'oomlens-grow');
    assert.equal(e.memcg, kill.cg.path);
    assert.ok(e.victim!.anonRssKb! > 32 * 1024, `anon-rss ${e.victim!.anonRssKb} kB`);
    assert.ok(e.time && Math.abs(Date.parse(e.time) - killedAt) < 10_000, `its wall-clock time ${e.time} is the kill's`);
    await sleep(1000); // a second copy would come with the next flush
    assert.equal(f.events.filter((x) => x.e.victim?.pid === kill.pid).length, 1, 'emitted once');
    assert.equal(
      f.events.find((x) => x.e.victim?.pid === oldKill!.pid),
      undefined,
      'an older kill was emitted',
    );
    for (const x of f.events) assert.ok(!x.e.time || Date.parse(x.e.time) >= start - 2000, `an event from before the start: ${x.e.time}`);
    f.abort();
    const t0 = Date.now();
    const res = await f.result;
    assert.equal(res.stoppedBy, 'signal');
    assert.ok(Date.now() - t0 < 2000, `abort took ${Date.now() - t0} ms`);
    return { f, kill, start };
  }

  it('the first source this host has (dmesg -W here): the kill, once, within 5 s; abort stops it', async () => {
    const { f } = await followAKill();
    if (!which('journalctl') || spawnSync('journalctl', ['-k', '-n', '1', '-q', '--no-pager'], { encoding: 'utf8' }).stdout.trim() === '') {
      assert.deepEqual(f.source(), {
        source: 'dmesg',
        detail: spawnSync('sh', ['-c', 'dmesg --help 2>&1 | grep -q -- --follow-new']).status === 0 ? 'follow-new' : 'whole-buffer',
      });
    }
  });

  it('dmesg -w (whole buffer first): older kills in the ring buffer are NOT emitted, the new one is', async function () {
    const ring = spawnSync(realDmesg, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    assert.ok(ring.includes(`Killed process ${oldKill!.pid} `) || ring.includes(`pid=${oldKill!.pid},`), 'the older kill is in the ring buffer');
    // A dmesg without --follow-new (util-linux < 2.37), and no journald.
    const bin = tempDir();
    script(bin, 'dmesg', `if [ "$1" = --help ]; then ${realDmesg} --help 2>&1 | grep -v -- --follow-new; exit 0; fi\nexec ${realDmesg} "$@"`);
    script(bin, 'journalctl', 'exit 1');
    const { f } = await withPath(`${bin}:${process.env.PATH}`, followAKill);
    assert.deepEqual(f.source(), { source: 'dmesg', detail: 'whole-buffer' });
  });
});

/** A PATH of only what the script needs, from `from` (a busybox or the system's tools), plus the stand-ins in `extra`. */
function minimalPath(shell: string, tools: Record<string, string>, extra: Record<string, string> = {}): string {
  const bin = tempDir();
  symlinkSync(shell, join(bin, 'sh'));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(bin, name));
  for (const [name, body] of Object.entries(extra)) script(bin, name, body);
  return bin;
}

const REFUSED = 'dmesg: read kernel buffer failed: Operation not permitted';
const refusingDmesg = `echo '${REFUSED}' >&2; exit 1`;

function systemTools(): Record<string, string> | null {
  const tools: Record<string, string> = {};
  for (const t of ['cut', 'date', 'grep', 'head', 'tail']) {
    const p = which(t);
    if (!p) return null;
    tools[t] = p;
  }
  return tools;
}

function busyboxTools(busybox: string): Record<string, string> {
  return Object.fromEntries(['cut', 'date', 'grep', 'head', 'tail'].map((t) => [t, busybox]));
}

describe('following the kernel log: the source the script picks (stand-in commands)', function () {
  this.timeout(60_000);

  before(function () {
    const readable = FOLLOW_FILES.find((f) => spawnSync('head', ['-c', '0', f]).status === 0);
    if (readable) skipLoudly(this, `${readable} is readable here: the script would follow it, so "no readable kernel log" cannot be staged`);
  });

  it("a dmesg that is refused and no journalctl: unreadable at once, with dmesg's reason (dash)", async function () {
    const tools = systemTools();
    const sh = which('dash') ?? which('sh');
    if (!tools || !sh) missingDependency(this, 'coreutils / grep / dash');
    const bin = minimalPath(sh, tools, { dmesg: refusingDmesg });
    const sources: FollowSource[] = [];
    const t0 = Date.now();
    const res = await withPath(bin, () =>
      followKernelLog(new LocalHost(), { onEvent: () => assert.fail('no events'), onSource: (s) => sources.push(s), onGap: () => assert.fail('no restart') }),
    );
    assert.deepEqual(res, { stoppedBy: 'unreadable', source: 'none' });
    assert.equal(sources.length, 1);
    assert.equal(sources[0].source, 'none');
    assert.ok(sources[0].detail.includes(REFUSED), sources[0].detail);
    assert.match(sources[0].detail, /^no journalctl; /);
    assert.ok(Date.now() - t0 < 5000);
  });

  it("under busybox sh with busybox's tools: a busybox dmesg cannot follow, so unreadable", async function () {
    const busybox = which('busybox');
    if (!busybox) missingDependency(this, 'busybox is not installed');
    const sources: FollowSource[] = [];
    const refused = await withPath(minimalPath(busybox, busyboxTools(busybox), { dmesg: refusingDmesg }), () =>
      followKernelLog(new LocalHost(), { onEvent: () => {}, onSource: (s) => sources.push(s) }),
    );
    assert.equal(refused.stoppedBy, 'unreadable');
    assert.ok(sources[0].detail.includes(REFUSED), sources[0].detail);
    const own = await withPath(minimalPath(busybox, { ...busyboxTools(busybox), dmesg: busybox }), () =>
      followKernelLog(new LocalHost(), { onEvent: () => {}, onSource: (s) => sources.push(s) }),
    );
    assert.equal(own.stoppedBy, 'unreadable');
    // As root busybox dmesg reads the buffer but has no follow mode; otherwise it is refused.
    assert.match(sources[1].detail, /dmesg: (cannot follow \(no -w\)|klogctl|.*not permitted)/i, sources[1].detail);
  });

  for (const variant of ['dash', 'busybox'] as const) {
    it(`a syslog "messages" file (${variant}): only new lines, the kernel's and the userspace OOM killers', and the kills in them`, async function () {
      const busybox = which('busybox');
      const tools = variant === 'busybox' ? (busybox ? busyboxTools(busybox) : null) : systemTools();
      const sh = variant === 'busybox' ? busybox : which('dash');
      if (!tools || !sh) missingDependency(this, `${variant} and its tools`);
      const logs = tempDir();
      const messages = join(logs, 'messages');
      writeFileSync(messages, 'Jun 20 12:40:00 new-db1 kernel: [15180000.000000] an old line, before the follower started\n');
      const bin = minimalPath(sh, tools, { dmesg: refusingDmesg });
      // The same script, pointed at files of the test's own.
      let text = logFollowScript({});
      for (const f of FOLLOW_FILES) text = text.split(f).join(join(logs, f.split('/').pop()!));
      const child = spawn('sh', ['-s'], { env: { ...process.env, PATH: bin }, detached: true, stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => {
        out += d;
      });
      child.stdin.end(text);
      try {
        assert.ok(await until(() => out.includes('@@oomlens follow '), 5000), out);
        assert.ok(out.includes(`@@oomlens follow file ${messages}\n`), out);
        await sleep(300); // tail -F has opened the file
        const report = readCorpus('001-centos6-syslog-uid-before-name.txt');
        appendFileSync(messages, report);
        // a userspace OOM killer's kill, by its tag (never a kernel line)
        appendFileSync(
          messages,
          'Jun 20 12:50:00 new-db1 earlyoom[812]: low memory! at or below SIGTERM limits: mem 10.00%, swap 10.00%\n' +
            'Jun 20 12:50:00 new-db1 earlyoom[812]: sending SIGTERM to process 4321 uid 1000 "firefox": badness 700, VmRSS 2100 MiB\n' +
            'Jun 20 12:50:01 new-db1 earlyoom[812]: process exited after 0.3 seconds\n',
        );
        const parser = new LogBurstParser();
        assert.ok(await until(() => out.includes('Killed process 40738'), 5000), 'the report came through');
        assert.ok(await until(() => out.includes('process exited after 0.3 seconds'), 5000), "earlyoom's lines came through");
        const lines = out.split('\n');
        for (const l of lines.slice(lines.findIndex((x) => x.startsWith('@@oomlens follow')) + 1)) {
          // What followKernelLog does for messages/syslog: keep the kernel's lines and the OOM killers'.
          if (SYSLOG_KEEP_RE.test(l)) parser.push(l, 0);
        }
        assert.ok(!out.includes('an old line'), 'tail -n 0: old lines are not printed');
        if (variant === 'dash' && spawnSync('sh', ['-c', 'echo x | grep --line-buffered x']).status === 0) {
          assert.ok(!out.includes('rsyslogd-2177'), 'grep --line-buffered kept only kernel lines');
        }
        assert.deepEqual(
          parser.flush(1000, true).map((e) => [e.kind, e.victim?.pid, e.victim?.comm]),
          [
            ['kill', 40738, 'mysqld'],
            ['userspace-kill', 4321, 'firefox'],
          ],
        );
      } finally {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    });
  }
});

function readCorpus(name: string): string {
  const p = join(ROOT, 'test', 'fixtures', 'corpus', 'kernel-oom', name);
  return readFileSync(p, 'utf8');
}
