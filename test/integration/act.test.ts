// Host-changing actions through the built CLI (`oom-lens act`), for real, each on the test's own
// material and put back after: a child that ignores SIGTERM, a swap file, a child's oom_score_adj,
// a sysctl, drop_caches, a unit drop-in checked by systemd-analyze, the test's own memory cgroup;
// the same over the private sshd as a non-root user with and without sudo -n rights; and bad
// input refused with nothing changed.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, requireBuiltCli, isRoot, skipLoudly, which, missingDependency } from './helpers';
import { createMemcg, removeMemcg, memcgRoot } from './support/oomKill';
import { sshFixture, type SshFixture } from './sshd/fixture';
import { requireSshd, TEST_USER } from './sshd/harness';

const state = mkdtempSync(join(tmpdir(), 'oomlens-act-state-'));
function act(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, 'act', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, XDG_STATE_HOME: state, ...extraEnv },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, json: () => JSON.parse(r.stdout) };
}
const sleeper = (ignoreTerm = false): ChildProcess => spawn('sh', ['-c', ignoreTerm ? "trap '' TERM; exec sleep 300" : 'exec sleep 300'], { stdio: 'ignore' });
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('oom-lens act (the built CLI): real changes, each undone', function () {
  this.timeout(120_000);
  const children: ChildProcess[] = [];
  before(function () {
    requireBuiltCli();
    if (!isRoot) skipLoudly(this, 'changing swap, sysctls and other processes needs root');
  });
  after(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
  });

  it('a dry run by default: the exact command and the current value, and nothing changes', async () => {
    const c = sleeper();
    children.push(c);
    await sleep(200);
    const r = act(['kill', String(c.pid)]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /DRY RUN .*nothing was changed/);
    assert.match(r.out, new RegExp(`^ {2}kill ${c.pid}$`, 'm'));
    assert.match(r.out, /Run it with --apply\./);
    await sleep(300);
    assert.ok(alive(c.pid!), 'a dry run killed it');
  });

  it('kill: SIGTERM, a wait, then SIGKILL for a child that ignores SIGTERM; both in the log', async () => {
    const c = sleeper(true);
    children.push(c);
    await sleep(300);
    const r = act(['kill', String(c.pid), '--escalate', '2s', '--apply', '--json']);
    assert.equal(r.code, 0, r.err + r.out);
    const j = r.json();
    assert.deepEqual(
      j.entries.map((e: { inputs: { signal: string } }) => e.inputs.signal),
      ['TERM', 'KILL'],
    );
    assert.deepEqual(j.aliveAfterTerm, [c.pid], 'it survived SIGTERM');
    assert.deepEqual(j.aliveAtEnd, []);
    await sleep(200);
    assert.ok(!alive(c.pid!));
    const log = act(['log', '--json']).json();
    assert.ok(
      log.entries.some((e: { id: string }) => e.id === j.entries[1].id),
      'the audit log has it',
    );
    assert.equal(j.entries[0].undo, null, 'a kill has no undo');
  });

  it('oom_score_adj of a child: set, read back, undone', async () => {
    const c = sleeper();
    children.push(c);
    await sleep(200);
    const before = readFileSync(`/proc/${c.pid}/oom_score_adj`, 'utf8').trim();
    const r = act(['oom-adj', String(c.pid), '500', '--apply', '--json']);
    assert.equal(r.code, 0, r.err);
    const e = r.json();
    assert.equal(readFileSync(`/proc/${c.pid}/oom_score_adj`, 'utf8').trim(), '500');
    assert.match(e.after, /^500/);
    const u = act(['undo', e.id, '--apply', '--json']);
    assert.equal(u.code, 0, u.err);
    assert.equal(u.json().undoOf, e.id);
    assert.equal(readFileSync(`/proc/${c.pid}/oom_score_adj`, 'utf8').trim(), before);
  });

  it('a sysctl written and restored (vm.swappiness)', () => {
    const before = readFileSync('/proc/sys/vm/swappiness', 'utf8').trim();
    const next = before === '37' ? '38' : '37';
    const r = act(['sysctl', `vm.swappiness=${next}`, '--apply', '--json']);
    assert.equal(r.code, 0, r.err);
    assert.equal(readFileSync('/proc/sys/vm/swappiness', 'utf8').trim(), next);
    const u = act(['undo', r.json().id, '--apply']);
    assert.equal(u.code, 0, u.err);
    assert.equal(readFileSync('/proc/sys/vm/swappiness', 'utf8').trim(), before);
  });

  it('drop caches: the cache size before and after', () => {
    const r = act(['drop-caches', '--apply', '--json']);
    assert.equal(r.code, 0, r.err);
    const e = r.json();
    const cached = (t: string) => Number(/^Cached:\s+(\d+)/m.exec(t)?.[1]);
    assert.ok(Number.isFinite(cached(e.before)) && Number.isFinite(cached(e.after)), `${e.before} / ${e.after}`);
    assert.ok(cached(e.after) <= cached(e.before) + 64 * 1024, 'the cache did not grow past what a busy machine refills');
  });

  it('a real swap file added (seen in /proc/swaps, in fstab with --persist), then undone', () => {
    const file = `/var/tmp/oomlens-swap-${process.pid}`;
    const fstab = readFileSync('/etc/fstab', 'utf8');
    try {
      const r = act(['swap', 'add', '64M', '--file', file, '--persist', '--apply', '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      assert.ok(readFileSync('/proc/swaps', 'utf8').includes(file), 'not in /proc/swaps');
      assert.ok(readFileSync('/etc/fstab', 'utf8').includes(`${file} none swap sw 0 0`));
      const u = act(['undo', r.json().id, '--apply']);
      assert.equal(u.code, 0, u.err + u.out);
      assert.ok(!readFileSync('/proc/swaps', 'utf8').includes(file));
      assert.ok(!existsSync(file));
      assert.equal(readFileSync('/etc/fstab', 'utf8'), fstab, 'fstab is as it was');
    } finally {
      spawnSync('swapoff', [file]);
      if (existsSync(file)) unlinkSync(file);
      writeFileSync('/etc/fstab', fstab);
    }
  });

  it('a drop-in for a unit (OOMScoreAdjust), checked with systemd-analyze verify, then undone', function () {
    if (!which('systemd-analyze')) missingDependency(this, 'systemd-analyze is not installed (apt-get install -y systemd)');
    const unit = `oomlens-test-${process.pid}.service`;
    const unitFile = `/etc/systemd/system/${unit}`;
    writeFileSync(unitFile, '[Unit]\nDescription=OOM Lens test unit\n[Service]\nExecStart=/bin/sleep 1\n');
    try {
      const r = act(['oom-adj', '0', '-500', '--unit', unit, '--apply', '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      const dropIn = `/etc/systemd/system/${unit}.d/90-oom-lens.conf`;
      assert.equal(readFileSync(dropIn, 'utf8'), '[Service]\nOOMScoreAdjust=-500\n');
      const v = spawnSync('systemd-analyze', ['verify', unitFile], { encoding: 'utf8' });
      assert.ok(!/OOMScoreAdjust|90-oom-lens/.test(v.stderr), `systemd-analyze verify complains: ${v.stderr}`);
      const u = act(['undo', r.json().id, '--apply']);
      assert.equal(u.code, 0, u.err + u.out);
      assert.ok(!existsSync(dropIn), 'undo removed only our drop-in');
    } finally {
      rmSync(`${unitFile}.d`, { recursive: true, force: true });
      rmSync(unitFile, { force: true });
    }
  });

  it("the memory limit of the test's own cgroup: set, read back, undone", function () {
    if (!memcgRoot()) skipLoudly(this, 'this kernel has no memory cgroup controller');
    const cg = createMemcg(64);
    try {
      const file = cg.version === 2 ? join(cg.fsPath, 'memory.max') : join(cg.fsPath, 'memory.limit_in_bytes');
      const r = act(['cgroup-limit', cg.path, '96M', '--apply', '--json']);
      assert.equal(r.code, 0, r.err + r.out);
      assert.equal(readFileSync(file, 'utf8').trim(), String(96 * 1024 * 1024));
      const u = act(['undo', r.json().id, '--apply']);
      assert.equal(u.code, 0, u.err + u.out);
      assert.equal(readFileSync(file, 'utf8').trim(), String(64 * 1024 * 1024));
    } finally {
      removeMemcg(cg);
    }
  });

  it('bad input is refused with a one-line reason, exit 1, and nothing changes', async () => {
    const c = sleeper();
    children.push(c);
    await sleep(200);
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const cases: [string[], RegExp][] = [
      [['kill', '1', '--apply'], /pid 1 \(init\) is never killed/],
      [['kill', String(gone.pid), '--apply'], /is not running/],
      [['swap', 'add', '-64M', '--apply'], /swap size in MiB/],
      [['swap', 'add', '1000G', '--file', '/var/tmp/oomlens-too-big', '--apply'], /not enough for a .* swap file/],
      [['swap', 'add', '64M', '--file', '/dev/shm/oomlens-swap', '--apply'], /is on tmpfs: a swap file cannot live there/],
      [['oom-adj', '0', '-500', '--unit', 'x.service; reboot', '--apply'], /not a plain unit name/],
      [['oom-adj', String(c.pid), '-1000', '--apply'], /-1000 makes sleep unkillable/],
      [['sysctl', 'kernel.panic=1', '--apply'], /not a setting this tool changes/],
    ];
    const adj = readFileSync(`/proc/${c.pid}/oom_score_adj`, 'utf8');
    for (const [args, why] of cases) {
      const r = act(args);
      assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}\n${r.err}${r.out}`);
      assert.match(r.err, why, args.join(' '));
      assert.equal(r.err.trim().split('\n').length, 1, 'one line');
    }
    assert.ok(alive(c.pid!));
    assert.equal(readFileSync(`/proc/${c.pid}/oom_score_adj`, 'utf8'), adj);
    assert.ok(!existsSync('/var/tmp/oomlens-too-big'));
    assert.ok(!existsSync('/dev/shm/oomlens-swap'));
  });
});

describe('oom-lens act over SSH as a non-root user (private sshd)', function () {
  this.timeout(120_000);
  let fx: SshFixture | null = null;
  const sudoers = `/etc/sudoers.d/oomlens-act-test-${process.pid}`;
  let child: ChildProcess | null = null;
  before(async function () {
    requireSshd(this);
    requireBuiltCli();
    if (!which('sudo')) missingDependency(this, 'sudo is not installed (apt-get install -y sudo)');
    fx = await sshFixture();
    child = sleeper();
    await sleep(200);
  });
  after(async () => {
    child?.kill('SIGKILL');
    rmSync(sudoers, { force: true });
    await fx?.stop();
  });
  const remote = (args: string[]) => act([...args, '--host', 'user', '--ssh-config', fx!.configPath]);

  it('without sudo -n rights: a clear refusal naming sudo, and nothing changes', () => {
    const before = readFileSync(`/proc/${child!.pid}/oom_score_adj`, 'utf8').trim();
    const r = remote(['oom-adj', String(child!.pid), '300', '--apply', '--json']);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /sudo on user needs a password .*never asks for or stores a password/);
    assert.equal(readFileSync(`/proc/${child!.pid}/oom_score_adj`, 'utf8').trim(), before);
  });

  it('with sudo -n rights: done through sudo -n, read back, undone, in the log of that host', () => {
    writeFileSync(sudoers, `${TEST_USER} ALL=(root) NOPASSWD: ALL\n`, { mode: 0o440 });
    const before = readFileSync(`/proc/${child!.pid}/oom_score_adj`, 'utf8').trim();
    const r = remote(['oom-adj', String(child!.pid), '300', '--apply', '--json']);
    assert.equal(r.code, 0, r.out + r.err);
    const e = r.json();
    assert.equal(e.user, TEST_USER);
    assert.ok(
      e.commands.some((c: string) => c.includes('sudo -n tee')),
      JSON.stringify(e.commands),
    );
    assert.equal(readFileSync(`/proc/${child!.pid}/oom_score_adj`, 'utf8').trim(), '300');
    const u = remote(['undo', e.id, '--apply']);
    assert.equal(u.code, 0, u.out + u.err);
    assert.equal(readFileSync(`/proc/${child!.pid}/oom_score_adj`, 'utf8').trim(), before);
    assert.ok(remote(['log', '--json']).json().entries.length >= 2);
  });
});
