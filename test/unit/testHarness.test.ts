// The test harness itself: one package list for CI and npm test, a clean environment for the
// inner npm that installs code-server (an outer npm's variables broke it on a fresh machine).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(__dirname, '..', '..');

interface Packages {
  systemPackages(tier?: string): { name: string; tiers: string[]; why: string }[];
  missingPackages(names: string[]): string[];
  installCommand(names: string[]): string;
}
// The harness is plain ESM JavaScript (it runs before anything is built): load it by URL.
const load = <T>(rel: string): Promise<T> => import(pathToFileURL(join(ROOT, rel)).href) as Promise<T>;
const packages = () => load<Packages>('scripts/system-packages.mjs');

describe('test harness', () => {
  it('the inner npm install gets no npm_* variables, no NODE, and no PATH entries npm prepended', async () => {
    const { cleanInstallEnv } = await load<{ cleanInstallEnv(env: Record<string, string>): Record<string, string> }>('test/harness/ensure-code-server.mjs');
    const outer = {
      HOME: '/root',
      PATH: '/work/x/node_modules/.bin:/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin:/usr/local/bin:/usr/bin',
      npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false',
      npm_config_cache: '/root/.npm',
      npm_lifecycle_event: 'test',
      npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
      NPM_CONFIG_REGISTRY: 'https://registry.npmjs.org/',
      NODE: '/usr/bin/node',
      INIT_CWD: '/work/x',
      NODE_OPTIONS: '--max-old-space-size=100',
      OOM_LENS_TEST_CACHE: '/tmp/cache',
    };
    const env = cleanInstallEnv(outer);
    assert.deepEqual(Object.keys(env).sort(), ['HOME', 'OOM_LENS_TEST_CACHE', 'PATH']);
    assert.equal(env.PATH, '/usr/local/bin:/usr/bin');
  });

  it('one package list, read by npm test and by .ci/run', async () => {
    const { systemPackages } = await packages();
    const all = systemPackages();
    assert.ok(all.length >= 10);
    for (const p of all) {
      // "a|b": either package satisfies it (kubectl or Debian's kubernetes-client).
      for (const alt of p.name.split('|')) assert.match(alt, /^[a-z0-9][a-z0-9+.-]+$/, p.name);
      for (const t of p.tiers) assert.ok(['unit', 'integration', 'extension'].includes(t), `${p.name}: tier ${t}`);
      assert.ok(p.why.length > 5, `${p.name} says why it is there`);
    }
    assert.ok(systemPackages('extension').some((p) => p.name === 'chromium'));
    assert.ok(systemPackages('integration').some((p) => p.name === 'openssh-server'));
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    assert.match(ci, /test\/system-packages\.txt/);
    assert.doesNotMatch(ci, /apt-get install[^\n]*\b(valgrind|chromium)\b/, '.ci/run names no package of its own');
    assert.match(ci, /OOM_LENS_TEST_CACHE=\$\(mktemp -d\)/, 'CI installs code-server into a fresh cache');
  });

  it('the install command names exactly the missing packages', async () => {
    const { installCommand, missingPackages } = await packages();
    assert.equal(installCommand(['a', 'b']), 'apt-get install -y --no-install-recommends a b');
    assert.deepEqual(missingPackages(['oom-lens-no-such-package-xyz']), ['oom-lens-no-such-package-xyz']);
    // An alternative is satisfied by any installed one; when none is, the last is the one to install.
    assert.deepEqual(missingPackages(['oom-lens-no-such-xyz|dpkg']), []);
    assert.deepEqual(missingPackages(['oom-lens-no-such-a|oom-lens-no-such-b']), ['oom-lens-no-such-b']);
    assert.deepEqual(missingPackages(['coreutils']), []);
  });
});
