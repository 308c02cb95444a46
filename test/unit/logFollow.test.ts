// LogBurstParser fed line by line, as a live follower feeds it, with real kernel OOM reports from
// the corpus (re-rendered in the formats `dmesg -W` and `journalctl -o short-iso-precise` print);
// followKernelLog over a stand-in Host (restarts, unreadable, abort); the script's sh syntax.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogBurstParser, followKernelLog } from '../../src/core/collect/logFollow';
import { logFollowScript } from '../../src/core/collect/logFollowScript';
import type { ExecOptions, ExecResult, Host } from '../../src/core/host/host';
import type { OomEvent } from '../../src/core/model/oomEvent';

const CORPUS = join(__dirname, '..', 'fixtures', 'corpus', 'kernel-oom');
const corpus = (name: string) =>
  readFileSync(join(CORPUS, name), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

/** The kernel's own text of a syslog line: what `dmesg` prints ("[uptime] message"). */
const dmesgOf = (syslogLines: string[]) => syslogLines.filter((l) => l.includes(' kernel: ')).map((l) => l.slice(l.indexOf(' kernel: ') + ' kernel: '.length));

/**
 * A syslog line with a dmesg stamp as journalctl -o short-iso-precise prints it: the journal has
 * no "[uptime]" prefix and a microsecond wall-clock stamp (seconds from syslog, fraction from the uptime).
 */
function journalOf(syslogLines: string[], year: number): string[] {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return syslogLines.flatMap((l) => {
    const m = /^(\w{3}) +(\d+) (\d\d:\d\d:\d\d) (\S+) kernel: \[ *\d+\.(\d{6})\] (.*)$/.exec(l);
    if (!m) return [];
    const mo = String(months.indexOf(m[1]) + 1).padStart(2, '0');
    return [`${year}-${mo}-${m[2].padStart(2, '0')}T${m[3]}.${m[5]}+0000 ${m[4]} kernel: ${m[6]}`];
  });
}

/** CentOS 6 /var/log/messages: php-fpm triggers, mysqld (pid 40738) is killed; 793 task rows; rsyslogd noise around it. */
const CENTOS = corpus('001-centos6-syslog-uid-before-name.txt');
const CENTOS_DMESG = dmesgOf(CENTOS);
/** Ubuntu syslog: two memcg kills in a row (4254, 4255), each with its oom_reaper line. */
const UBUNTU = corpus('010-ubuntu-memcg-same-parent-two-children.txt');
const UBUNTU_JOURNAL = journalOf(UBUNTU, 2018);
/** Debian 6.16 dmesg -T: a report cut after its call trace (header only, never a kill line). */
const DEBIAN_HEADER_ONLY = corpus('016-debian-6.16-dmesgT-uid-in-cpu-line.txt').filter((l) => l.startsWith('[Mon Dec  8'));

const BOOT = Date.parse('2017-01-01T00:00:00Z');

/** Pushes lines 1 ms apart from t; returns the time of the last one. */
function feed(p: LogBurstParser, lines: string[], t: number): number {
  lines.forEach((l, i) => p.push(l, t + i * 0.01));
  return t + (lines.length - 1) * 0.01;
}

describe('LogBurstParser (live kernel log lines → complete OOM events)', () => {
  it('a dmesg report fed line by line gives its victim, and a wall-clock time from the boot time', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    const end = feed(p, CENTOS_DMESG, 1000);
    assert.deepEqual(p.flush(end + 100), [], 'nothing before the log went quiet');
    const evs = p.flush(end + 400);
    assert.equal(evs.length, 1);
    const e = evs[0];
    assert.equal(e.kind, 'kill');
    assert.equal(e.victim?.pid, 40738);
    assert.equal(e.victim?.comm, 'mysqld');
    assert.equal(e.victim?.uid, 27);
    assert.equal(e.victim?.anonRssKb, 13128);
    assert.equal(e.trigger?.comm, 'php-fpm');
    assert.equal(e.trigger?.pid, 23212);
    assert.equal(e.tasks.length, 793);
    assert.equal(e.uptimeSeconds, 15180285.537297);
    assert.equal(e.time, new Date(Math.round(BOOT + 15180285.537297 * 1000)).toISOString());
    assert.equal(p.bufferedLines, 0, 'the parsed burst is dropped');
  });

  it('journalctl short-iso-precise lines: 2 reports in one burst give 2 events, with their journal times', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    const end = feed(p, UBUNTU_JOURNAL, 0);
    const evs = p.flush(end + 400);
    assert.deepEqual(
      evs.map((e) => [e.victim?.pid, e.victim?.comm, e.victim?.anonRssKb, e.reaped?.pid]),
      [
        [4254, 'python3', 4288, 4254],
        [4255, 'python3', 4288, 4255],
      ],
    );
    assert.deepEqual(
      evs.map((e) => e.time),
      ['2018-05-15T23:01:53.700Z', '2018-05-15T23:01:53.821Z'],
      'the journal stamp wins over the boot time',
    );
  });

  it('a report split across two quiet periods (header, then the kill line) is ONE complete event', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    const cut = 500; // in the middle of the task table
    let t = feed(p, CENTOS_DMESG.slice(0, cut), 0);
    assert.deepEqual(p.flush(t + 500), [], 'a report without its kill line is not emitted half');
    assert.ok(p.bufferedLines >= cut - 3, `its lines are kept (${p.bufferedLines})`);
    t = feed(p, CENTOS_DMESG.slice(cut), t + 2000);
    const evs = p.flush(t + 500);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].victim?.pid, 40738);
    assert.equal(evs[0].trigger?.pid, 23212);
    assert.equal(evs[0].tasks.length, 793, 'the whole task table, from both halves');
    assert.deepEqual(p.flush(t + 60_000, true), [], 'nothing left over');
  });

  it('the same report pushed twice gives one event', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    let t = feed(p, CENTOS_DMESG, 0);
    assert.equal(p.flush(t + 400).length, 1);
    t = feed(p, CENTOS_DMESG, t + 1000);
    assert.deepEqual(p.flush(t + 400), []);
    // Both copies in one burst, too.
    const q = new LogBurstParser({ bootTimeMs: BOOT });
    t = feed(q, [...UBUNTU_JOURNAL, ...UBUNTU_JOURNAL], 0);
    assert.equal(q.flush(t + 400).length, 2);
  });

  it('an oom_reaper line that comes after its report was emitted is not another kill', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    const kill = dmesgOf(UBUNTU.slice(0, 2));
    const reaper = dmesgOf(UBUNTU.slice(2, 3));
    let t = feed(p, kill, 0);
    assert.deepEqual(
      p.flush(t + 400).map((e) => e.victim?.pid),
      [4254],
    );
    t = feed(p, reaper, t + 1000);
    assert.deepEqual(p.flush(t + 400), []);
    // A report with a header (another identity than a headerless reaper event), reaped 3 s later:
    // 010's reaper line with the victim of 001.
    const q = new LogBurstParser({ bootTimeMs: BOOT });
    t = feed(q, CENTOS_DMESG, 0);
    assert.equal(q.flush(t + 400).length, 1);
    const late = reaper[0].replace(/^\[ *[\d.]+\]/, '[15180289.180369]').replace('4254 (python3)', '40738 (mysqld)');
    t = feed(q, [late], t + 3000);
    assert.deepEqual(q.flush(t + 400), []);
  });

  it('a log that never goes quiet is still parsed (at most maxWaitMs after a line)', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT, quietMs: 400, maxWaitMs: 2000 });
    let t = feed(p, CENTOS_DMESG, 0);
    const got: OomEvent[] = [];
    for (let i = 0; i < 30; i++) {
      p.push('systemd-journald[375]: Under memory pressure, flushing caches.', (t += 100));
      got.push(...p.flush(t));
    }
    assert.equal(got.length, 1);
  });

  it('non-OOM noise gives no event and the buffer stays bounded (100k lines)', () => {
    const p = new LogBurstParser();
    let max = 0;
    const noise = CENTOS.filter((l) => l.includes('rsyslogd'));
    for (let i = 0; i < 100_000; i++) {
      p.push(`[${(100 + i / 1000).toFixed(6)}] ${noise[i % noise.length]} #${i}`, i);
      max = Math.max(max, p.bufferedLines);
      assert.deepEqual(p.flush(i), []);
    }
    assert.ok(max <= 10_000, `buffer grew to ${max} lines`);
    assert.deepEqual(p.flush(200_000), []);
    assert.equal(p.bufferedLines, 0);
    assert.equal(p.nextFlushAt(), null);
  });

  it('a report that never completes is emitted as it is after maxHoldMs', () => {
    const p = new LogBurstParser({ maxHoldMs: 20_000 });
    const t = feed(p, DEBIAN_HEADER_ONLY, 0);
    assert.deepEqual(p.flush(t + 400), []);
    assert.equal(p.nextFlushAt(), 20_000, 'the next flush is due when the hold ends');
    assert.deepEqual(p.flush(19_000), []);
    const evs = p.flush(20_000);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].trigger?.comm, 'postgres');
    assert.equal(evs[0].trigger?.pid, 1073875);
    assert.equal(evs[0].victim, null);
    assert.equal(evs[0].time, '2025-12-08T17:51:31.000Z', 'the dmesg -T stamp');
    assert.equal(p.bufferedLines, 0);
  });

  it('... or after maxHoldLines lines, and at once when forced', () => {
    const p = new LogBurstParser({ maxHoldLines: 1000 });
    let t = feed(p, DEBIAN_HEADER_ONLY, 0);
    for (let i = 0; i < 1200; i++) p.push(`[Mon Dec  8 17:51:32 2025] eth0: link flap ${i}`, (t += 1));
    const evs = p.flush(t + 400);
    assert.equal(evs.length, 1);
    assert.equal(evs[0].trigger?.pid, 1073875);
    const q = new LogBurstParser();
    t = feed(q, DEBIAN_HEADER_ONLY, 0);
    assert.equal(q.flush(t, true).length, 1);
  });

  it('events before, between and after noise lines; the noise is dropped', () => {
    const p = new LogBurstParser({ bootTimeMs: BOOT });
    const noisy = CENTOS.map((l) => (l.includes(' kernel: ') ? l.slice(l.indexOf(' kernel: ') + 9) : `[15180285.000000] ${l}`));
    const t = feed(p, noisy, 0);
    assert.deepEqual(
      p.flush(t + 400).map((e) => e.victim?.pid),
      [40738],
    );
    assert.equal(p.bufferedLines, 0);
  });

  it('without a boot time, an uptime-only event keeps time null', () => {
    const p = new LogBurstParser();
    const t = feed(p, CENTOS_DMESG, 0);
    const [e] = p.flush(t + 400);
    assert.equal(e.time, null);
    assert.equal(e.uptimeSeconds, 15180285.537297);
  });
});

