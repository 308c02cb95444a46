// UI test of the fleet (issue 16): a REAL Prometheus serving the recorded 500-host TSDB (read at
// its end through oomLens.fleet.evaluateAt); the Fleet view, as the user reads its rows, lists the
// planted hosts in rank order; a click on the first (node-013:9100, 5 OOM kills) opens the panel
// with its timeline, whose chart has its two kill markers drawn; screenshots of both.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { runFromPalette, webviewFrame, waitForWorkbench, collectWebviewErrors } from './workbench.mjs';

export const title =
  'fleet: the Fleet view lists the planted hosts in rank order from a real Prometheus; a click on node-013 opens its timeline with kill markers';
// The recorded TSDB ends in the past: look at the fleet as it was then.
export const settings = { 'oomLens.fleet.evaluateAt': '2026-11-30T00:00:00Z', 'oomLens.fleet.window': '24h' };

// The fixtures and the Prometheus helper are TypeScript, shared with the integration tests.
const { startPrometheus, PROMTOOL } = await tsImport('../integration/support/prometheus.ts', import.meta.url);
const { fleetTsdb, PLANTED, instanceName, FLEET_END_MS } = await tsImport('../fixtures/fleet/fleetTsdb.ts', import.meta.url);

export async function run({ page, openWorkbench, resultsDir, server }) {
  assert.equal(Date.parse(settings['oomLens.fleet.evaluateAt']), FLEET_END_MS);
  const { dir } = await fleetTsdb(PROMTOOL);
  const prom = await startPrometheus({ dataDir: dir });
  const webviewErrors = collectWebviewErrors(page);
  try {
    // Its URL is known only now: into the profile's settings before the workbench opens.
    const file = join(server.dataDir, 'user-data', 'User', 'settings.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), 'oomLens.fleet.prometheusUrl': prom.url }, null, 2));
    await openWorkbench();
    await waitForWorkbench(page);
    await runFromPalette(page, 'OOM Lens: Focus on Fleet View');
    // Room for the ranking: the container's other views folded, as a user would.
    for (const name of ['Memory', 'Leak Reports', 'Actions Log']) {
      // On its title: the header's middle can be one of its action buttons.
      const header = page.locator('.pane-header[aria-expanded="true"] h3.title', { hasText: new RegExp(`^${name}$`, 'i') });
      if (await header.count()) await header.first().click();
    }
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Fleet/i }) });
    const hostRows = pane.locator('.monaco-list-row', { hasText: /node-\d{3}:9100/ });
    await hostRows.first().waitFor({ state: 'visible', timeout: 60_000 });
    // The rows as the user reads them: instance, then its worst signal.
    const seen = await hostRows.evaluateAll((rows) =>
      rows
        .map((r) => ({
          top: r.getBoundingClientRect().top,
          name: r.querySelector('.label-name')?.textContent?.trim() ?? '',
          description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
        }))
        .sort((a, b) => a.top - b.top),
    );
    const want = PLANTED.map((p) => instanceName(p.i));
    assert.ok(seen.length >= want.length, `only ${seen.length} host rows visible: ${JSON.stringify(seen)}`);
    assert.deepEqual(
      seen.slice(0, want.length).map((r) => r.name),
      want,
    );
    assert.match(seen[0].description, /^5 OOM kills in /);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'fleet-view.png') });

    // Click the worst host: the panel opens on its timeline.
    await hostRows
      .filter({ hasText: instanceName(13) })
      .first()
      .click();
    const frame = webviewFrame(page);
    await frame.locator(`#host-drilldown[data-instance="${instanceName(13)}"] #host-timeline-canvas`).waitFor({ state: 'visible', timeout: 60_000 });
    const kills = await frame.locator('#host-kills').textContent();
    assert.match(kills, /^5 OOM kills in the window/, kills);
    const data = await frame.locator('body').evaluate(() => {
      const chart = window.oomLens.hostTimeline();
      const model = window.oomLens.hostModel();
      const layout = window.oomLens.hostLayout();
      return {
        kills: model.kills.map((k) => k.label),
        annotations: Object.keys(chart.options.plugins.annotation.annotations).filter((k) => k.startsWith('kill')).length,
        killLabels: layout.killLabels.map((l) => l.text),
        area: layout.area,
        lines: layout.lines.filter((l) => l.visible).map((l) => l.label),
        points: model.t.length,
      };
    });
    assert.deepEqual(data.kills, ['2 OOM kills', '3 OOM kills']);
    assert.equal(data.annotations, 2, 'a kill line per marker');
    assert.ok(data.killLabels.length >= 1 && data.killLabels.every((t) => /^✖ /.test(t)), `kill labels drawn: ${JSON.stringify(data.killLabels)}`);
    assert.ok(data.lines.includes('used (total − available)'), `visible lines: ${data.lines}`);
    assert.ok(data.points > 250 && data.points <= 300, `${data.points} points`);
    // The panel's fleet table: the same ranking, the opened host selected.
    const tableRows = await frame.locator('#fleet-hosts tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-instance')));
    assert.deepEqual(tableRows.slice(0, want.length), want);
    assert.match((await frame.locator(`#fleet-hosts tr[data-instance="${instanceName(13)}"]`).getAttribute('class')) ?? '', /selected/);
    await frame.locator('#host-drilldown').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'fleet-host-timeline.png') });
    await frame.locator('#fleet-hosts').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'fleet-panel-table.png') });
    assert.deepEqual(webviewErrors, [], `webview errors: ${webviewErrors.join(' | ')}`);
    return { hosts: seen.slice(0, 3).map((r) => `${r.name} — ${r.description}`), kills: data.kills, killLabels: data.killLabels };
  } finally {
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
