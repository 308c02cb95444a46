// Diagnose an SSH host from inside a real VS Code: a private sshd on loopback (the integration
// tests' harness), its alias in an ssh config that the setting oomLens.ssh.configFile points at.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { activeExtension } from './extension';
import { sshdMissingReason } from '../../integration/sshd/harness';
import { sshFixture, SshFixture } from '../../integration/sshd/fixture';
import { missingDependency, skipLoudly } from './deps';

describe('OOM Lens over SSH in a real VS Code', function () {
  this.timeout(120_000);
  let fx: SshFixture | null = null;

  before(async function () {
    const missing = sshdMissingReason();
    if (missing) missingDependency(this, missing);
    if (process.getuid?.() !== 0) {
      skipLoudly(this, 'needs root for the private sshd');
    }
    fx = await sshFixture();
    fx.writeConfig();
    fx.trust();
    await vscode.workspace.getConfiguration('oomLens').update('ssh.configFile', fx.configPath, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('oomLens').update('ssh.configFile', undefined, vscode.ConfigurationTarget.Global);
    await fx?.stop();
  });

  it('diagnoses the host behind an ssh config alias: via ssh, the same MemTotal', async () => {
    const { services } = (await activeExtension()).exports;
    await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: 'target' });
    const d = services.diagnosis;
    assert.ok(d, 'no diagnosis');
    assert.equal(d.host.via, 'ssh');
    assert.equal(d.report.host.via, 'ssh');
    assert.equal(d.report.memory.totalKb, Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]));
    assert.ok(d.report.processes.length > 10);
    await services.sampling?.stop();
  });
});
