// The fleet overview against a real Prometheus (Debian's 2.42): a backfilled TSDB of 500
// node_exporter instances × 24 h ranks exactly the planted hosts, in order, with their values;
// a live node_exporter on this machine ranks first after a real OOM kill; and a Prometheus that is
// down, a wrong URL, a 401 and a query that never returns each get a clear message.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { existsSync, rmSync } from 'node:fs';
import { PrometheusSource, PrometheusError } from '../../src/core/source/prometheus';
import { prometheusOverview } from '../../src/core/fleet/promOverview';
import { FLEET_END_MS, FLEET_SIZE, PLANTED, fleetTsdb, instanceName } from '../fixtures/fleet/fleetTsdb';
import { PROMETHEUS, PROMTOOL, NODE_EXPORTER, freePort, startNodeExporter, startPrometheus, instant, type Running } from './support/prometheus';
import { realOomKill, removeMemcg } from './support/oomKill';
import { spawn } from 'node:child_process';
import { CLI, isRoot, missingDependency, requireBuiltCli } from './helpers';

/** The built CLI, asynchronously (a Prometheus the test runs in this process must keep answering). */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function requirePrometheus(ctx: Mocha.Context): void {
  for (const bin of [PROMETHEUS, PROMTOOL, NODE_EXPORTER])
    if (!existsSync(bin)) missingDependency(ctx, `${bin} is not installed (Debian packages prometheus and prometheus-node-exporter)`);
}

