// Acting on the diagnosis inside a real VS Code: oomLens.readOnly hides and refuses every
// host-changing command, whatever calls it (a menu, a webview message, another extension).
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { activeExtension } from './extension';

describe('actions in a real VS Code', function () {
  this.timeout(60_000);

  it('oomLens.readOnly refuses Kill, Fix and Undo and leaves the process running', async () => {
    const child = spawn('sleep', ['600'], { stdio: 'ignore' });
    const config = vscode.workspace.getConfiguration('oomLens');
    try {
      await activeExtension();
      await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: 'local' });
      await config.update('readOnly', true, vscode.ConfigurationTarget.Global);
      assert.equal(await vscode.commands.executeCommand(COMMANDS.killProcess.id, { pid: child.pid }), undefined);
      assert.equal(await vscode.commands.executeCommand(COMMANDS.fixFinding.id, { key: 'any', remedy: 0 }), undefined);
      assert.equal(await vscode.commands.executeCommand(COMMANDS.undoAction.id, { id: 'any' }), undefined);
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(existsSync(`/proc/${child.pid}`) && child.exitCode === null && child.signalCode === null, 'the process was signalled under oomLens.readOnly');
    } finally {
      await config.update('readOnly', undefined, vscode.ConfigurationTarget.Global);
      child.kill('SIGKILL');
      await (await activeExtension()).exports.services.sampling?.stop();
    }
  });
});
