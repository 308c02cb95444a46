// fleetOverview with both sides: fake Prometheus answers (one Sample[] per PromQL of
// overviewQueries) and an ObjectsSource that returns the recorded Kubernetes API objects the
// kubectl integration test serves. Also parseQuantity and the instance → SSH host mapping.
// Every expected value is worked out from the answers below and the fixture files by hand.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fleetOverview } from '../../src/core/fleet/overview';
import { overviewQueries } from '../../src/core/fleet/promOverview';
import { parseQuantity } from '../../src/core/fleet/kubeOverview';
import { instanceAddress, sshHostFor } from '../../src/core/fleet/sshMapping';
import { KubectlError } from '../../src/core/source/kubectl';
import type { MetricsSource, ObjectsSource, Sample } from '../../src/core/source/source';
import type { FleetReport } from '../../src/core/model/fleet';

const KUBE_API = join(__dirname, '..', 'fixtures', 'fleet', 'kubeApi');
const recorded = (kind: string) => (JSON.parse(readFileSync(join(KUBE_API, `${kind}.json`), 'utf8')) as { items: unknown[] }).items;

const WINDOW = { windowMs: 3600_000, rateMs: 300_000 };
const AT = Date.parse('2025-06-03T10:00:00Z');
const s = (labels: Record<string, string>, value: number): Sample => ({ labels, value, timeMs: AT });
// node_exporter on each Kubernetes node; node_uname_info's nodename is the node's name.
const INST = { 'worker-1': '10.0.0.11:9100', 'worker-2': '10.0.0.12:9100', 'worker-3': '10.0.0.13:9100', 'worker-4': '10.0.0.14:9100' };
const perNode = (v: Record<keyof typeof INST, number>) => Object.entries(v).map(([n, x]) => s({ instance: INST[n as keyof typeof INST] }, x));

function fakePrometheus(): MetricsSource & { asked: string[] } {
  const q = overviewQueries(WINDOW);
  const answers = new Map<string, Sample[]>([
    [q.present, [s({ exporter: 'node_exporter' }, 4), s({ exporter: 'cadvisor' }, 40), s({ exporter: 'kube-state-metrics' }, 11)]],
    // worker-1's kills are its pods' own (kube-state-metrics shows them); worker-2's Job pod is OOMKilled
    // now, which kube-state-metrics' last_terminated_reason does not show, the API does.
    [q.kills, perNode({ 'worker-1': 5, 'worker-2': 1, 'worker-3': 1, 'worker-4': 2 })],
    [q.minAvailable, perNode({ 'worker-1': 0.35, 'worker-2': 0.5, 'worker-3': 0.3, 'worker-4': 0.12 })],
    [q.swap, []],
    [q.psiFull, perNode({ 'worker-1': 0, 'worker-2': 0, 'worker-3': 0, 'worker-4': 3 })],
    [q.psiSome, perNode({ 'worker-1': 0.5, 'worker-2': 0.2, 'worker-3': 1, 'worker-4': 25 })],
    [q.exhaustion, []],
    [q.nodename, Object.entries(INST).map(([n, i]) => s({ instance: i, nodename: n }, 1))],
    // cAdvisor through the kubelet: its own instance label.
    [q.containers, [s({ instance: '10.0.0.11:10250', namespace: 'shop', pod: 'api-7d9f8c6b5-x2kqp', container: 'api' }, 0.97)]],
    [
      q.oomKilledPods,
      [s({ namespace: 'shop', pod: 'api-7d9f8c6b5-x2kqp', container: 'api' }, 1), s({ namespace: 'shop', pod: 'cache-0', container: 'memcached' }, 1)],
    ],
    [
      q.restarts,
      [s({ namespace: 'shop', pod: 'api-7d9f8c6b5-x2kqp', container: 'api' }, 2), s({ namespace: 'shop', pod: 'cache-0', container: 'memcached' }, 0)],
    ],
    [
      q.podNodes,
      [
        s({ namespace: 'shop', pod: 'api-7d9f8c6b5-x2kqp', node: 'worker-1' }, 1),
        s({ namespace: 'shop', pod: 'cache-0', node: 'worker-1' }, 1),
        s({ namespace: 'ml', pod: 'trainer-5f6b7c8d9-h4j2m', node: 'worker-3' }, 1),
        s({ namespace: 'kube-system', pod: 'kube-proxy-t2c6j', node: 'worker-4' }, 1),
      ],
    ],
  ]);
  const asked: string[] = [];
  return {
    name: 'fake Prometheus',
    asked,
    async query(promql) {
      asked.push(promql);
      const a = answers.get(promql);
      if (!a) throw new Error(`a query the fake has no answer for: ${promql}`);
      return a;
    },
    async queryRange() {
      throw new Error('the overview asks instant queries only');
    },
    async close() {},
  };
}

