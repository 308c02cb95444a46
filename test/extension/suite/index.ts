// Entry point the extension host loads (extensionTestsPath). Runs the suites with mocha 11 (CJS)
// and writes a JSON summary to $OOM_LENS_TEST_SUMMARY for the runner to print.
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  const dir = __dirname;
  const only = process.env.OOM_LENS_HOST_FILTER ? new RegExp(process.env.OOM_LENS_HOST_FILTER) : null;
  for (const f of fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.test.js') && (!only || only.test(n)))
    .sort())
    mocha.addFile(path.join(dir, f));
  console.log(
    `[extension-host] running inside VS Code ${vscode.version} (${vscode.env.appName}, uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'})`,
  );
  const started = Date.now();
  const { passed, failed, skipped, failures } = await new Promise<{ passed: number; failed: number; skipped: number; failures: string[] }>((resolve) => {
    let passedCount = 0;
    let pendingCount = 0;
    const failureTitles: string[] = [];
    const runner = mocha.run(() => resolve({ passed: passedCount, failed: failureTitles.length, skipped: pendingCount, failures: failureTitles }));
    runner.on('pass', () => {
      passedCount++;
    });
    runner.on('pending', () => {
      pendingCount++;
    });
    runner.on('fail', (test, err) => {
      failureTitles.push(`${test.fullTitle()}: ${(err as Error)?.message ?? err}`);
    });
  });
  const summary = {
    tier: 'extension-host',
    vscodeVersion: vscode.version,
    appName: vscode.env.appName,
    passed,
    failed,
    skipped,
    failures,
    ms: Date.now() - started,
  };
  console.log(`[extension-host] VS Code ${vscode.version}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  if (process.env.OOM_LENS_TEST_SUMMARY) fs.writeFileSync(process.env.OOM_LENS_TEST_SUMMARY, JSON.stringify(summary));
  if (failed > 0) throw new Error(`${failed} extension-host test${failed === 1 ? '' : 's'} failed`);
}
