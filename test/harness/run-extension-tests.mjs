// The extension-host tier of `npm test`:
// 1. the mocha suites of test/extension run INSIDE a real VS Code through @vscode/test-electron's
//    runTests. Here VS Code cannot be downloaded, so vscodeExecutablePath is a shim that runs
//    code-server 1.139.1 in headless Chromium; with OOM_LENS_VSCODE=electron, runTests downloads
//    and uses real Electron VS Code instead (where the network allows).
// 2. the UI tests of test/ui drive the real workbench with Playwright (palette, webview, screenshots).
import { runTests } from '@vscode/test-electron';
import { readFileSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startCodeServer, openBrowser, workbenchUrl } from './codeServer.mjs';

const root = resolve(import.meta.dirname, '..', '..');
const summaryFile = join(tmpdir(), `oom-lens-ext-summary-${process.pid}.json`);
const resultsDir = join(root, 'test-results');
const useElectron = process.env.OOM_LENS_VSCODE === 'electron';

async function hostSuite() {
  rmSync(summaryFile, { force: true });
  let exitCode = 0;
  try {
    await runTests({
      ...(useElectron ? { version: '1.139.1' } : { vscodeExecutablePath: join(root, 'test', 'harness', 'vscode-shim.mjs') }),
      extensionDevelopmentPath: root,
      extensionTestsPath: join(root, 'dist-test', 'extension', 'suite', 'index.js'),
      launchArgs: [join(root, 'test', 'fixtures', 'workspace')],
      // OOM_LENS_HOST_FILTER=watch runs only the matching suite files (a quick local loop; CI runs all).
      extensionTestsEnv: {
        OOM_LENS_TEST_SUMMARY: summaryFile,
        OOM_LENS_HOST_FILTER: process.env.OOM_LENS_HOST_FILTER ?? '',
        // npm test installed the system packages: a missing one fails instead of skipping
        OOM_LENS_DEPS_REQUIRED: process.env.OOM_LENS_DEPS_REQUIRED ?? '',
      },
    });
  } catch (e) {
    exitCode = e?.code ?? 1;
  }
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : null;
  rmSync(summaryFile, { force: true });
  return { exitCode, summary };
}

async function uiSuite() {
  // OOM_LENS_UI_FILTER=timeline runs only matching UI tests (a quick local loop; CI runs all).
  const only = process.env.OOM_LENS_UI_FILTER ? new RegExp(process.env.OOM_LENS_UI_FILTER) : null;
  const files = readdirSync(join(root, 'test', 'ui'))
    .filter((f) => f.endsWith('.ui.mjs') && (!only || only.test(f)))
    .sort();
  let passed = 0;
  const failures = [];
  for (const f of files) {
    const mod = await import(join(root, 'test', 'ui', f));
    const server = await startCodeServer({ settings: mod.settings ?? {}, theme: mod.theme });
    const b = await openBrowser({ onLog: () => {} });
    const started = Date.now();
    try {
      const openWorkbench = () => b.page.goto(workbenchUrl(server, { folder: join(root, 'test', 'fixtures', 'workspace'), extensionDevelopmentPath: root }));
      const info = await mod.run({ page: b.page, openWorkbench, resultsDir, server });
      passed++;
      console.log(`  ✔ ${mod.title} (${Date.now() - started} ms) ${info ? JSON.stringify(info) : ''}`);
    } catch (e) {
      failures.push(`${mod.title}: ${e.message}`);
      console.log(`  ✘ ${mod.title}\n    ${e.stack?.split('\n').slice(0, 6).join('\n    ')}`);
      await b.page.screenshot({ path: join(resultsDir, `FAILED-${f.replace(/\.mjs$/, '')}.png`) }).catch(() => {});
    } finally {
      await b.browser.close().catch(() => {});
      server.stop();
    }
  }
  return { passed, failed: failures.length, failures };
}

// OOM_LENS_UI_ONLY=1 skips the extension-host suite (a quick local loop for UI tests; CI runs all).
const host = process.env.OOM_LENS_UI_ONLY
  ? { exitCode: 0, summary: { vscodeVersion: 'skipped', appName: 'OOM_LENS_UI_ONLY', passed: 1, failed: 0 } }
  : await hostSuite();
const s = host.summary;
if (s) console.log(`extension-host tests (inside VS Code ${s.vscodeVersion}, ${s.appName}): ${s.passed} passed, ${s.failed} failed, ${s.skipped ?? 0} skipped`);
else console.log(`extension-host tests: no summary written (the suite did not run to the end), exit code ${host.exitCode}`);
// OOM_LENS_HOST_ONLY=1 skips the UI tests (a quick local loop for extension-host tests; CI runs all).
const hostOnly = !!process.env.OOM_LENS_HOST_ONLY;
if (hostOnly) console.log('UI tests: skipped (OOM_LENS_HOST_ONLY=1)');
else console.log('UI tests (Playwright driving the real workbench):');
const ui = hostOnly ? { passed: 0, failed: 0, failures: [] } : await uiSuite();
if (!hostOnly) console.log(`UI tests: ${ui.passed} passed, ${ui.failed} failed`);
const ok = host.exitCode === 0 && s && s.failed === 0 && s.passed > 0 && ui.failed === 0 && (hostOnly || ui.passed > 0);
process.exit(ok ? 0 : 1);