const recordedApi: ObjectsSource = { name: 'kubectl --context recorded', list: async (kind) => recorded(kind), close: async () => {} };
const failingApi: ObjectsSource = {
  name: 'kubectl --context prod',
  list: async (kind) => {
    throw new KubectlError(`kubectl --context prod get ${kind}: error: You must be logged in to the server (Unauthorized)`);
  },
  close: async () => {},
};

const hiddenBy = (r: FleetReport) =>
  r.findings.filter((f) => f.id === 'hidden-oom-kill').map((f) => f.evidence as { node: string; instance: string | null; kills: number; podsOnNode: string[] });
const host = (r: FleetReport, inst: string) => r.hosts.find((h) => h.instance === inst)!;
const podRow = (r: FleetReport, id: string) => r.pods.find((p) => `${p.namespace}/${p.pod}/${p.container}` === id);

describe('fleetOverview: fake Prometheus answers and the recorded Kubernetes API objects', () => {
  it('asks only the overview queries, and names both sources ok', async () => {
    const prom = fakePrometheus();
    const r = await fleetOverview({ ...WINDOW, atMs: AT, prometheus: prom, kube: recordedApi });
    assert.equal(new Set(prom.asked).size, Object.keys(overviewQueries(WINDOW)).length);
    // The API side: 4 nodes; 3 OOMKilled containers (api, memcached, report).
    assert.deepEqual(
      r.sources.find((x) => x.name === 'kubectl --context recorded'),
      { name: 'kubectl --context recorded', ok: true, detail: '4 nodes, 3 OOMKilled containers' },
    );
    assert.equal(r.hosts.length, 4);
  });

  it('gives the hidden kill once per node, with the API’s pods and the host’s instance, and not where the API shows an OOMKilled pod', async () => {
    const r = await fleetOverview({ ...WINDOW, atMs: AT, prometheus: fakePrometheus(), kube: recordedApi });
    const hidden = hiddenBy(r).sort((a, b) => a.node.localeCompare(b.node));
    // worker-1: kube-state-metrics and the API show OOMKilled pods. worker-2: only the API does (the Job
    // pod terminated OOMKilled now), so the metrics side's finding there is dropped.
    assert.deepEqual(
      hidden.map((h) => h.node),
      ['worker-3', 'worker-4'],
    );
    // worker-3: the counter's 1 kill, which its SystemOOM and OOMKilling events both report.
    assert.deepEqual(hidden[0], {
      node: 'worker-3',
      instance: '10.0.0.13:9100',
      kills: 1,
      podsOnNode: ['kube-system/kube-proxy-r7n5w', 'ml/notebook-0', 'ml/trainer-5f6b7c8d9-h4j2m'],
      victims: [{ comm: 'python3', pid: 4567 }],
    });
    // worker-4: no OOM event, the kernel counter's 2 kills.
    assert.deepEqual(hidden[1], {
      node: 'worker-4',
      instance: '10.0.0.14:9100',
      kills: 2,
      podsOnNode: ['kube-system/kube-proxy-t2c6j', 'web/frontend-6c8d7f9b4-p9z3k'],
      victims: [],
    });
    assert.match(
      r.findings.find((f) => (f.evidence as { node: string }).node === 'worker-3')!.detail,
      /The kernel of worker-3 \(10\.0\.0\.13:9100\) OOM-killed 1 process,/,
    );
    const count = (inst: string) => host(r, inst).signals.filter((x) => x.id === 'hidden-oom-kill').length;
    assert.deepEqual(Object.values(INST).map(count), [0, 0, 1, 1]);
    assert.equal(host(r, '10.0.0.13:9100').worst!.id, 'hidden-oom-kill');
  });

  it('makes MemoryPressure a signal on the matching host, one memory-pressure signal with the PSI one', async () => {
    const r = await fleetOverview({ ...WINDOW, atMs: AT, prometheus: fakePrometheus(), kube: recordedApi });
    const mp = (inst: string) => host(r, inst).signals.filter((x) => x.id === 'memory-pressure');
    // worker-4: PSI some 25 % (> 10: warning), full 3 %; and the node's MemoryPressure condition.
    assert.equal(mp('10.0.0.14:9100').length, 1);
    assert.equal(mp('10.0.0.14:9100')[0].severity, 'warning');
    assert.equal(mp('10.0.0.14:9100')[0].value, 25);
    assert.match(mp('10.0.0.14:9100')[0].text, /^memory pressure \(PSI\).*; Kubernetes reports MemoryPressure on this node$/);
    for (const i of ['10.0.0.11:9100', '10.0.0.12:9100', '10.0.0.13:9100']) assert.equal(mp(i).length, 0, i);
  });

  it('a MemoryPressure node with no PSI signal gets a signal of its own (value null)', async () => {
    const r = await fleetOverview({ ...WINDOW, atMs: AT, prometheus: fakePrometheusWithoutPsi(), kube: recordedApi });
    assert.deepEqual(
      host(r, '10.0.0.14:9100').signals.filter((x) => x.id === 'memory-pressure'),
      [{ id: 'memory-pressure', severity: 'warning', value: null, text: 'Kubernetes reports MemoryPressure on this node' }],
    );
  });

  it('one row per container, carrying an instance, the API’s limit and restarts', async () => {
    const r = await fleetOverview({ ...WINDOW, atMs: AT, prometheus: fakePrometheus(), kube: recordedApi });
    assert.deepEqual(r.pods.map((p) => `${p.namespace}/${p.pod}/${p.container}`).sort(), [
      'batch/report-28391520-q7wzl/report',
      'shop/api-7d9f8c6b5-x2kqp/api',
      'shop/cache-0/memcached',
    ]);
    const api = podRow(r, 'shop/api-7d9f8c6b5-x2kqp/api')!;
    // cAdvisor's row and the API's merged: near its limit (97 %), OOMKilled once (the API's signal, not the metrics' one).
    assert.deepEqual(api.signals.map((x) => x.id).sort(), ['container-near-limit', 'container-oom-killed']);
    assert.equal(api.instance, '10.0.0.11:10250');
    assert.equal(api.limitBytes, 512 * 1024 * 1024);
    assert.equal(api.restarts, 3);
    // No metrics row of their own: the instance of the host that is their node.
    assert.equal(podRow(r, 'shop/cache-0/memcached')!.instance, '10.0.0.11:9100');
    assert.equal(podRow(r, 'shop/cache-0/memcached')!.limitBytes, 129_000_000);
    assert.equal(podRow(r, 'batch/report-28391520-q7wzl/report')!.instance, '10.0.0.12:9100');
    assert.equal(podRow(r, 'batch/report-28391520-q7wzl/report')!.limitBytes, null);
  });

  it('a failing Kubernetes source leaves the Prometheus part standing, with ok:false and the reason', async () => {
    const r = await fleetOverview({
      ...WINDOW,
      atMs: AT,
      prometheus: fakePrometheus(),
      kube: failingApi,
      sshAliases: [{ alias: 'w3', hostName: '10.0.0.13' }],
    });
    assert.deepEqual(
      r.sources.find((x) => x.name === 'kubectl --context prod'),
      { name: 'kubectl --context prod', ok: false, detail: 'kubectl --context prod get pods: error: You must be logged in to the server (Unauthorized)' },
    );
    assert.ok(r.sources.find((x) => x.name === 'fake Prometheus')!.ok);
    assert.equal(r.hosts.length, 4);
    // The metrics side alone: kills on 2, 3 and 4 with no kube-state-metrics OOMKilled pod on them.
    assert.deepEqual(
      hiddenBy(r)
        .map((h) => h.node)
        .sort(),
      ['worker-2', 'worker-3', 'worker-4'],
    );
    assert.deepEqual(r.pods.map((p) => `${p.namespace}/${p.pod}/${p.container}`).sort(), ['shop/api-7d9f8c6b5-x2kqp/api', 'shop/cache-0/memcached']);
    assert.equal(host(r, '10.0.0.13:9100').sshHost, 'w3');
    assert.equal(host(r, '10.0.0.11:9100').sshHost, '10.0.0.11');
  });
});

