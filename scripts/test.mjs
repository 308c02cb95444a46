// `npm test`: every tier, in order, then one summary with the counts of each.
//   1. lint + type check   2. build   3. unit (mocha, no VS Code)
//   4. integration (real host components)   5. extension host (inside a real VS Code) + UI tests
// All tiers run even when one fails, so one run shows everything; the exit code is non-zero if any failed.
// OOM_LENS_TIERS=unit,integration runs a subset (for quick local loops; CI runs all).
import { spawn } from 'node:child_process';

const only = process.env.OOM_LENS_TIERS ? new Set(process.env.OOM_LENS_TIERS.split(',')) : null;
const results = [];

function run(name, cmd, args, parse) {
  return new Promise((resolve) => {
    if (only && !only.has(name)) { results.push({ name, skipped: true }); return resolve(); }
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const started = Date.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    child.on('close', (code) => {
      results.push({ name, ok: code === 0, code, ms: Date.now() - started, ...(parse ? parse(out) : {}) });
      resolve();
    });
  });
}

const mochaCounts = (out) => {
  const n = (re) => Number(re.exec(out)?.[1] ?? 0);
  return { passed: n(/(\d+) passing/), failed: n(/(\d+) failing/), pending: n(/(\d+) pending/) };
};
const extCounts = (out) => {
  const host = /extension-host tests \(inside VS Code ([^,]+), ([^)]+)\): (\d+) passed, (\d+) failed/.exec(out);
  const ui = /UI tests: (\d+) passed, (\d+) failed/.exec(out);
  return {
    vscode: host ? `${host[1]} (${host[2]})` : 'did not run to the end',
    passed: (host ? Number(host[3]) : 0) + (ui ? Number(ui[1]) : 0),
    failed: (host ? Number(host[4]) : 0) + (ui ? Number(ui[2]) : 0),
    detail: `${host ? `${host[3]} passed, ${host[4]} failed in the extension host` : 'no extension-host summary'}; ${ui ? `UI ${ui[1]} passed, ${ui[2]} failed` : 'UI tests did not run'}`,
  };
};

await run('lint', 'npx', ['eslint', '.']);
await run('types', 'npm', ['run', '-s', 'check-types']);
await run('build', 'node', ['scripts/build.mjs', '--quiet']);
await run('unit', 'npx', ['mocha'], mochaCounts);
await run('integration', 'npx', ['mocha', '--config', '.mocharc.integration.json'], mochaCounts);
await run('extension', 'node', ['test/harness/run-extension-tests.mjs'], extCounts);

console.log('\n=== summary');
let failed = false;
for (const r of results) {
  if (r.skipped) { console.log(`${r.name.padEnd(12)} not run (OOM_LENS_TIERS=${process.env.OOM_LENS_TIERS})`); continue; }
  if (!r.ok) failed = true;
  const counts = r.passed !== undefined ? `${r.passed} passed, ${r.failed} failed${r.pending ? `, ${r.pending} skipped (reasons above, marked ⚠ SKIPPED)` : ''}` : (r.ok ? 'ok' : `FAILED (exit ${r.code})`);
  const extra = r.vscode ? ` — inside VS Code ${r.vscode}; ${r.detail}` : '';
  console.log(`${r.name.padEnd(12)} ${r.ok ? '✔' : '✘'} ${counts}${extra} (${(r.ms / 1000).toFixed(1)} s)`);
  if (r.passed !== undefined && !r.ok && r.failed === 0) console.log(`${''.padEnd(12)}   exited ${r.code} without a test failure count: see its output above`);
}
process.exit(failed ? 1 : 0);
