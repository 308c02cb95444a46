import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, cpSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host/localHost';
import type { ExecOptions, Host } from '../../src/core/host/host';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

export const isRoot = process.getuid?.() === 0;

let sharedCli: string | null = null;
/**
 * The built CLI where any user can run it: a copy of dist/ (and media/, which the HTML report
 * reads) in a world-readable temporary folder. The checkout may sit in a folder other users cannot
 * enter (/root, a `mktemp -d` folder), so running dist/cli.js from there as nobody fails with
 * MODULE_NOT_FOUND. Removed when the test process exits.
 */
export function cliForOtherUsers(): string {
  if (sharedCli) return sharedCli;
  requireBuiltCli();
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-cli-'));
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'media'), join(dir, 'media'), { recursive: true });
  chmodSync(dir, 0o755);
  spawnSync('chmod', ['-R', 'a+rX', dir]);
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  sharedCli = join(dir, 'dist', 'cli.js');
  return sharedCli;
}

/**
 * Skips a test LOUDLY with its reason, for what cannot exist on this machine (no Docker engine, not
 * root, a kernel setting the test cannot change). A missing package is not such a reason: use
 * `missingDependency`.
 */
export function skipLoudly(ctx: Mocha.Context, reason: string): never {
  console.warn(`\n    ⚠ SKIPPED: ${ctx.test?.fullTitle()}\n      reason: ${reason}\n`);
  ctx.skip();
}

/**
 * A tool or package the test needs is missing. Under `npm test`, which installs the packages of
 * test/system-packages.txt first, that is a failure (the list lacks it, or the install broke);
 * a bare mocha run skips loudly instead.
 */
export function missingDependency(ctx: Mocha.Context, reason: string): never {
  if (process.env.OOM_LENS_DEPS_REQUIRED === '1') {
    throw new Error(`missing dependency: ${reason}. npm test installs test/system-packages.txt before this tier: add the package there`);
  }
  skipLoudly(ctx, reason);
}

export function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** A child that allocates and touches `mb` MiB, optionally sets its own oom_score_adj, then waits. */
export function startHog(mb: number, oomScoreAdj?: number): Promise<ChildProcess> {
  const code = `
    ${oomScoreAdj !== undefined ? `require('fs').writeFileSync('/proc/self/oom_score_adj', '${oomScoreAdj}');` : ''}
    const b = Buffer.alloc(${mb} * 1024 * 1024, 1);
    globalThis.keep = b;
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (c) => reject(new Error(`hog exited early (${c})`)));
  });
}

/** This machine, with each command (and its stdin) passed through `rewrite` first: a test's own paths or namespace. */
export function rewritingLocalHost(name: string, rewrite: (command: string, o: ExecOptions) => [string, ExecOptions]): Host {
  const local = new LocalHost();
  return {
    via: 'local',
    name,
    exec: (command, o = {}) => local.exec(...rewrite(command, o)),
    close: async () => {},
  };
}
