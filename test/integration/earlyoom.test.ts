// The real earlyoom (Debian package) kills a leaking child, and its output is read as an OOM event.
// earlyoom reads the system's MemAvailable and may kill any process it sees, so it runs in a PID
// namespace of its own (unshare --pid --mount-proc): there it sees only itself and the child, and
// cannot pick anything else whatever the host's memory does. The child also runs in a memory cgroup
// with a limit, so a test gone wrong cannot take the host's memory.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { missingDependency, skipLoudly, which } from './helpers';
import { createMemcg, growBinary, memcgRoot, removeMemcg, type MemcgInfo } from './support/oomKill';
import { parseOomEvents } from '../../src/core/parse/kernelLog';

interface Run {
  output: string;
  childPid: number | null;
}

function memAvailableKb(): number {
  const m = /^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  if (!m) throw new Error('no MemAvailable in /proc/meminfo');
  return Number(m[1]);
}

/**
 * Starts the grower and earlyoom in a new PID namespace, with the SIGTERM threshold 100 MiB below
 * what is available now (so it fires once the child has grown that much), and returns all earlyoom
 * printed until `done` matched (or 30 s passed). The namespace is torn down by SIGKILL to unshare
 * (--kill-child then kills earlyoom, the namespace's init, and with it the child).
 */
function runEarlyoom(cg: MemcgInfo, binary: string, extra: string[], done: RegExp): Promise<Run> {
  const thresholdKb = memAvailableKb() - 100 * 1024;
  // --prefer the child, --avoid the shell and earlyoom itself; -s 100: the swap condition always holds (hosts with swap).
  const earlyoom = [
    'earlyoom',
    '-M',
    String(thresholdKb),
    '-s',
    '100',
    '-r',
    '1',
    '--prefer',
    "'^oomlens-grow$'",
    '--avoid',
    "'^(sh|earlyoom)$'",
    ...extra,
  ].join(' ');
  const inner = `"$0" 8 20 400 >/dev/null & echo "child=$!"; exec ${earlyoom} 2>&1`;
  const outer = `echo $$ > ${cg.fsPath}/cgroup.procs && exec unshare --pid --fork --mount-proc --kill-child sh -c '${inner.replace(/'/g, `'\\''`)}' "$0"`;
  const p = spawn('sh', ['-c', outer, binary], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      p.kill('SIGKILL');
      const m = /^child=(\d+)$/m.exec(output);
      resolve({ output, childPid: m ? Number(m[1]) : null });
    };
    const timer = setTimeout(finish, 30000);
    const take = (b: Buffer) => {
      output += b.toString('utf8');
      if (done.test(output)) finish();
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('error', reject);
    p.on('exit', () => {
      clearTimeout(timer);
      const m = /^child=(\d+)$/m.exec(output);
      resolve({ output, childPid: m ? Number(m[1]) : null });
    });
  });
}

describe('earlyoom: a real userspace OOM kill, read as an OOM event', function () {
  this.timeout(120000);
  let cg: MemcgInfo | null = null;
  let binary = '';

  before(function () {
    if (!which('earlyoom')) missingDependency(this, 'earlyoom (Debian package earlyoom) is not installed');
    if (!which('unshare')) missingDependency(this, 'unshare (util-linux) is not installed');
    if (!which('gcc')) missingDependency(this, 'gcc is needed to build the leaking child');
    if (process.getuid?.() !== 0) skipLoudly(this, 'needs root for a PID namespace and a memory cgroup');
    if (!memcgRoot()) skipLoudly(this, 'no memory cgroup controller on this host');
    binary = growBinary();
    cg = createMemcg(1024);
  });

  after(() => {
    if (cg) removeMemcg(cg);
  });

  it('--dryrun first: it picks the child, and its lines give no kill', async () => {
    const r = await runEarlyoom(cg!, binary, ['--dryrun'], /dryrun, not actually sending any signal/);
    assert.match(r.output, /dryrun mode enabled/, r.output);
    const sending = /sending SIG[A-Z]+ to process (\d+) uid \d+ "([^"]*)"/.exec(r.output);
    assert.ok(sending, r.output);
    assert.equal(Number(sending[1]), r.childPid, 'it would pick the child, and nothing else');
    assert.equal(sending[2], 'oomlens-grow');
    assert.match(r.output, /dryrun, not actually sending any signal/);
    const events = parseOomEvents(r.output).events;
    assert.deepEqual(events, [], JSON.stringify(events));
  });

  it('a real run kills the child; its output is one userspace-kill of that pid', async () => {
    const r = await runEarlyoom(cg!, binary, [], /process exited after|kill failed|escalating/);
    assert.match(r.output, /earlyoom v\d/, r.output);
    assert.match(r.output, /process exited after [\d.]+ seconds/, r.output);
    const result = parseOomEvents(r.output, { kind: 'test', detail: 'earlyoom output' });
    assert.deepEqual(result.warnings, []);
    assert.equal(result.events.length, 1, JSON.stringify(result.events));
    const [e] = result.events;
    assert.equal(e.kind, 'userspace-kill');
    assert.equal(e.userspace?.killer, 'earlyoom');
    assert.equal(e.victim?.pid, r.childPid);
    assert.equal(e.victim?.comm, 'oomlens-grow');
    assert.equal(e.victim?.uid, 0);
    assert.equal(e.userspace?.signal, 'SIGTERM');
    // It fired after the child grew past 100 MiB (the threshold's distance below MemAvailable).
    assert.ok((e.userspace?.vmRssKb ?? 0) >= 64 * 1024, JSON.stringify(e.userspace));
    assert.ok(e.userspace?.memLimitPercent !== null && e.userspace!.memLimitPercent! > 0);
    assert.equal(e.userspace?.swapLimitPercent, 100);
    assert.ok(e.userspace?.exitedAfterSeconds !== null);
  });
});
