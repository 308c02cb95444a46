// The live diagnosis inside a real VS Code: while sampling runs, the diagnosis every view reads
// (tree, panel, Export) is the current state, not the first snapshot.
import { strict as assert } from 'node:assert';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { activeExtension } from './extension';

const vmRss = (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the live diagnosis in a real VS Code', function () {
  this.timeout(120_000);
  let grower: ChildProcess | null = null;
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-ext-live-'));

  after(async () => {
    grower?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    await (await activeExtension()).exports.services.sampling?.stop();
  });

  it('the tree, the report and Export follow each sample; stopping says so', async () => {
    // 2 MiB every 250 ms: 8 MiB/s.
    grower = spawn(process.execPath, ['-e', 'const k=[];setInterval(()=>k.push(Buffer.alloc(2<<20,1)),250)'], { stdio: 'ignore' });
    const pid = grower.pid!;
    const { services, tree } = (await activeExtension()).exports;
    await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: 'local' });
    const first = services.diagnosis!.report.processes.find((p) => p.pid === pid)?.rssKb ?? 0;
    await sleep(9_000);
    const r = services.diagnosis!.report;
    assert.equal(r.live?.state, 'sampling');
    assert.ok((r.live?.samples ?? 0) >= 5, `${r.live?.samples} samples`);
    const now = r.processes.find((p) => p.pid === pid)!.rssKb!;
    assert.ok(now - first > 30 * 1024, `the diagnosis still shows ${first} → ${now} kB after 9 s of 8 MiB/s`);
    assert.ok(Math.abs(vmRss(pid) - now) < 16 * 1024, `report ${now} kB vs VmRSS ${vmRss(pid)} kB`);
    const [host] = tree.getChildren();
    assert.match(String(host.description), /sampling, \d+ samples/);
    // Export while sampling: the current state, with its series.
    const out = vscode.Uri.file(join(dir, 'live.json'));
    await vscode.commands.executeCommand(COMMANDS.exportReport.id, out);
    const exported = JSON.parse(readFileSync(out.fsPath, 'utf8'));
    assert.equal(exported.live.state, 'sampling');
    assert.ok(exported.samples.t.length >= 5, 'Export carries the samples');
    assert.ok(exported.processes.find((p: { pid: number }) => p.pid === pid).rssKb > first + 30 * 1024, 'Export has the current RSS');
    await vscode.commands.executeCommand(COMMANDS.stopSampling.id);
    assert.equal(services.diagnosis!.report.live?.state, 'stopped');
  });
});
