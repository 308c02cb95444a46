// The Kubernetes side of the fleet view through the real kubectl (Debian's kubernetes-client): a
// local HTTPS server answers with recorded API objects (test/fixtures/fleet/kubeApi), so kubectl's
// own discovery, TLS, bearer token, paging and error lines are the real ones. The expected values
// below are worked out by hand from those files, not taken from the code's output.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubectlSource } from '../../src/core/source/kubectl';
import { kubeOverview } from '../../src/core/fleet/kubeOverview';
import { LocalHost } from '../../src/core/host/localHost';
import { FIXTURES, KUBECTL, startKubeApiServer, type KubeApiServer } from './support/kubeApiServer';
import { missingDependency, which } from './helpers';

type Item = { metadata: { name: string; namespace?: string } };
const evidence = (f: { evidence?: unknown }) => f.evidence as { node: string; kills: number; podsOnNode: string[] };

describe('Kubernetes side: the real kubectl against a local HTTPS server with recorded API answers (no cluster can run here)', function () {
  this.timeout(120_000);
  let api: KubeApiServer | null = null;
  const started: KubeApiServer[] = [];
  // kubectl caches discovery per server under $KUBECACHEDIR: kept out of the user's ~/.kube.
  const cacheDir = mkdtempSync(join(tmpdir(), 'oom-lens-kubecache-'));
  const savedCache = process.env.KUBECACHEDIR;
  const start = async (o: Parameters<typeof startKubeApiServer>[0] = {}) => {
    const s = await startKubeApiServer(o);
    started.push(s);
    return s;
  };
  const source = (s: KubeApiServer, more: { context?: string; kubectl?: string } = {}) =>
    new KubectlSource(new LocalHost(), { kubeconfig: s.kubeconfig, context: more.context ?? s.context, kubectl: more.kubectl });

  before(async function () {
    if (!existsSync(KUBECTL)) missingDependency(this, `${KUBECTL} is not installed (Debian package kubernetes-client)`);
    if (!which('openssl')) missingDependency(this, 'openssl is not installed (it makes the server certificate)');
    process.env.KUBECACHEDIR = cacheDir;
    api = await start();
  });
  after(async () => {
    for (const s of started) await s.stop();
    if (savedCache === undefined) delete process.env.KUBECACHEDIR;
    else process.env.KUBECACHEDIR = savedCache;
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('lists pods, events and nodes through kubectl, after the discovery kubectl 1.32 does', async () => {
    const src = source(api!);
    const pods = (await src.list('pods')) as Item[];
    const paths = api!.requests.map((p) => p.split('?')[0]);
    // kubectl discovers the API first (legacy discovery: this server does not speak the aggregated one).
    for (const p of ['/api', '/apis', '/api/v1']) assert.ok(paths.includes(p), `kubectl asked for ${p}: ${paths.join(' ')}`);
    assert.ok(
      api!.requests.some((r) => /^\/api\/v1\/pods\?limit=500(&|$)/.test(r)),
      `the list was asked cluster-wide in pages of 500: ${api!.requests.join(' ')}`,
    );
    const events = (await src.list('events')) as Item[];
    const nodes = (await src.list('nodes')) as Item[];
    // 11 pods, 7 events, 4 nodes in the recorded files.
    assert.equal(pods.length, 11);
    assert.equal(events.length, 7);
    assert.deepEqual(
      nodes.map((n) => n.metadata.name),
      ['worker-1', 'worker-2', 'worker-3', 'worker-4'],
    );
    assert.equal(`${pods[0].metadata.namespace}/${pods[0].metadata.name}`, 'batch/report-28391520-q7wzl');
    assert.ok(api!.requests.some((r) => r.startsWith('/api/v1/events?')) && api!.requests.some((r) => r.startsWith('/api/v1/nodes?')));
  });

  it('finds exactly the OOMKilled containers, with their memory limits in bytes and their restarts', async () => {
    const k = await kubeOverview(source(api!));
    const rows = k.pods.map((p) => ({ id: `${p.namespace}/${p.pod}/${p.container}`, node: p.node, limit: p.limitBytes, restarts: p.restarts }));
    assert.deepEqual(
      rows.sort((a, b) => a.id.localeCompare(b.id)),
      [
        // Failed Job pod, terminated OOMKilled now, only a memory request: no limit.
        { id: 'batch/report-28391520-q7wzl/report', node: 'worker-2', limit: null, restarts: 0 },
        // "512Mi" = 512 × 1024 × 1024; its envoy sidecar (limit "1G", never killed) is not a row.
        { id: 'shop/api-7d9f8c6b5-x2kqp/api', node: 'worker-1', limit: 536_870_912, restarts: 3 },
        // "129e6" = 129,000,000 bytes.
        { id: 'shop/cache-0/memcached', node: 'worker-1', limit: 129_000_000, restarts: 1 },
      ],
    );
    const text = (id: string) => k.pods.find((p) => `${p.namespace}/${p.pod}/${p.container}` === id)!.worst!.text;
    assert.match(text('batch/report-28391520-q7wzl/report'), /^OOMKilled now.*no memory limit/);
    assert.match(text('shop/api-7d9f8c6b5-x2kqp/api'), /^last terminated OOMKilled, 3 restarts, limit /);
    // What finds its cgroup on the node: the pod UID (kubepods…pod<uid>) and the container id without its runtime prefix.
    const apiPod = k.pods.find((p) => p.pod === 'api-7d9f8c6b5-x2kqp')!;
    assert.deepEqual(
      [apiPod.podUid, apiPod.containerId],
      ['8f9a0b1c-2d3e-4f4a-8b5c-7d8e9fa0b1c8', 'c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4'],
    );
  });

  it('raises the hidden kill for the node whose kernel killed with no OOMKilled pod, naming its pods, and not where one runs', async () => {
    const k = await kubeOverview(source(api!));
    assert.deepEqual(
      k.findings.map((f) => f.id),
      ['hidden-oom-kill'],
    );
    const e = evidence(k.findings[0]);
    assert.equal(e.node, 'worker-3');
    // kubelet's SystemOOM and node-problem-detector's OOMKilling both report pid 4567: one kill.
    assert.equal(e.kills, 1);
    assert.deepEqual(e.podsOnNode, ['kube-system/kube-proxy-r7n5w', 'ml/notebook-0', 'ml/trainer-5f6b7c8d9-h4j2m']);
    assert.match(k.findings[0].detail, /Pods on that node: kube-system\/kube-proxy-r7n5w, ml\/notebook-0, ml\/trainer-5f6b7c8d9-h4j2m\./);
    // Both events name the same victim: once, with its pid.
    assert.deepEqual((e as unknown as { victims: unknown }).victims, [{ comm: 'python3', pid: 4567 }]);
    assert.match(k.findings[0].detail, /The node reported the victim python3 \(4567\)\./);
    // worker-1 has an OOMKilling event too, but its api pod shows OOMKilled: nothing hidden there.
    assert.deepEqual(
      k.nodes.find((n) => n.name === 'worker-1')!.oomEvents.map((x) => x.reason),
      ['OOMKilling'],
    );
    assert.deepEqual(
      k.nodes
        .find((n) => n.name === 'worker-3')!
        .oomEvents.map((x) => x.reason)
        .sort(),
      ['OOMKilling', 'SystemOOM'],
    );
  });

  it('raises it too for a node whose kernel kill counter rose with no event, and still not where an OOMKilled pod runs', async () => {
    const k = await kubeOverview(
      source(api!),
      new Map([
        ['worker-4', 2],
        ['worker-1', 5],
      ]),
    );
    const byNode = new Map(k.findings.map((f) => [evidence(f).node, evidence(f)]));
    assert.deepEqual([...byNode.keys()].sort(), ['worker-3', 'worker-4']);
    assert.equal(byNode.get('worker-4')!.kills, 2);
    assert.deepEqual(byNode.get('worker-4')!.podsOnNode, ['kube-system/kube-proxy-t2c6j', 'web/frontend-6c8d7f9b4-p9z3k']);
  });

  it('reports the node under MemoryPressure, and only it', async () => {
    const k = await kubeOverview(source(api!));
    assert.deepEqual(
      k.nodes.filter((n) => n.memoryPressure).map((n) => n.name),
      ['worker-4'],
    );
    assert.equal(k.nodes.length, 4);
  });

  it('gets every page of a list longer than kubectl’s 500 (the server pages it with continue tokens)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oom-lens-kubebig-'));
    try {
      const base = JSON.parse(readFileSync(join(FIXTURES, 'pods.json'), 'utf8')) as { items: Item[] };
      const one = base.items.find((p) => p.metadata.name === 'kube-proxy-r7n5w')!;
      const items = Array.from({ length: 1203 }, (_, i) => ({ ...one, metadata: { ...one.metadata, name: `big-${String(i).padStart(4, '0')}` } }));
      writeFileSync(join(dir, 'pods.json'), JSON.stringify({ ...base, items }));
      for (const f of ['events.json', 'nodes.json']) writeFileSync(join(dir, f), readFileSync(join(FIXTURES, f)));
      const s = await start({ fixtures: dir });
      const pods = (await source(s).list('pods')) as Item[];
      assert.equal(pods.length, 1203);
      assert.equal(new Set(pods.map((p) => p.metadata.name)).size, 1203);
      // 500 + 500 + 203: three requests, the last two with the token the one before gave.
      const pages = s.requests.filter((r) => r.startsWith('/api/v1/pods?'));
      assert.equal(pages.length, 3, pages.join(' '));
      assert.equal(pages.filter((r) => /[?&]continue=/.test(r)).length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('errors say what kubectl said', () => {
    it('a wrong token: "You must be logged in", with kubectl’s reason passed through', async () => {
      const bad = await start({ clientToken: 'not-the-token' });
      // Before any discovery is cached, kubectl fails at discovery with client-go's wording.
      await assert.rejects(
        source(bad).list('pods'),
        (e: Error) =>
          e.name === 'KubectlError' &&
          /^kubectl --context recorded get pods: error: You must be logged in to the server \(the server has asked for the client to provide credentials\)$/.test(
            e.message,
          ),
      );
      // With discovery cached (a token that was right, then revoked), the list's 401 Status message "Unauthorized" is what it says.
      const s = await start();
      await source(s).list('nodes');
      s.useToken('revoked-token');
      await assert.rejects(source(s).list('nodes'), /get nodes: error: You must be logged in to the server \(Unauthorized\)$/);
    });

    it('the server down: connection refused, naming the server', async () => {
      const down = await start({ down: true });
      const port = new URL(down.url).port;
      await assert.rejects(source(down).list('pods'), (e: Error) =>
        e.message.includes(`The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`),
      );
    });

    it('a server that never answers: timed out, within the time asked (not after kubectl’s retries)', async () => {
      const hung = await start({ hang: true });
      const t0 = Date.now();
      await assert.rejects(source(hung).list('pods', { timeoutMs: 2000 }), /get pods: timed out$/);
      // The source allows kubectl its request timeout plus 5 s: well under kubectl's 6 discovery tries × 2 s.
      assert.ok(Date.now() - t0 < 9000, `${Date.now() - t0} ms`);
    });

    it('an unknown context: kubectl’s "context was not found"', async () => {
      await assert.rejects(
        source(api!, { context: 'no-such-context' }).list('pods'),
        /^KubectlError: kubectl --context no-such-context get pods: Error in configuration: context was not found for specified context: no-such-context$/,
      );
    });

    it('kubectl missing: "kubectl is not installed"', async () => {
      await assert.rejects(source(api!, { kubectl: '/nonexistent/kubectl' }).list('pods'), /^KubectlError: kubectl is not installed on /);
    });
  });
});
