// One esbuild script for every bundle: extension (node, CJS, `vscode` external), CLI (node, with a
// shebang), webview (browser IIFE), and the extension-host test suites.
// Flags: --watch, --production (minify, no sourcemaps), --quiet.
import * as esbuild from 'esbuild';
import { readFileSync, readdirSync, chmodSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const quiet = args.has('--quiet');
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: quiet ? 'warning' : 'info',
  define: { __OOM_LENS_VERSION__: JSON.stringify(pkg.version) },
};
// ssh2's native addons are optional (it falls back to pure JS when they fail to load); leave them
// out of the bundle so the extension and CLI run anywhere, .vsix included.
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['cpu-features', '*.node'] };

function files(dir, re) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, re));
    else if (re.test(name)) out.push(p);
  }
  return out;
}

// Packages the CLI needs only for some commands (ssh2 for --host, saxes for leak reports, yaml for alerts) are
// bundled into files of their own under dist/vendor/ and required from there when first used:
// the CLI then compiles 451 KB instead of 1.26 MB at start-up. The extension keeps them inline.
const VENDOR = ['ssh2', 'ssh-config', 'saxes', 'yaml'];
const vendorPlugin = {
  name: 'vendor',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${VENDOR.join('|')})$`) }, (a) => ({ path: `./vendor/${a.path}.js`, external: true }));
  },
};

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: [...node.external, 'vscode'] },
  // The CLI: a small entry (bin.ts) that starts the snapshot collector, then loads the rest.
  { ...node, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/cli.js', external: [...node.external, './cli-main.js'] },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli-main.js', plugins: [vendorPlugin] },
  ...VENDOR.map((pkg) => ({
    ...node,
    sourcemap: false,
    stdin: { contents: `module.exports = require(${JSON.stringify(pkg)});`, resolveDir: '.', loader: 'js' },
    outfile: `dist/vendor/${pkg}.js`,
  })),
  { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { panel: 'webview/main.ts' }, outdir: 'dist/webview' },
  {
    ...node,
    sourcemap: true,
    minify: false,
    entryPoints: files('test/extension', /\.ts$/),
    outbase: 'test/extension',
    outdir: 'dist-test/extension',
    external: [...node.external, 'vscode', 'mocha'],
  },
];

// Stale bundles of deleted test files would still run: start the test output from scratch; a
// production build (the .vsix) starts dist/ from scratch too, so no dev source maps ship.
rmSync('dist-test', { recursive: true, force: true });
if (production) rmSync('dist', { recursive: true, force: true });

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('[build] watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  chmodSync('dist/cli.js', 0o755);
}
