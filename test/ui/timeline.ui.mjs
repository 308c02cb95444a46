// UI test of the timeline (issue 6): diagnose this machine while a process leaks steadily, after a
// REAL OOM kill in a test cgroup; the chart's own data (read inside the webview) has the kill
// marker and the suspect's line; screenshots in dark and light themes; no CSP violations or
// console errors from the webview.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFromPalette, pickQuickItem, webviewFrame, waitForWorkbench, collectWebviewErrors } from './workbench.mjs';

export const title = 'timeline: a real OOM kill marker and a leaking process line in the chart data; dark + light screenshots; no webview errors';
export const settings = { 'oomLens.sampling.intervalSeconds': 0.5, 'workbench.colorTheme': 'Default Dark Modern' };

const root = join(import.meta.dirname, '..', '..');

/** A real OOM kill through the same helper the integration tests use (TypeScript, run with tsx). */
function realOomKill() {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "require('./test/integration/support/oomKill').realOomKill(64).then((k) => console.log(JSON.stringify({ pid: k.pid, path: k.cg.path, signal: k.signal })))",
    ],
    { cwd: root, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0) throw new Error(`could not cause an OOM kill: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function startLeaker() {
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-ui-'));
  const bin = join(dir, 'oomlens-leaky');
  const cc = spawnSync('gcc', ['-O0', '-o', bin, join(root, 'test', 'fixtures', 'programs', 'grow.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc: ${cc.stderr}`);
  // 1 MiB every 250 ms: a steady 4 MiB/s leak.
  return spawn(bin, ['1', '250', '400'], { stdio: 'ignore' });
}

export async function run({ page, openWorkbench, resultsDir }) {
  if (process.getuid?.() !== 0) throw new Error('this UI test needs root (it creates a memory cgroup for a real OOM kill)');
  const kill = realOomKill();
  assert.equal(kill.signal, 'SIGKILL');
  const leaker = startLeaker();
  const webviewErrors = collectWebviewErrors(page);
  try {
    await openWorkbench();
    await waitForWorkbench(page);
    await runFromPalette(page, 'OOM Lens: Diagnose OOM on Host…');
    await pickQuickItem(page, 'This machine');
    const frame = webviewFrame(page);
    await frame.locator('#timeline-canvas').waitFor({ state: 'visible', timeout: 60_000 });
    // Let the session sample for a while (0.5 s interval).
    await page.waitForTimeout(24_000);
    const data = await frame.locator('body').evaluate((_, leakPid) => {
      const chart = window.oomLens.timeline();
      const model = window.oomLens.model();
      return {
        labels: chart.data.datasets.map((d) => d.label),
        leakPoints: chart.data.datasets.find((d) => d.label.includes(`(${leakPid})`))?.data.filter((p) => p.y !== null).length ?? 0,
        kills: model.kills.map((k) => ({ pid: k.victimPid, label: k.label })),
        annotations: Object.keys(chart.options.plugins.annotation.annotations).filter((k) => k.startsWith('kill')).length,
        samples: model.t.length,
      };
    }, leaker.pid);
    assert.ok(
      data.kills.some((k) => k.pid === kill.pid),
      `no kill marker for pid ${kill.pid}: ${JSON.stringify(data.kills.slice(-5))}`,
    );
    assert.ok(data.annotations >= 1, 'no kill annotation drawn');
    assert.ok(data.samples >= 10, `only ${data.samples} samples after 24 s`);
    assert.ok(
      data.labels.some((l) => l.includes(`oomlens-leaky (${leaker.pid})`)),
      `no line for the leaking process in ${JSON.stringify(data.labels)}`,
    );
    assert.ok(data.leakPoints >= 10, `the leaking process line has ${data.leakPoints} points`);
    const suspect = await frame.locator(`table.procs tr[data-pid="${leaker.pid}"]`).getAttribute('class');
    assert.match(suspect ?? '', /leak-suspect/, 'the steadily leaking process is flagged in the process table');
    mkdirSync(resultsDir, { recursive: true });
    await frame.locator('#timeline').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'timeline-dark.png') });
    // Switch theme like a user does, then look again.
    await runFromPalette(page, 'Preferences: Color Theme');
    await pickQuickItem(page, 'Light Modern');
    await page.waitForTimeout(1500);
    await frame.locator('#timeline').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(resultsDir, 'timeline-light.png') });
    assert.deepEqual(webviewErrors, [], `webview errors: ${webviewErrors.join(' | ')}`);
    return { killPid: kill.pid, leakPid: leaker.pid, samples: data.samples, leakRowClass: suspect, series: data.labels.length };
  } finally {
    leaker.kill('SIGKILL');
  }
}
