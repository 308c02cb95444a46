// Runs an extension-host mocha suite inside code-server and returns its exit code
// (codeAutomationExit is the authoritative result; the server log says "exited with code 0" even
// when tests fail). Also usable as a program: node run-suite-in-code-server.mjs DEV_PATH TESTS_PATH [FOLDER]
import { fileURLToPath } from 'node:url';
import { startCodeServer, openBrowser, workbenchUrl } from './codeServer.mjs';

const WORKBENCH_NOISE =
  /^\[(AgentHost|AccountPolicyGate|ChatModelSelection|Service Worker|reconnection-grace-time)\]|^Ignoring fetching additional builtin|Authentication provider is not ready/;
const SUITE_TIMEOUT_MS = Number(process.env.OOM_LENS_SUITE_TIMEOUT_MS || 300_000);

export async function runSuiteInCodeServer({ extensionDevelopmentPath, extensionTestsPath, folder, env = {} }) {
  const server = await startCodeServer({ env });
  let browser;
  try {
    let resolveExit;
    const exited = new Promise((r) => {
      resolveExit = r;
    });
    // The workbench logs a lot of its own chatter; print the suite's output (from its start marker)
    // and keep the rest for when the suite never starts.
    const early = [];
    let started = false;
    const onLog = (line) => {
      if (line.includes('[extension-host] running inside')) started = true;
      if (started && !WORKBENCH_NOISE.test(line)) process.stdout.write(`  ${line}\n`);
      else if (!started) {
        early.push(line);
        if (early.length > 200) early.shift();
      }
    };
    const opened = await openBrowser({ onExit: (code) => resolveExit(code), onLog });
    browser = opened.browser;
    await opened.page.goto(workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }));
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS));
    const code = await Promise.race([exited, timeout]);
    if (code === 'timeout') {
      process.stderr.write(
        `extension-host suite did not finish within ${SUITE_TIMEOUT_MS / 1000} s\n--- workbench log ---\n${early.join('\n')}\n--- code-server log (tail) ---\n${server.serverLog.slice(-60).join('')}\n`,
      );
      return 1;
    }
    return code;
  } finally {
    await browser?.close().catch(() => {});
    server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dev, tests, folder] = process.argv.slice(2);
  if (!dev || !tests) {
    console.error('usage: run-suite-in-code-server.mjs EXTENSION_DEV_PATH EXTENSION_TESTS_PATH [FOLDER]');
    process.exit(2);
  }
  runSuiteInCodeServer({ extensionDevelopmentPath: dev, extensionTestsPath: tests, folder })
    .then((code) => process.exit(code))
    .catch((e) => {
      console.error(e.message);
      process.exit(1);
    });
}