describe('fleet overview: a real Prometheus with a backfilled TSDB of 500 instances × 24 h', function () {
  this.timeout(900_000);
  let prom: (Running & { dataDir: string }) | null = null;

  before(async function () {
    requirePrometheus(this);
    const { dir, builtMs } = await fleetTsdb();
    if (builtMs !== null) console.log(`      (TSDB of ${FLEET_SIZE} instances built with promtool in ${(builtMs / 1000).toFixed(1)} s)`);
    prom = await startPrometheus({ dataDir: dir });
  });
  after(async () => {
    await prom?.stop();
    if (prom) rmSync(prom.dataDir, { recursive: true, force: true });
  });

  it('has all 500 instances (the backfill is what the overview reads)', async () => {
    const r = await instant(prom!.url, `count(node_memory_MemTotal_bytes)`);
    // Instant queries at "now" see nothing (the data ends on FLEET_END_MS): asked at the end.
    const at = await fetch(`${prom!.url}/api/v1/query?query=count(node_memory_MemTotal_bytes)&time=${FLEET_END_MS / 1000}`).then(
      (x) => x.json() as Promise<{ data: { result: { value: [number, string] }[] } }>,
    );
    assert.equal(Number(at.data.result[0].value[1]), FLEET_SIZE);
    assert.equal(r.length, 0, 'the recorded fleet should end in the past');
  });

  it('ranks exactly the planted hosts, in order, with the right values; the rest are fine', async () => {
    const src = new PrometheusSource({ url: prom!.url });
    const r = await prometheusOverview(src, { windowMs: 24 * 3600_000, atMs: FLEET_END_MS, rateMs: 15 * 60_000 });
    assert.equal(r.hosts.length, FLEET_SIZE);
    const ranked = r.hosts.filter((h) => h.worst);
    assert.deepEqual(
      ranked.map((h) => `${h.instance} ${h.worst!.id} ${h.worst!.severity}`),
      PLANTED.map((p) => `${instanceName(p.i)} ${p.id} ${p.severity}`),
    );
    for (const p of PLANTED) {
      const h = ranked.find((x) => x.instance === instanceName(p.i))!;
      const v = h.worst!.value!;
      // increase() and rate() extrapolate at the window's edges; the shares are exact.
      const tolerance = p.id === 'oom-killed' ? 0 : p.id === 'projected-exhaustion' ? 0.05 * p.value : p.id === 'memory-pressure' ? 0.1 * p.value : 0.005;
      assert.ok(Math.abs(v - p.value) <= tolerance, `${h.instance} ${p.id}: ${v} (planted ${p.value})`);
      assert.equal(h.signals.length, 1, `${h.instance} has only its planted signal: ${h.signals.map((s) => s.id)}`);
    }
    // Absent exporters are said to be absent, never zero.
    assert.ok(r.sources.some((s) => s.name === 'kube-state-metrics' && !s.ok && /no kube-state-metrics series/.test(s.detail)));
    assert.ok(r.sources.some((s) => s.name === 'cadvisor' && !s.ok));
    assert.equal(r.pods.length, 0);
    // One query per signal, whatever the host count.
    assert.ok(src.queries <= 12, `${src.queries} queries`);
    assert.equal(r.queries, src.queries, 'the report counts the queries it really asked');
  });

  it('oom-lens fleet --prometheus URL --at END --json: the contract, ranked the same; text names the drill-down', async () => {
    requireBuiltCli();
    const at = new Date(FLEET_END_MS).toISOString();
    const j = await cli(['fleet', '--prometheus', prom!.url, '--at', at, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const r = JSON.parse(j.stdout) as import('../../src/core/model/fleet').FleetReport;
    assert.equal(r.version, 1);
    assert.equal(r.takenAt, at);
    assert.equal(r.windowMs, 24 * 3600_000);
    assert.deepEqual(
      r.hosts.filter((h) => h.worst).map((h) => h.instance),
      PLANTED.map((p) => instanceName(p.i)),
    );
    // No ssh_config: the address without its port is the SSH host to try.
    assert.equal(r.hosts[0].sshHost, 'node-013');
    const t = await cli(['fleet', '--prometheus', prom!.url, '--at', at, '--map', 'node-013:9100=admin@10.0.0.13']);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stdout, /^ 1 {2}node-013:9100 {2}critical {2}5 OOM kills in 1 d .*--host admin@10\.0\.0\.13$/m);
    assert.match(t.stdout, /490 hosts fine\./);
    assert.match(t.stdout, /kube-state-metrics — no kube-state-metrics series: its signals are absent, not zero/);
    assert.match(t.stdout, /Drill into one: oom-lens diagnose --host admin@10\.0\.0\.13/);
  });
});

describe('fleet overview: live, a real node_exporter on this machine scraped by a real Prometheus', function () {
  this.timeout(180_000);
  let ne: Running | null = null;
  let prom: Running | null = null;

  before(async function () {
    requirePrometheus(this);
    if (!isRoot) missingDependency(this, 'a real OOM kill needs root (a memory cgroup of the test’s own)');
    ne = await startNodeExporter();
    prom = await startPrometheus({ targets: [`127.0.0.1:${ne.port}`], scrapeIntervalSeconds: 1 });
  });
  after(async () => {
    await prom?.stop();
    await ne?.stop();
  });

  it('a real OOM kill in a test cgroup makes this host rank first for OOM kills', async () => {
    const src = new PrometheusSource({ url: prom!.url });
    // Wait for a few scrapes, then kill.
    for (let i = 0; i < 50 && (await instant(prom!.url, 'node_vmstat_oom_kill')).length === 0; i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 3000));
    const kill = await realOomKill(64);
    try {
      let r = await prometheusOverview(src, { windowMs: 5 * 60_000, rateMs: 10_000 });
      for (let i = 0; i < 40 && r.hosts[0]?.worst?.id !== 'oom-killed'; i++) {
        await new Promise((res) => setTimeout(res, 500));
        r = await prometheusOverview(src, { windowMs: 5 * 60_000, rateMs: 10_000 });
      }
      assert.equal(r.hosts[0].instance, `127.0.0.1:${ne!.port}`);
      assert.equal(r.hosts[0].worst?.id, 'oom-killed', JSON.stringify(r.hosts[0]));
      assert.ok(Number(r.hosts[0].worst?.value) >= 1);
      assert.ok(r.sources.find((s) => s.name === 'node_exporter')?.ok);
    } finally {
      removeMemcg(kill.cg);
    }
  });
});

