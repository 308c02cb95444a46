import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { activeExtension } from './extension';

describe('Generate Alert Rules in a real VS Code', () => {
  it('opens the generic rules as an untitled YAML document with groups:', async () => {
    await activeExtension();
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(COMMANDS.generateAlertRules.id, { generic: true });
    assert.ok(doc, 'the command returned no document');
    assert.equal(doc.languageId, 'yaml');
    assert.equal(doc.isUntitled, true);
    const text = doc.getText();
    assert.match(text, /^groups:$/m);
    assert.match(text, /- alert: OomKillDetected$/m);
    assert.match(text, /oom-lens diagnose --host/);
    assert.equal(vscode.window.activeTextEditor?.document, doc, 'the rules are in the active editor');
  });

  it('tuned to the diagnosed host: its name in the header', async () => {
    const { services } = (await activeExtension()).exports;
    if (!services.diagnosis) await vscode.commands.executeCommand(COMMANDS.diagnose.id, { host: 'local' });
    const name = services.diagnosis!.report.host.name;
    const doc = await vscode.commands.executeCommand<vscode.TextDocument | undefined>(COMMANDS.generateAlertRules.id, { forHost: true });
    assert.ok(doc);
    assert.equal(doc.languageId, 'yaml');
    assert.ok(doc.getText().includes(`--for-host (tuned to ${name})`), doc.getText().slice(0, 400));
  });
});
