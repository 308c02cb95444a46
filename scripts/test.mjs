// `npm test`: every tier, in order, then one summary with the counts of each.
//   1. lint + type check   2. build   3. unit (mocha, no VS Code)
//   4. integration (real host components)   5. extension host (inside a real VS Code) + UI tests
// Before tiers 4 and 5 the Debian packages they need (test/system-packages.txt) are made sure of:
// installed as root, otherwise the tier fails with the exact apt-get command (never a silent skip).
// All tiers run even when one fails, so one run shows everything; the exit code is non-zero if any
// failed, or if a tier that should have run tests ran none.
// OOM_LENS_TIERS=unit,integration runs a subset (for quick local loops; CI runs all).
import { spawn } from 'node:child_process';
import { systemPackages, ensureSystemPackages } from './system-packages.mjs';

const only = process.env.OOM_LENS_TIERS ? new Set(process.env.OOM_LENS_TIERS.split(',')) : null;
const results = [];
// Tests that find a package of the list missing fail instead of skipping: npm test made sure of them.
const childEnv = { ...process.env, FORCE_COLOR: '0', OOM_LENS_DEPS_REQUIRED: '1' };

// A tier that hangs (a test leaving a handle open, a tool waiting forever) is stopped after its
// budget and reported as timed out, so one hang never eats CI's whole time and hides the rest.
// Minutes; OOM_LENS_TIER_MINUTES=integration=40,extension=60 overrides.
const budgetMinutes = { lint: 10, types: 10, build: 5, unit: 15, integration: 30, extension: 50 };
for (const kv of (process.env.OOM_LENS_TIER_MINUTES ?? '').split(',').filter(Boolean)) {
  const [k, v] = kv.split('=');
  if (k in budgetMinutes && Number(v) > 0) budgetMinutes[k] = Number(v);
}

// The tier in its own process group does not get the terminal's Ctrl-C: pass it on.
let current = null;
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    if (current) {
      try {
        process.kill(-current.pid, sig);
      } catch {
        /* already gone */
      }
    }
    process.exit(130);
  });

function run(name, cmd, args, parse) {
  return new Promise((resolve) => {
    console.log(`\n=== ${name}: ${cmd} ${args.join(' ')}`);
    const started = Date.now();
    // its own process group, so the budget stops the tier's whole tree
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv, detached: true });
    current = child;
    let timedOut = false;
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const budget = setTimeout(
      () => {
        timedOut = true;
        console.error(`\n=== ${name}: STOPPED after its budget of ${budgetMinutes[name]} min (a hang: see the last test above)`);
        killGroup('SIGTERM');
        setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
      },
      (budgetMinutes[name] ?? 30) * 60_000,
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('close', (code) => {
      clearTimeout(budget);
      current = null;
      const counts = parse ? parse(out) : {};
      results.push({ name, ok: code === 0 && !timedOut, code, ms: Date.now() - started, ...counts, ...(timedOut ? { timedOut: budgetMinutes[name] } : {}) });
      resolve();
    });
  });
}

/** Runs a tier whose tests need system packages, or records why it could not run. */
async function tierWithPackages(name, cmd, args, parse) {
  if (only && !only.has(name)) {
    results.push({ name, notSelected: true });
    return;
  }
  const pkgs = ensureSystemPackages(systemPackages(name).map((p) => p.name));
  if (!pkgs.ok) {
    console.error(`\n=== ${name}: NOT RUN\n${pkgs.message}`);
    results.push({ name, ok: false, notRun: pkgs.message.split('\n')[0], command: pkgs.command });
    return;
  }
  await run(name, cmd, args, parse);
}

async function tier(name, cmd, args, parse) {
  if (only && !only.has(name)) {
    results.push({ name, notSelected: true });
    return;
  }
  await run(name, cmd, args, parse);
}

