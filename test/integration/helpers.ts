import { spawn, spawnSync, ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');

export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
}

export const isRoot = process.getuid?.() === 0;

/** Skips a test LOUDLY with its reason (a silent skip would hide a missing dependency). */
export function skipLoudly(ctx: Mocha.Context, reason: string): never {
  console.warn(`\n    ⚠ SKIPPED: ${ctx.test?.fullTitle()}\n      reason: ${reason}\n`);
  ctx.skip();
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