describe('fleet overview: Prometheus errors get a clear message', function () {
  this.timeout(60_000);
  const servers: Server[] = [];
  after(() => servers.forEach((s) => (s.closeAllConnections(), s.close())));
  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    const s = createServer(handler);
    servers.push(s);
    const port = await freePort();
    await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
    return `http://127.0.0.1:${port}`;
  };
  const fails = async (src: PrometheusSource, kind: PrometheusError['kind'], re: RegExp) => {
    const e = await prometheusOverview(src, { windowMs: 3600_000 }).then(
      () => null,
      (x) => x,
    );
    assert.ok(e instanceof PrometheusError, `not a PrometheusError: ${e}`);
    assert.equal(e.kind, kind, e.message);
    assert.match(e.message, re);
  };

  it('down (nothing listens)', async () => {
    const port = await freePort();
    await fails(
      new PrometheusSource({ url: `http://127.0.0.1:${port}` }),
      'unreachable',
      new RegExp(`cannot reach Prometheus at http://127.0.0.1:${port}/: connection refused \\(nothing listens there\\) \\(ECONNREFUSED\\)$`),
    );
  });
  it('a wrong URL (a web server that is not Prometheus)', async () => {
    const url = await serve((req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>Not Found</body></html>'));
    await fails(new PrometheusSource({ url }), 'http', /does not answer like Prometheus \(HTTP 404: Not Found\): check the URL/);
  });
  it('401: credentials refused, and whether any were given', async () => {
    const url = await serve((req, res) => res.writeHead(401).end('Unauthorized'));
    await fails(new PrometheusSource({ url }), 'auth', /refused the credentials \(HTTP 401, and none were given/);
    await fails(new PrometheusSource({ url, auth: { bearerToken: 'x' } }), 'auth', /refused the credentials \(HTTP 401\)/);
  });
  it('a query that never returns: our timeout, naming the server', async () => {
    const url = await serve(() => {
      /* accepts, never answers */
    });
    const t = Date.now();
    await fails(new PrometheusSource({ url, timeoutMs: 1500 }), 'timeout', /did not answer within 2 s/);
    assert.ok(Date.now() - t < 5000);
  });
  it('the CLI: Prometheus down exits 1 with one clear line; the token comes from the environment, never argv', async () => {
    requireBuiltCli();
    const port = await freePort();
    const down = await cli(['fleet', '--prometheus', `http://127.0.0.1:${port}`]);
    assert.equal(down.code, 1);
    assert.equal(down.stderr, `oom-lens: cannot reach Prometheus at http://127.0.0.1:${port}/: connection refused (nothing listens there) (ECONNREFUSED)\n`);
    let seen = '';
    const url = await serve((req, res) => {
      seen = String(req.headers.authorization);
      res.writeHead(401).end();
    });
    const r = await cli(['fleet', '--prometheus', url], { OOM_LENS_PROMETHEUS_TOKEN: 's3cret' });
    assert.equal(r.code, 1);
    assert.equal(seen, 'Bearer s3cret');
    assert.match(r.stderr, /^oom-lens: Prometheus at http:\/\/127\.0\.0\.1:\d+\/ refused the credentials \(HTTP 401\)\n$/);
    const usage = await cli(['fleet']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /fleet needs --prometheus URL, --kube-context CTX or --hosts PATTERN\|FILE/);
  });
  it("Prometheus' own error is passed through (a real Prometheus, a query it rejects)", async function () {
    requirePrometheus(this);
    const p = await startPrometheus();
    try {
      const e = await new PrometheusSource({ url: p.url }).query('rate(node_vmstat_oom_kill[5m]').catch((x) => x);
      assert.ok(e instanceof PrometheusError);
      assert.match(e.message, /^Prometheus: bad_data: .*parse error/);
      // The query timeout Prometheus itself enforces (--query.timeout) is passed through too.
    } finally {
      await p.stop();
    }
  });
});