const mochaCounts = (out) => {
  const n = (re) => Number(re.exec(out)?.[1] ?? 0);
  const skipReasons = [...out.matchAll(/⚠ SKIPPED: (.*)\n\s*reason: (.*)/g)].map((m) => `${m[1].trim()}: ${m[2].trim()}`);
  return { passed: n(/(\d+) passing/), failed: n(/(\d+) failing/), skipped: n(/(\d+) pending/), skipReasons };
};
const extCounts = (out) => {
  const host = /extension-host tests \(inside VS Code ([^,]+), ([^)]+)\): (\d+) passed, (\d+) failed, (\d+) skipped/.exec(out);
  const ui = /UI tests: (\d+) passed, (\d+) failed/.exec(out);
  const install = /\[code-server\] installed in (\d+) s/.exec(out);
  return {
    install: install ? `code-server installed from scratch in ${install[1]} s` : 'code-server from the cache',
    vscode: host ? `${host[1]} (${host[2]})` : 'did not run to the end',
    passed: (host ? Number(host[3]) : 0) + (ui ? Number(ui[1]) : 0),
    failed: (host ? Number(host[4]) : 0) + (ui ? Number(ui[2]) : 0),
    skipped: host ? Number(host[5]) : 0,
    detail: `${host ? `${host[3]} passed, ${host[4]} failed, ${host[5]} skipped in the extension host` : 'no extension-host summary'}; ${ui ? `UI ${ui[1]} passed, ${ui[2]} failed` : 'UI tests did not run'}`,
  };
};

// Lint: eslint (with the layer rules) and the code formatter's check.
await tier('lint', 'npm', ['run', '-s', 'lint']);
await tier('types', 'npm', ['run', '-s', 'check-types']);
await tier('build', 'node', ['scripts/build.mjs', '--quiet']);
await tierWithPackages('unit', 'npx', ['mocha'], mochaCounts);
await tierWithPackages('integration', 'npx', ['mocha', '--config', '.mocharc.integration.json'], mochaCounts);
await tierWithPackages('extension', 'node', ['test/harness/run-extension-tests.mjs'], extCounts);

console.log('\n=== summary');
let failed = false;
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
for (const r of results) {
  if (r.notSelected) {
    console.log(`${r.name.padEnd(12)} not selected (OOM_LENS_TIERS=${process.env.OOM_LENS_TIERS})`);
    continue;
  }
  if (r.notRun) {
    failed = true;
    console.log(`${r.name.padEnd(12)} ✘ NOT RUN: ${r.notRun}\n${''.padEnd(12)}   run: ${r.command}`);
    continue;
  }
  // A tier of tests that ran none did not really run: that is a failure, never a quiet pass.
  const ranNone = r.passed !== undefined && r.passed === 0 && r.failed === 0;
  if (!r.ok || ranNone) failed = true;
  const counts = r.passed !== undefined ? `${r.passed} passed, ${r.failed} failed, ${r.skipped ?? 0} skipped` : r.ok ? 'ok' : `FAILED (exit ${r.code})`;
  const extra = r.vscode ? ` — inside VS Code ${r.vscode}; ${r.detail}; ${r.install}` : '';
  console.log(`${r.name.padEnd(12)} ${r.ok && !ranNone ? '✔' : '✘'} ${counts}${extra} (${secs(r.ms)})`);
  for (const why of r.skipReasons ?? []) console.log(`${''.padEnd(12)}   ⚠ skipped: ${why}`);
  if (r.timedOut) console.log(`${''.padEnd(12)}   ✘ STOPPED after its budget of ${r.timedOut} min: a test hung (see the output above)`);
  if (ranNone) console.log(`${''.padEnd(12)}   no test ran in this tier: see its output above`);
  else if (r.passed !== undefined && !r.ok && r.failed === 0)
    console.log(`${''.padEnd(12)}   exited ${r.code} without a test failure count: see its output above`);
}
process.exit(failed ? 1 : 0);