// ---- followKernelLog over a stand-in Host ----

interface Run {
  lines: string[];
  end: 'early' | 'hang';
}

/** Answers the follower's script with scripted lines, then ends (an SSH drop) or waits for abort. */
class FakeHost implements Host {
  readonly name = 'fake';
  readonly via = 'ssh' as const;
  execs = 0;
  scripts: string[] = [];
  constructor(private readonly runs: Run[]) {}
  async exec(command: string, o: ExecOptions = {}): Promise<ExecResult> {
    assert.equal(command, 'sh -s');
    this.scripts.push(o.stdin ?? '');
    const run = this.runs[Math.min(this.execs++, this.runs.length - 1)];
    const text = run.lines.map((l) => l + '\n').join('');
    // Odd-sized chunks, so lines split across chunks.
    for (let i = 0; i < text.length; i += 97) o.onStdout?.(text.slice(i, i + 97));
    if (run.end === 'early') return { stdout: '', stderr: 'Connection reset by peer\n', code: 255, signal: null, timedOut: false };
    return new Promise((resolve) => {
      const done = () => resolve({ stdout: '', stderr: '', code: null, signal: 'SIGKILL', timedOut: false });
      if (o.signal?.aborted) return done();
      o.signal?.addEventListener('abort', done, { once: true });
    });
  }
  async close(): Promise<void> {}
}

