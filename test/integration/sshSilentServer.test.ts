// A server that accepts TCP and never speaks SSH (a tarpit, a hung sshd): close() while the
// connect is still waiting must let go of the socket at once, and the process must not be kept
// alive by it (a CLI stayed ≥ 150 s after such a failure).
import { strict as assert } from 'node:assert';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostFromSpec } from '../../src/core/host/ssh';

describe('ssh: a silent server (accepts, never speaks)', function () {
  this.timeout(30_000);
  let server: Server;
  let port = 0;
  const sockets: Socket[] = [];
  const closedAt: number[] = [];
  let dir = '';
  before(async () => {
    server = createServer((s) => {
      sockets.push(s);
      s.resume(); // read (and drop) what the client sends, so its close is seen
      s.on('close', () => closedAt.push(Date.now()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'oomlens-silent-'));
    // ConnectTimeout 60: only close() can end this connect within the test.
    writeFileSync(
      join(dir, 'config'),
      `Host silent\n  HostName 127.0.0.1\n  Port ${port}\n  User root\n  ConnectTimeout 60\n  UserKnownHostsFile ${join(dir, 'kh')}\n`,
    );
  });
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('close() during the connect drops the socket within a second; the connect rejects', async () => {
    const host = hostFromSpec('silent', { sshConfigPath: join(dir, 'config'), agentSocket: null });
    const connecting = host.exec('true').then(
      () => null,
      (e: Error) => e,
    );
    for (let i = 0; i < 50 && sockets.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sockets.length, 1, 'the client connected');
    const t = Date.now();
    await host.close();
    const e = await connecting;
    assert.ok(e instanceof Error, 'the pending exec fails');
    for (let i = 0; i < 40 && closedAt.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(closedAt.length, 1, 'the server saw the socket close');
    assert.ok(closedAt[0] - t < 1000, `closed ${closedAt[0] - t} ms after close()`);
  });
});