function fakePrometheusWithoutPsi(): MetricsSource {
  const inner = fakePrometheus();
  const q = overviewQueries(WINDOW);
  return { ...inner, query: async (promql, o) => (promql === q.psiSome || promql === q.psiFull ? [] : inner.query(promql, o)) };
}

describe('parseQuantity: Kubernetes quantities in bytes', () => {
  const cases: [string, number | null][] = [
    ['512Mi', 536_870_912], // 512 × 2^20
    ['1G', 1_000_000_000],
    ['129e6', 129_000_000],
    ['128974848', 128_974_848],
    ['1Ki', 1024],
    ['1.5Gi', 1_610_612_736], // 1.5 × 2^30
    ['4.03k', 4030], // 4.03 × 1e3 is 4030.0000000000005 in floats: noise, not a fraction to round up
    // Kubernetes rounds a fraction of a byte up (Quantity.Value()): 0.1 byte is 1.
    ['100m', 1],
    ['0.1Gi', 107_374_183], // 107374182.4 rounded up
    ['junk', null],
    ['', null],
    ['12Qi', null],
    ['1.2.3Gi', null],
    ['Mi', null],
  ];
  for (const [q, want] of cases) it(`${JSON.stringify(q)} → ${want}`, () => assert.equal(parseQuantity(q), want));
  it('null and undefined are not quantities', () => {
    assert.equal(parseQuantity(null), null);
    assert.equal(parseQuantity(undefined), null);
  });
});