const META = '@@oomlens meta uptime 15180300.00 now 1500000000';
const bootOfMeta = 1500000000 * 1000 - 15180300 * 1000;

const until = async (cond: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return cond();
};

describe('followKernelLog (stand-in Host)', () => {
  it('emits each event once, with the boot time from the meta line, and stops on abort', async () => {
    const host = new FakeHost([{ lines: [META, '@@oomlens follow dmesg follow-new', ...CENTOS_DMESG], end: 'hang' }]);
    const ac = new AbortController();
    const events: OomEvent[] = [];
    const sources: string[] = [];
    const p = followKernelLog(host, {
      signal: ac.signal,
      quietMs: 50,
      onEvent: (e) => events.push(e),
      onSource: (s) => sources.push(`${s.source} ${s.detail}`),
    });
    assert.ok(await until(() => events.length > 0, 3000), 'the event arrived');
    assert.deepEqual(sources, ['dmesg follow-new']);
    assert.equal(events.length, 1);
    assert.equal(events[0].victim?.pid, 40738);
    assert.equal(events[0].time, new Date(Math.round(bootOfMeta + 15180285.537297 * 1000)).toISOString());
    ac.abort();
    const t0 = Date.now();
    assert.deepEqual(await p, { stoppedBy: 'signal', source: 'dmesg' });
    assert.ok(Date.now() - t0 < 500);
  });

  it('drops events older than notBeforeMs (dmesg -w prints the whole buffer first)', async () => {
    const boot = Date.parse('2025-01-01T00:00:00Z');
    const oldKill = dmesgOf(UBUNTU.slice(0, 3)); // uptime 152.7: 2.5 min after boot
    const newKill = dmesgOf(UBUNTU.slice(3, 6)); // uptime 152.8
    const host = new FakeHost([{ lines: ['@@oomlens follow dmesg whole-buffer', ...oldKill, ...newKill], end: 'hang' }]);
    const ac = new AbortController();
    const events: OomEvent[] = [];
    const p = followKernelLog(host, { signal: ac.signal, bootTimeMs: boot, quietMs: 20, notBeforeMs: boot + 152_810 + 2000, onEvent: (e) => events.push(e) });
    assert.ok(await until(() => events.length > 0, 3000));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      events.map((e) => e.victim?.pid),
      [4255],
    );
    ac.abort();
    assert.equal((await p).stoppedBy, 'signal');
  });

  it('restarts with backoff when the command ends early, then gives up', async () => {
    const host = new FakeHost([
      { lines: [META, '@@oomlens follow journal', ...UBUNTU_JOURNAL.slice(0, 3)], end: 'early' },
      { lines: [META, '@@oomlens follow journal'], end: 'early' },
    ]);
    const gaps: [string, number][] = [];
    const events: OomEvent[] = [];
    const res = await followKernelLog(host, { quietMs: 20, maxRestarts: 1, onEvent: (e) => events.push(e), onGap: (r, ms) => gaps.push([r, ms]) });
    assert.deepEqual(res, { stoppedBy: 'gave-up', source: 'journal' });
    assert.equal(host.execs, 2);
    assert.equal(gaps.length, 1);
    assert.match(gaps[0][0], /exit 255: Connection reset by peer/);
    assert.equal(gaps[0][1], 500);
    assert.deepEqual(
      events.map((e) => e.victim?.pid),
      [4254],
      'the lines before the drop were parsed',
    );
  });

  it('a host with no readable kernel log: unreadable, with the reason, and no restart', async () => {
    const why = 'no journalctl; dmesg: read kernel buffer failed: Operation not permitted; no readable /var/log/kern.log, /var/log/messages, /var/log/syslog';
    const host = new FakeHost([{ lines: [META, `@@oomlens follow none ${why}`], end: 'early' }]);
    const sources: { source: string; detail: string }[] = [];
    const res = await followKernelLog(host, {
      onEvent: () => assert.fail('no events'),
      onSource: (s) => sources.push(s),
      onGap: () => assert.fail('no restart'),
    });
    assert.deepEqual(res, { stoppedBy: 'unreadable', source: 'none' });
    assert.deepEqual(sources, [{ source: 'none', detail: why }]);
    assert.equal(host.execs, 1);
  });

  it('an abort during the backoff resolves with signal at once', async () => {
    const host = new FakeHost([{ lines: [], end: 'early' }]);
    const ac = new AbortController();
    const p = followKernelLog(host, { signal: ac.signal, onEvent: () => {}, onGap: () => setTimeout(() => ac.abort(), 10) });
    const t0 = Date.now();
    assert.equal((await p).stoppedBy, 'signal');
    assert.ok(Date.now() - t0 < 400);
  });

  it("keeps only the kernel's lines of /var/log/messages", async () => {
    const host = new FakeHost([{ lines: ['@@oomlens follow file /var/log/messages', ...CENTOS], end: 'hang' }]);
    const ac = new AbortController();
    const events: OomEvent[] = [];
    const p = followKernelLog(host, { signal: ac.signal, quietMs: 20, onEvent: (e) => events.push(e) });
    assert.ok(await until(() => events.length > 0, 3000));
    assert.equal(events[0].victim?.pid, 40738);
    ac.abort();
    assert.deepEqual(await p, { stoppedBy: 'signal', source: 'file' });
  });

  it('sends the sudo script when asked', async () => {
    const host = new FakeHost([{ lines: ['@@oomlens follow none x'], end: 'early' }]);
    await followKernelLog(host, { sudo: true, onEvent: () => {} });
    assert.match(host.scripts[0], /exec sudo -n dmesg -W/);
  });
});

