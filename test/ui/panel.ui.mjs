// UI test of the panel at a glance (issue 13): with a live leaker and a real OOM kill in the log,
// the headline names the leaker with its rate and time to OOM; the timeline reads well, checked on
// the chart's own layout (round binary ticks, x labels and kill labels that never overlap, a
// colour per line, pressure on its own axis); "Find leaks in this process" starts the right tool;
// screenshots in dark, light and high-contrast themes at 1600×1000 and 900 px wide.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFromPalette, pickQuickItem, webviewFrame, waitForWorkbench } from './workbench.mjs';

export const title =
  'panel at a glance: headline names the live leaker (rate, time to OOM); binary ticks, no overlapping labels, distinct colours, PSI off the memory axis; Find leaks starts the tool; 3 themes × 2 widths';
export const settings = { 'oomLens.sampling.intervalSeconds': 1, 'workbench.colorTheme': 'Default Dark Modern' };

const root = join(import.meta.dirname, '..', '..');

function realOomKill() {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "require('./test/integration/support/oomKill').realOomKill(64).then((k) => console.log(JSON.stringify({ pid: k.pid, signal: k.signal })))",
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
  return spawn(bin, ['1', '200', '3000'], { stdio: 'ignore' }); // 5 MiB/s
}

const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The chart as drawn, with the checks every theme and width must pass. */
async function checkLayout(frame, where) {
  const l = await frame.locator('body').evaluate(() => window.oomLens.layout());
  assert.ok(l, `${where}: no chart`);
  // Round binary ticks: 0, s, 2s… with s a power of two (in kB).
  const t = l.kbTicks;
  assert.ok(t.length >= 3, `${where}: ticks ${t}`);
  const step = t[1] - t[0];
  assert.ok(Number.isInteger(Math.log2(step)), `${where}: tick step ${step} kB is not a power of two (${t})`);
  t.forEach((v, i) => assert.equal(v, t[0] + i * step, `${where}: uneven ticks ${t}`));
  // x labels never touch.
  const xs = [...l.xLabels].sort((a, b) => a.x0 - b.x0);
  for (let i = 1; i < xs.length; i++) assert.ok(xs[i - 1].x1 + 2 <= xs[i].x0, `${where}: x labels "${xs[i - 1].text}" and "${xs[i].text}" overlap`);
  // Kill labels never overlap each other, and none is cut off at the canvas edge.
  const kills = l.killLabels;
  for (let i = 0; i < kills.length; i++)
    for (let j = i + 1; j < kills.length; j++)
      assert.ok(!overlaps(kills[i], kills[j]), `${where}: kill labels overlap: ${JSON.stringify(kills[i])} ${JSON.stringify(kills[j])}`);
  assert.ok(kills.length >= 1, `${where}: no kill label on the axis`);
  // ...and no kill line is drawn across a label's text (a dense log: many kills per label)
  assert.equal(l.linesOverLabels, 0, `${where}: ${l.linesOverLabels} kill lines cross kill labels`);
  for (const k of kills)
    assert.ok(
      k.x >= 0 && k.x + k.w <= l.area.right + 60,
      `${where}: kill label "${k.text}" is clipped (${k.x}..${k.x + k.w}, area ${l.area.left}..${l.area.right})`,
    );
  // Every visible line its own colour; red is for kills only.
  const visible = l.lines.filter((x) => x.visible && !x.label.startsWith('OOM kill'));
  const colors = visible.map((x) => x.color.toLowerCase());
  assert.equal(new Set(colors).size, colors.length, `${where}: colours repeat: ${JSON.stringify(visible.map((x) => [x.label, x.color]))}`);
  // Pressure has its own 0–100 % axis.
  for (const p of l.lines.filter((x) => /pressure/.test(x.label))) assert.equal(p.axis, 'psi', `${where}: PSI is on the memory axis`);
  if (l.lines.some((x) => /pressure/.test(x.label))) assert.equal(l.psiMax, 100);
  return { ticks: t.length, step, xLabels: xs.length, killLabels: kills.length, lines: visible.length };
}

