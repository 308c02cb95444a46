// "OOM Lens: Watch Host…" inside a real VS Code: the watch on this machine (the command with an
// argument, no picker) sees a REAL OOM kill in a memory cgroup the test creates and shows the
// notification ("OOM kill on HOST: victim (pid), size, cgroup" with "Open Diagnosis") within 5 s;
// the status bar item counts it; "Stop Watching" ends it. Root only (the cgroup).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { createMemcg, memcgRoot, removeMemcg, startGrowerIn } from '../../integration/support/oomKill';
import { activeExtension } from './extension';
import { missingDependency, skipLoudly } from './deps';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(find: () => T | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = find();
    if (v) return v;
    if (Date.now() > end) throw new Error(`no ${what} within ${ms} ms`);
    await sleep(50);
  }
}

describe('Watch Host… in a real VS Code (this machine, a real OOM kill)', function () {
  this.timeout(120_000);
  let dir = '';
  let grower = '';

  before(function () {
    if (process.getuid?.() !== 0) skipLoudly(this, 'a real OOM kill in a test cgroup needs root');
    if (!memcgRoot()) skipLoudly(this, 'this kernel has no memory cgroup controller');
    if (spawnSync('sh', ['-c', 'command -v gcc']).status !== 0) missingDependency(this, 'gcc is not installed (apt-get install gcc libc6-dev)');
    dir = mkdtempSync(path.join(tmpdir(), 'oomlens-ext-watch-'));
    grower = path.join(dir, 'oomlens-grow');
    const cc = spawnSync('gcc', ['-O0', '-o', grower, path.join(ROOT, 'test', 'fixtures', 'programs', 'grow.c')], { encoding: 'utf8' });
    assert.equal(cc.status, 0, `gcc failed: ${cc.stderr}`);
  });

  after(async () => {
    await (await activeExtension()).exports.watch.stopAll();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows "OOM kill on HOST: victim (pid), size, cgroup" with Open Diagnosis; the status bar counts it; Stop Watching ends it', async () => {
    const { watch } = (await activeExtension()).exports;
    await vscode.commands.executeCommand(COMMANDS.watchHost.id, { host: 'local' });
    assert.deepEqual(watch.hosts, ['local']);
    // Ready when the kernel log is followed and a first sample came.
    await until(
      () => /^following /.test(watch.details('local')?.kernelLog ?? '') && (watch.details('local')?.samples ?? 0) > 0,
      30_000,
      'a followed kernel log and a sample',
    );
    assert.match(watch.statusText, /^\$\(eye\) \S+: ok$/);
    const before = watch.notifications.length;
    const cg = createMemcg(64);
    let pid = 0;
    let diedAt: number;
    try {
      const run = await startGrowerIn(cg, grower, ['4', '20']);
      pid = run.pid;
      assert.equal((await run.exit).signal, 'SIGKILL');
      diedAt = Date.now();
    } finally {
      removeMemcg(cg);
    }
    const n = await until(
      () => watch.notifications.slice(before).find((x) => x.event.type === 'oom-kill' && x.event.pid === pid),
      5000,
      `a notification of the kill of ${pid} within 5 s`,
    );
    console.log(`      notification ${Date.parse(n.at) - diedAt} ms after the kill`);
    assert.equal(n.severity, 'critical');
    assert.deepEqual(n.actions, ['Open Diagnosis']);
    assert.match(n.message, new RegExp(`^OOM kill on \\S+: oomlens-grow \\(${pid}\\), anon-rss [\\d.]+ MiB, cgroup ${cg.path}$`));
    // Other tests on this machine may kill something too: at least this one is counted.
    assert.match(watch.statusText, /^\$\(eye\) \S+: \d+ kills?$/);
    await vscode.commands.executeCommand(COMMANDS.stopWatching.id, { host: 'local' });
    assert.deepEqual(watch.hosts, []);
    assert.equal(watch.statusText, '');
  });
});
