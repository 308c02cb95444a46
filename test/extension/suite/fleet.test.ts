// The "Fleet" view inside a real VS Code, on a REAL Prometheus serving the recorded 500-host TSDB
// (test/fixtures/fleet/fleetTsdb.ts, read at its end with oomLens.fleet.evaluateAt): the view's
// top host rows are the planted hosts in their rank order; a host's drill-down has its kill markers;
// a wrong URL, a path that is not Prometheus and a 401 (a tiny in-test server's recorded answer)
// are each one clear error row, never an empty view or a throw.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as vscode from 'vscode';
import { COMMANDS } from '../../../src/vscode/ids';
import { fleetItems, type FleetItem } from '../../../src/vscode/fleet/tree';
import { hiddenKillFinding } from '../../../src/core/fleet/promOverview';
import type { FleetReport } from '../../../src/core/model/fleet';
import type { FleetState } from '../../../src/vscode/fleet/service';
import { PROMETHEUS, PROMTOOL, freePort, startPrometheus } from '../../integration/support/prometheus';
import { FLEET_END_MS, PLANTED, fleetTsdb, instanceName } from '../../fixtures/fleet/fleetTsdb';
import { activeExtension } from './extension';
import { missingDependency } from './deps';

const config = () => vscode.workspace.getConfiguration('oomLens');
const set = (key: string, value: unknown) => config().update(key, value, vscode.ConfigurationTarget.Global);

async function rows(): Promise<FleetItem[]> {
  const { fleet } = (await activeExtension()).exports;
  return fleet.tree.getChildren();
}
const label = (i: FleetItem) => String(typeof i.label === 'string' ? i.label : i.label?.label);