describe('instance → SSH host (sshMapping)', () => {
  it('instanceAddress strips the port, and the brackets of an IPv6 address', () => {
    assert.equal(instanceAddress('10.0.0.5:9100'), '10.0.0.5');
    assert.equal(instanceAddress('node-1.example.com:9100'), 'node-1.example.com');
    assert.equal(instanceAddress('[fd00::5]:9100'), 'fd00::5');
    assert.equal(instanceAddress('[fd00::5]'), 'fd00::5');
    assert.equal(instanceAddress('node-1'), 'node-1');
    // A bare IPv6 address has no port to strip.
    assert.equal(instanceAddress('fd00::5'), 'fd00::5');
  });

  const aliases = [
    { alias: 'w3', hostName: '10.0.0.13' },
    { alias: 'db', hostName: 'Db-1.Example.com' },
    { alias: 'v6', hostName: 'fd00::7' },
  ];
  it('a HostName match gives the alias (case-insensitive, IPv6 too)', () => {
    assert.equal(sshHostFor('10.0.0.13:9100', aliases), 'w3');
    assert.equal(sshHostFor('db-1.example.com:9100', aliases), 'db');
    assert.equal(sshHostFor('[fd00::7]:9100', aliases), 'v6');
    // The instance may be the alias itself.
    assert.equal(sshHostFor('w3:9100', aliases), 'w3');
  });
  it('an explicit mapping wins, by instance or by address', () => {
    assert.equal(sshHostFor('10.0.0.13:9100', aliases, { '10.0.0.13:9100': 'admin@bastion-w3' }), 'admin@bastion-w3');
    assert.equal(sshHostFor('10.0.0.13:9100', aliases, { '10.0.0.13': 'ops@w3.internal' }), 'ops@w3.internal');
  });
  it('else the bare address; nothing for localhost or what is not a host name', () => {
    assert.equal(sshHostFor('10.0.0.99:9100', aliases), '10.0.0.99');
    assert.equal(sshHostFor('[fd00::5]:9100', aliases), 'fd00::5');
    assert.equal(sshHostFor('localhost:9100', aliases), null);
    assert.equal(sshHostFor('a host/with slash:9100', aliases), null);
  });
});