describe('logFollowScript', () => {
  const shells = ['dash', 'sh', 'busybox'].filter((s) => spawnSync('sh', ['-c', `command -v ${s}`]).status === 0);

  for (const sudo of [false, true]) {
    it(`is valid POSIX sh${sudo ? ' (sudo)' : ''} for ${shells.join(', ') || 'no shell found'}`, function () {
      if (shells.length === 0) this.skip();
      const dir = mkdtempSync(join(tmpdir(), 'oomlens-follow-'));
      try {
        const file = join(dir, 'follow.sh');
        writeFileSync(file, logFollowScript({ sudo }));
        for (const sh of shells) {
          const r = spawnSync(sh, sh === 'busybox' ? ['sh', '-n', file] : ['-n', file], { encoding: 'utf8' });
          assert.equal(r.status, 0, `${sh} -n: ${r.stderr}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('follows only new messages, frames its choice, prefixes privileged reads with sudo -n', () => {
    const s = logFollowScript({});
    // this boot's kernel messages, or the userspace OOM killers' own (journalctl's "+" is OR)
    assert.match(
      s,
      /journalctl -b -f -n 0 -o short-iso-precise -q --no-pager _TRANSPORT=kernel \+ SYSLOG_IDENTIFIER=systemd-oomd SYSLOG_IDENTIFIER=earlyoom SYSLOG_IDENTIFIER=nohang SYSLOG_IDENTIFIER=nohang-desktop SYSLOG_IDENTIFIER=oomd </,
    );
    assert.ok(
      s.includes(`grep -aE $lb 'kernel:|(systemd-oomd|earlyoom|nohang|nohang-desktop|oomd)\\[([0-9]+)\\]:'`),
      "the syslog file keeps the OOM killers' tagged lines too",
    );
    assert.match(s, /exec dmesg -W/);
    assert.match(s, /exec dmesg -w/);
    assert.match(s, /tail -n 0 -F "\$f"/);
    assert.match(s, /@@oomlens follow none \$why/);
    assert.match(s, /@@oomlens meta uptime .* now /);
    assert.doesNotMatch(s, /sudo/);
    const t = logFollowScript({ sudo: true });
    for (const cmd of ['journalctl -b -f', 'dmesg -W', 'dmesg -w', 'tail -n 0 -F', 'head -c 0', 'dmesg 2>&1']) assert.ok(t.includes(`sudo -n ${cmd}`), cmd);
    assert.doesNotMatch(s, /\[\[|\$\{[^}]*\/\/|<<<|\bfunction\b|\blocal\b/, 'no bashisms');
  });
});
