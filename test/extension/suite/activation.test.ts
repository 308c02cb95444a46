import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { activeExtension } from './extension';

describe('OOM Lens in a real VS Code', () => {
  it('runs inside VS Code 1.139 with the extension on the workspace side', async () => {
    console.log(`    vscode.version = ${vscode.version}`);
    assert.match(vscode.version, /^1\.\d+\.\d+/);
    const ext = await activeExtension();
    assert.equal(ext.isActive, true);
    assert.equal(ext.extensionKind, vscode.ExtensionKind.Workspace);
    assert.deepEqual(ext.packageJSON.extensionKind, ['workspace']);
  });

  it('registers every command it declares, all in category "OOM Lens"', async () => {
    await activeExtension();
    const all = await vscode.commands.getCommands(true);
    for (const c of Object.values(COMMANDS)) assert.ok(all.includes(c.id), `command ${c.id} not registered`);
    const pkg = (await activeExtension()).packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'OOM Lens', c.command);
  });

  it('diagnoses this machine: the report MemTotal equals /proc/meminfo, and the panel opens', async () => {
    const ext = await activeExtension();
    const services = ext.exports.services;
    await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: 'local' });
    const report = services.diagnosis?.report;
    assert.ok(report, 'no diagnosis after the command');
    const memTotal = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    assert.equal(report.memory.totalKb, memTotal);
    assert.ok(
      report.processes.some((p) => p.pid === process.pid),
      'the extension host itself is among the processes',
    );
    // The tab model reaches the extension host asynchronously from the workbench: poll briefly.
    const findTab = () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('oomLens.panel'));
    for (let i = 0; i < 50 && !findTab(); i++) await new Promise((r) => setTimeout(r, 100));
    const tab = findTab();
    assert.ok(
      tab,
      `the OOM Lens panel is not open; tabs: ${JSON.stringify(vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => [t.label, (t.input as { viewType?: string })?.viewType, t.input?.constructor?.name]))}`,
    );
    assert.equal(tab.label, 'OOM Lens');
  });

  it('shows the diagnosis in the tree: host, memory, top processes by RSS', async () => {
    const { tree } = (await activeExtension()).exports;
    const [host] = tree.getChildren();
    assert.ok(host, 'the tree is empty after a diagnosis');
    const sections = tree.getChildren(host).map((n) => String(n.label));
    assert.match(sections[0], /^Findings \(\d+\)$/);
    assert.equal(sections[1], 'Memory');
    assert.match(sections[2], /^OOM kills \(\d+\)$/);
    assert.equal(sections[3], 'Top processes by RSS');
    const procs = tree.getChildren(tree.getChildren(host)[3]);
    assert.equal(procs.length, Math.min(15, procs.length));
    assert.ok(procs.length > 0);
    assert.match(String(procs[0].description), /^RSS .+ · oom_score \d+ · adj -?\d+$/);
  });

  it('Open Kernel Log… reads a log file the user has and lists its OOM events in the tree', async () => {
    const { services, tree } = (await activeExtension()).exports;
    const file = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'corpus', 'kernel-oom', '010-ubuntu-memcg-same-parent-two-children.txt');
    await vscode.commands.executeCommand(COMMANDS.openKernelLog.id, vscode.Uri.file(file));
    const opened = services.openedLogs.find((l) => l.path === file);
    assert.ok(opened, 'the log was not opened');
    assert.ok(opened.result.events.length >= 2);
    const root = tree.getChildren().find((n) => n.label === '010-ubuntu-memcg-same-parent-two-children.txt');
    assert.ok(root, 'no tree node for the log');
    const [events] = tree.getChildren(root);
    assert.equal(events.label, `OOM events (${opened.result.events.length})`);
    assert.equal(tree.getChildren(events).length, opened.result.events.length);
  });

  it('reads its settings with the declared defaults', () => {
    const cfg = vscode.workspace.getConfiguration('oomLens');
    assert.equal(cfg.get('topProcesses'), 15);
    assert.equal(cfg.get('collect.smapsRollup'), true);
  });
});
