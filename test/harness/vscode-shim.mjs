#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }):
// it takes the arguments test-electron passes (--extensionDevelopmentPath=…, --extensionTestsPath=…,
// plus Electron-only flags that mean nothing here) and runs the suite in code-server instead.
import { runSuiteInCodeServer } from './run-suite-in-code-server.mjs';

const opts = {};
const positionals = [];
for (const a of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(a);
  if (m) opts[m[1]] = m[2];
  else if (!a.startsWith('--')) positionals.push(a);
  // Flags like --no-sandbox, --disable-updates, --skip-welcome are Electron's: ignored.
}
if (!opts.extensionDevelopmentPath || !opts.extensionTestsPath) {
  console.error('vscode-shim: needs --extensionDevelopmentPath= and --extensionTestsPath=');
  process.exit(2);
}
runSuiteInCodeServer({
  extensionDevelopmentPath: opts.extensionDevelopmentPath,
  extensionTestsPath: opts.extensionTestsPath,
  folder: positionals[0],
}).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`vscode-shim: ${e.message}`);
    process.exit(1);
  },
);
