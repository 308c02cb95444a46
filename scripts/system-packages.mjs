// The one list of Debian packages the tests need (test/system-packages.txt), read by `npm test`
// and by .ci/run. As root, what is missing is installed once, quietly, saying so; otherwise the
// exact apt-get command is returned so the tiers that need it fail loudly with it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LIST = join(import.meta.dirname, '..', 'test', 'system-packages.txt');

/** [{ name, tier, why }] from the list, comments and blank lines left out. */
export function systemPackages(tier) {
  return readFileSync(LIST, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean)
    .map((l) => {
      const [name, t, ...why] = l.split(/\s+/);
      return { name, tiers: t.split(','), why: why.join(' ') };
    })
    .filter((p) => !tier || p.tiers.includes(tier));
}

/**
 * Names of the packages dpkg does not report as installed. "a|b" is satisfied by either (kubectl
 * from Google's repository or Debian's kubernetes-client, which cannot be installed together);
 * when neither is there the last one is the one to install.
 */
export function missingPackages(names) {
  if (names.length === 0) return [];
  const all = names.flatMap((n) => n.split('|'));
  const r = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...all], { encoding: 'utf8' });
  if (r.error) throw new Error(`cannot check the test packages: dpkg-query is not available (${r.error.message}); this test suite expects a Debian machine`);
  const installed = new Set(
    r.stdout
      .split('\n')
      .filter((l) => / installed$/.test(l))
      .map((l) => l.split(' ')[0]),
  );
  return names.filter((n) => !n.split('|').some((a) => installed.has(a))).map((n) => n.split('|').pop());
}

export const installCommand = (names) => `apt-get install -y --no-install-recommends ${names.join(' ')}`;

/**
 * Makes sure the packages are there. Returns { ok: true, installed: [...] } or
 * { ok: false, missing, command, message } (not root, or apt-get failed).
 */
export function ensureSystemPackages(names, { log = console.log } = {}) {
  const missing = missingPackages(names);
  if (missing.length === 0) return { ok: true, installed: [] };
  const command = installCommand(missing);
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      missing,
      command: `sudo ${command}`,
      message: `missing Debian packages the tests need: ${missing.join(', ')}. Install them with:\n  sudo apt-get update && sudo ${command}`,
    };
  }
  log(`[packages] installing what the tests need and this machine lacks: ${missing.join(' ')}`);
  const started = Date.now();
  // Some of these are OOM killers (earlyoom, nohang, oomd): installed as services they would start
  // and kill processes on the test machine. policy-rc.d (Debian's switch for this) keeps every
  // service the install brings from starting; one already there is left as it is.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\n# oom-lens tests: no service starts during this install\nexit 101\n', { mode: 0o755 });
  let r;
  try {
    r = spawnSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${command.replace('apt-get install', 'apt-get install -qq')}`], {
      encoding: 'utf8',
    });
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  if (r.status !== 0) {
    return {
      ok: false,
      missing,
      command,
      message: `apt-get failed (exit ${r.status}) installing ${missing.join(' ')}:\n${(r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n')}`,
    };
  }
  const still = missingPackages(missing);
  if (still.length > 0)
    return { ok: false, missing: still, command: installCommand(still), message: `apt-get ran but these are still not installed: ${still.join(', ')}` };
  log(`[packages] installed ${missing.length} package(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { ok: true, installed: missing };
}

// `node scripts/system-packages.mjs [--names]`: print the names, or install what is missing (.ci/run).
if (process.argv[1] === import.meta.filename) {
  const names = systemPackages().map((p) => p.name);
  if (process.argv.includes('--names')) {
    console.log(names.join(' '));
    process.exit(0);
  }
  const r = ensureSystemPackages(names);
  if (!r.ok) {
    console.error(r.message);
    process.exit(1);
  }
}