export async function run({ page, openWorkbench, resultsDir }) {
  if (process.getuid?.() !== 0) throw new Error('this UI test needs root (a memory cgroup for a real OOM kill)');
  const kill = realOomKill();
  assert.equal(kill.signal, 'SIGKILL');
  const leaker = startLeaker();
  const out = {};
  try {
    await page.setViewportSize({ width: 1600, height: 1000 });
    await openWorkbench();
    await waitForWorkbench(page);
    await runFromPalette(page, 'OOM Lens: Diagnose OOM on Host…');
    await pickQuickItem(page, 'This machine');
    const frame = webviewFrame(page);
    await frame.locator('#timeline-canvas').waitFor({ state: 'visible', timeout: 60_000 });
    const t0 = Date.now();
    // The headline names the leaker with its rate and its time to OOM, within 30 s.
    const headline = frame.locator('#verdict .headline-text');
    const want = new RegExp(`^oomlens-leaky \\(${leaker.pid}\\) leaks [\\d.]+ MiB/min, now [\\d.]+ MiB: out of memory in ~`);
    for (;;) {
      const text = await headline.textContent();
      if (want.test(text ?? '')) {
        out.headline = text;
        break;
      }
      assert.ok(Date.now() - t0 < 30_000, `after 30 s the headline says "${text}"`);
      await page.waitForTimeout(1000);
    }
    out.headlineAfterS = Math.round((Date.now() - t0) / 1000);
    assert.equal(await frame.locator('#verdict [data-action="find-leaks"]').textContent(), `Find leaks in oomlens-leaky ${leaker.pid}`);
    // The timeline, as drawn, in each theme and width; with "Show all", so the older kills (and
    // their labels) are on the axis too.
    mkdirSync(resultsDir, { recursive: true });
    await frame.locator('#reset-zoom').click();
    await page.waitForTimeout(1000);
    const themes = [
      ['dark', null],
      ['light', 'Light Modern'],
      ['hc', 'Dark High Contrast'],
    ];
    out.layout = {};
    for (const [name, theme] of themes) {
      if (theme) {
        await runFromPalette(page, 'Preferences: Color Theme');
        await pickQuickItem(page, theme);
        await page.waitForTimeout(1500);
      }
      for (const width of [1600, 900]) {
        await page.setViewportSize({ width, height: 1000 });
        await page.waitForTimeout(1500);
        out.layout[`${name}-${width}`] = await checkLayout(frame, `${name} at ${width} px`);
        await page.screenshot({ path: join(resultsDir, `panel-${name}-${width}.png`) });
      }
      await page.setViewportSize({ width: 1600, height: 1000 });
    }
    // "Find leaks in this process" on the suspect: the runtime's tools for it (native: valgrind, heaptrack).
    // The headline is whatever is most urgent at each sample: the test's own Chromium grows too and
    // can hold it for a moment, so the leaker's own button is waited for, not the first one there.
    const findLeaks = frame.locator(`#verdict [data-action="find-leaks"][data-pid="${leaker.pid}"]`);
    await findLeaks.waitFor({ state: 'visible', timeout: 30_000 });
    await findLeaks.click();
    const pick = page.locator('.quick-input-widget');
    await pick.locator('.quick-input-title', { hasText: `Find leaks in oomlens-leaky (${leaker.pid})` }).waitFor({ state: 'visible', timeout: 20_000 });
    const items = await pick.locator('.monaco-list-row').allTextContents();
    assert.ok(
      items.some((x) => /heaptrack/i.test(x)),
      `the tools offered: ${items.join(' | ')}`,
    );
    out.tools = items.length;
    await page.keyboard.press('Escape');
    return out;
  } finally {
    leaker.kill('SIGKILL');
  }
}