describe('Fleet view in a real VS Code (a real Prometheus on the recorded 500-host TSDB)', function () {
  this.timeout(180_000);
  let prom: Awaited<ReturnType<typeof startPrometheus>> | null = null;
  let dataDir = '';
  let http401: Server | null = null;

  before(async function () {
    if (!existsSync(PROMETHEUS) || !existsSync(PROMTOOL)) {
      missingDependency(this, `no ${PROMETHEUS} / ${PROMTOOL} (apt-get install prometheus)`);
    }
    const tsdb = await fleetTsdb(PROMTOOL);
    dataDir = tsdb.dir;
    prom = await startPrometheus({ dataDir });
    await set('fleet.window', '24h');
    await set('fleet.evaluateAt', new Date(FLEET_END_MS).toISOString());
  });

  after(async () => {
    for (const k of ['fleet.prometheusUrl', 'fleet.evaluateAt', 'fleet.window', 'fleet.sshMapping']) await set(k, undefined);
    await prom?.stop();
    http401?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the planted hosts first, in their rank order, each with its worst signal; Sources say what was absent', async () => {
    await set('fleet.prometheusUrl', prom!.url);
    const state = (await vscode.commands.executeCommand(COMMANDS.fleetRefresh.id)) as FleetState;
    assert.equal(state.kind, 'ok', JSON.stringify(state).slice(0, 400));
    const top = await rows();
    const hosts = top.filter((i) => i.contextValue?.startsWith('fleet.host'));
    assert.deepEqual(
      hosts.slice(0, PLANTED.length).map(label),
      PLANTED.map((p) => instanceName(p.i)),
    );
    assert.match(String(hosts[0].description), /^5 OOM kills in /);
    assert.equal((hosts[0].iconPath as vscode.ThemeIcon).id, 'error', 'critical: the error icon');
    assert.equal((hosts[5].iconPath as vscode.ThemeIcon).id, 'warning', 'node-250 (2 kills) is a warning');
    assert.ok(hosts[0].kids.length >= 1 && hosts[0].kids.every((k) => /critical|warning|info/.test(String(k.description))));
    assert.equal(hosts[0].command?.command, COMMANDS.fleetOpenHost.id, 'a click opens its timeline');
    const sources = top.find((i) => label(i) === 'Sources');
    assert.ok(sources, `no Sources group in ${top.map(label).join(' | ')}`);
    assert.ok(
      sources.kids.some((k) => label(k) === 'kube-state-metrics' && /no kube-state-metrics series/.test(String(k.description))),
      sources.kids.map((k) => `${label(k)}: ${k.description}`).join(' | '),
    );
    assert.ok(top.some((i) => /^Pods \(\d+\)$/.test(label(i))));
    assert.ok(top.some((i) => /^\d+ hosts without a signal$/.test(label(i))));
  });

  it("a host's drill-down has its kill markers (node-013: 2 and 3 kills) and memory on a ≤300-point axis; Open opens the panel", async () => {
    const { fleet } = (await activeExtension()).exports;
    const hs = await fleet.service.hostSeries(instanceName(13));
    assert.deepEqual(
      hs.kills.map((k) => k.count),
      [2, 3],
    );
    assert.ok(hs.t.length <= 300 && hs.t.length > 250, `${hs.t.length} points`);
    assert.ok(hs.availableKb.filter((v) => v !== null).length > 250);
    assert.equal(hs.endMs, FLEET_END_MS);
    await vscode.commands.executeCommand(COMMANDS.fleetOpenHost.id, { instance: instanceName(13) });
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.label === 'OOM Lens');
    assert.ok(tab, 'the panel is open');
  });

  it('a wrong URL, a path that is not Prometheus and a 401 are each one clear error row', async () => {
    const port = await freePort();
    const cases: [string, RegExp][] = [
      [`http://127.0.0.1:${port}`, /cannot reach Prometheus at http:\/\/127\.0\.0\.1:\d+\/: connection refused/],
      [`${prom!.url}/not-prometheus/`, /does not answer like Prometheus \(HTTP 404.*check the URL/],
      ['prometheus:9090', /not an http\(s\) URL|not a Prometheus URL/],
    ];
    // Recorded answer of a Prometheus behind an auth proxy without credentials.
    http401 = createServer((_req, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized'));
    await new Promise<void>((r) => http401!.listen(0, '127.0.0.1', () => r()));
    cases.push([`http://127.0.0.1:${(http401.address() as { port: number }).port}`, /refused the credentials \(HTTP 401, and none were given/]);
    for (const [url, want] of cases) {
      await set('fleet.prometheusUrl', url);
      const state = (await vscode.commands.executeCommand(COMMANDS.fleetRefresh.id)) as FleetState;
      assert.equal(state.kind, 'error', url);
      const top = await rows();
      assert.equal(top[0].contextValue, 'fleet.error', `${url}: ${top.map(label).join(' | ')}`);
      assert.match(label(top[0]), want);
      assert.ok(
        top.some((i) => label(i) === 'Retry'),
        'a Retry row',
      );
      if (/401/.test(String(want)))
        assert.ok(
          top.some((i) => i.command?.command === COMMANDS.fleetSetCredentials.id),
          'a Set Prometheus Credentials… row after a 401',
        );
    }
  });

  it('shows a cross-host finding (the hidden kill) first, and pods as namespace/pod/container with their worst signal', () => {
    const kill = { id: 'container-oom-killed', severity: 'critical' as const, value: 3, text: 'last terminated OOMKilled, 3 restarts in 1 d' };
    const report: FleetReport = {
      version: 1,
      takenAt: new Date(FLEET_END_MS).toISOString(),
      windowMs: 86_400_000,
      sources: [{ name: 'kube-state-metrics', ok: false, detail: 'no kube-state-metrics series: its signals are absent, not zero' }],
      hosts: [],
      pods: [{ namespace: 'shop', pod: 'cart-7d9', container: 'app', node: 'node-013', instance: null, signals: [kill], worst: kill, restarts: 3 }],
      findings: [hiddenKillFinding('node-013', 'node-013:9100', 5, ['shop/cart-7d9'])],
    };
    const top = fleetItems({ kind: 'ok', report, url: 'http://prometheus:9090' });
    assert.match(label(top[0]), /^Findings \(1\)$/);
    assert.match(label(top[0].kids[0]), /not visible to Kubernetes, on node node-013/);
    const pods = top.find((i) => label(i).startsWith('Pods'))!;
    assert.equal(label(pods.kids[0]), 'shop/cart-7d9/app');
    assert.equal(pods.kids[0].description, kill.text);
    assert.match(label(top.find((i) => label(i).startsWith('No hosts'))!), /no node_exporter series/);
  });
});
