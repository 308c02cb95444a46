// Runs things inside a real VS Code on a machine without internet: code-server (VS Code 1.139.1,
// on Node 24) driven by headless Chromium through playwright-core. See ../shared/docs/TESTING.md.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { ensureCodeServer } from './ensure-code-server.mjs';

const CHROMIUM = process.env.OOM_LENS_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, ms, child) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer on ${url} within ${ms / 1000} s`);
}

/**
 * Starts code-server with a throw-away profile. `theme` picks the color theme in the profile.
 * Returns { port, origin, dataDir, stop() }. The server runs in its own process group: stop() kills
 * the whole group (the extension host would otherwise linger for hours).
 */
export async function startCodeServer({ env = {}, theme, settings = {}, log = () => {} } = {}) {
  const cs = ensureCodeServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'oom-lens-cs-'));
  const userDataDir = join(dataDir, 'user-data');
  const extensionsDir = join(dataDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'security.workspace.trust.enabled': false,
        'workbench.enableExperiments': false,
        // Keep the screenshots about OOM Lens: no chat side bar, no AI features.
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...(theme ? { 'workbench.colorTheme': theme } : {}),
        ...settings,
      },
      null,
      2,
    ),
  );
  const port = await freePort();
  const args = [
    cs.codeServerEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  const child = spawn(cs.node24, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      EXTENSIONS_GALLERY: '{}',
      XDG_CONFIG_HOME: join(dataDir, 'config'),
      XDG_DATA_HOME: join(dataDir, 'data'),
    },
  });
  const serverLog = [];
  const keep = (d) => {
    serverLog.push(String(d));
    if (serverLog.length > 400) serverLog.shift();
    log(String(d));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const origin = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${origin}/healthz`, 60_000, child);
  } catch (e) {
    stop();
    throw new Error(`${e.message}\n--- code-server log ---\n${serverLog.join('')}`, { cause: e });
  }
  return { port, origin, dataDir, serverLog, stop };
}

/** The workbench URL that runs `extensionDevelopmentPath` (and a test suite) in the remote extension host. */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [['extensionDevelopmentPath', remote(extensionDevelopmentPath)]];
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', folder);
  q.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${q.toString()}`;
}

/**
 * Opens headless Chromium with the smoke-test driver's callbacks exposed BEFORE the page loads.
 * `onExit(code)` receives codeAutomationExit: the authoritative test result.
 */
export async function openBrowser({
  onLog = (line) => process.stdout.write(line + '\n'),
  onExit = () => {},
  colorScheme = 'dark',
  viewport = { width: 1400, height: 900 },
} = {}) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const list = Array.isArray(args) ? args : [args];
    // printf-style: drop %c styling arguments, format the rest.
    const fmt = typeof list[0] === 'string' ? list[0] : '';
    const rest = list.slice(typeof list[0] === 'string' ? 1 : 0);
    const styles = (fmt.match(/%c/g) || []).length;
    const line = format(fmt.replace(/%c/g, ''), ...rest.slice(styles).map((a) => (typeof a === 'string' ? a.replace(/%c/g, '') : a)));
    onLog(line.replace(/\s+$/, ''), type);
  });
  await page.exposeFunction('codeAutomationExit', (code) => onExit(Number(code)));
  return { browser, page, consoleErrors };
}
