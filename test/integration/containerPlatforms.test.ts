import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host/localHost';
import type { Host, ExecOptions } from '../../src/core/host/host';
import { readKernelLog } from '../../src/core/collect/kernelLog';
import { diagnose } from '../../src/core/diagnose';
import { which, skipLoudly, missingDependency } from './helpers';

const FIXTURES = join(__dirname, '..', 'fixtures', 'platforms');

/** This machine, with `dir` first on PATH for every command. */
function withPath(dir: string): Host {
  const local = new LocalHost();
  return {
    name: local.name,
    via: local.via,
    exec: (command: string, options?: ExecOptions) => local.exec(`PATH=${dir}:$PATH; export PATH; ${command}`, options),
    close: () => local.close(),
  };
}

describe('container platforms on the host: docker inspect and kubectl get pods -A', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oom-lens-platforms-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stand-in docker and kubectl (no Docker engine or cluster can run here) printing real-schema output: OOM-killed containers are container events, each source reported', async () => {
    writeFileSync(
      join(dir, 'docker'),
      `#!/bin/sh
case "$1" in
  ps) echo 4f1c2a9d8e7b6a5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c; echo 9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b ;;
  inspect) [ $# -eq 3 ] || { echo "inspect wants both ids, got: $*" >&2; exit 2; }; cat '${join(FIXTURES, 'docker-inspect.json')}' ;;
  *) echo "unexpected docker $*" >&2; exit 2 ;;
esac
`,
    );
    writeFileSync(
      join(dir, 'kubectl'),
      `#!/bin/sh
[ "$1 $2 $3 $4 $5" = "get pods -A -o json" ] || { echo "unexpected kubectl $*" >&2; exit 2; }
cat '${join(FIXTURES, 'kubectl-get-pods-A.json')}'
`,
    );
    chmodSync(join(dir, 'docker'), 0o755);
    chmodSync(join(dir, 'kubectl'), 0o755);
    const host = withPath(dir);
    const r = await readKernelLog(host);
    const docker = r.sources.find((s) => s.source === 'docker');
    const kubectl = r.sources.find((s) => s.source === 'kubectl');
    assert.deepEqual([docker?.ok, docker?.events, kubectl?.ok, kubectl?.events], [true, 1, true, 1], JSON.stringify(r.sources));
    const containers = r.events.filter((e) => e.kind === 'container');
    const web = containers.find((e) => e.containerState?.name === 'web');
    assert.deepEqual(
      { oom: web?.containerState?.oomKilled, exit: web?.containerState?.exitCode, limit: web?.containerState?.memoryLimitBytes, at: web?.time },
      { oom: true, exit: 137, limit: 268435456, at: '2026-11-25T09:41:12.123Z' },
    );
    const api = containers.find((e) => e.containerState?.name === 'api');
    assert.deepEqual(
      {
        pod: api?.containerState?.pod,
        ns: api?.containerState?.namespace,
        restarts: api?.containerState?.restartCount,
        limit: api?.containerState?.memoryLimitBytes,
      },
      { pod: 'api-7d9f8c6b5-x2k4p', ns: 'shop', restarts: 5, limit: 512 * 1048576 },
    );
    assert.equal(
      containers.some((e) => e.containerState?.name === 'batch'),
      false,
      'a container that exited 0 is no event',
    );
    // The kernel log itself is still judged on its own sources.
    const kernelOk = r.sources.some((s) => !['docker', 'kubectl'].includes(s.source) && s.ok && s.lines > 0);
    assert.equal(r.unreadable, !kernelOk);
    // And the diagnosis carries them.
    const report = await diagnose(host, {});
    assert.ok(report.events.some((e) => e.kind === 'container' && e.containerState?.name === 'api'));
  });

  it('a platform that hangs (stand-in kubectl sleeping; no cluster here) is cut off after a few seconds and reported as timed out', async function () {
    if (!which('timeout')) missingDependency(this, 'timeout (coreutils) is not installed');
    const hang = mkdtempSync(join(tmpdir(), 'oom-lens-hang-'));
    try {
      writeFileSync(join(hang, 'kubectl'), '#!/bin/sh\nexec sleep 60\n');
      chmodSync(join(hang, 'kubectl'), 0o755);
      const t0 = Date.now();
      const r = await readKernelLog(withPath(hang));
      const took = Date.now() - t0;
      assert.ok(took < 20_000, `took ${took} ms`);
      assert.equal(r.sources.find((s) => s.source === 'kubectl')?.detail, 'kubectl: not read (timed out)');
    } finally {
      rmSync(hang, { recursive: true, force: true });
    }
  });

  it('the real docker client without an engine: "not read" with docker\'s reason, no events, no failure', async function () {
    if (!which('docker')) missingDependency(this, 'docker (the client) is not installed: apt-get install docker.io');
    const r = await readKernelLog(new LocalHost());
    const docker = r.sources.find((s) => s.source === 'docker');
    assert.ok(docker, 'the docker source is reported');
    if (docker.ok) skipLoudly(this, 'a Docker engine answered on this machine: this test is about a client without one');
    assert.match(docker.detail, /^docker: not read \(.+\)$/);
    assert.equal(docker.events, 0);
  });
});
