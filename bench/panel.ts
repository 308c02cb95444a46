// bench/panel: the panel's timeline in headless Chromium with 24 h × 1 s for 20 series (~1.7 M
// points): time to first render and to re-render after a zoom, beside a baseline of the same page
// with a small report (1 series × 100 points) in the same run. Targets: under 1.5 s and 200 ms.
// Run: npm run build && npx tsx bench/panel.ts
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { renderHtml } from '../src/core/report/html';
import { parseSnapshotFrames } from '../src/core/parse/snapshotFrames';
import { buildReport } from '../src/core/collect/snapshot';
import type { Host } from '../src/core/host/host';
import type { Report, Samples } from '../src/core/model/report';

const ROOT = join(__dirname, '..');

function reportWith(points: number, series: number): Report {
  const r = buildReport(parseSnapshotFrames(readFileSync(join(ROOT, 'test', 'fixtures', 'snapshot', 'debian-root.txt'), 'utf8')), {
    name: 'bench',
    via: 'local',
  } as Host);
  const t0 = Date.parse('2026-11-25T00:00:00Z');
  const t: string[] = new Array(points);
  for (let i = 0; i < points; i++) t[i] = new Date(t0 + i * 1000).toISOString();
  const processes: Samples['processes'] = {};
  for (let s = 0; s < series - 3; s++) {
    const rss: number[] = new Array(points);
    for (let i = 0; i < points; i++) rss[i] = 100_000 + s * 20_000 + Math.round(i * (s % 3) * 0.5 + 2000 * Math.sin(i / (300 + s * 17)));
    processes[String(10_000 + s)] = { rssKb: rss, pssKb: new Array(points).fill(null), comm: `svc${s}` };
  }
  const avail = new Array(points);
  const cache = new Array(points);
  for (let i = 0; i < points; i++) {
    avail[i] = 20_000_000 - i * 20;
    cache[i] = 2_000_000 + (i % 5000);
  }
  r.samples = {
    intervalMs: 1000,
    t,
    system: { availableKb: avail, swapUsedKb: new Array(points).fill(0), cachedKb: cache },
    processes,
    memTotalKb: r.memory.totalKb,
  };
  r.takenAt = t[points - 1];
  r.events = [];
  return r;
}

async function measure(page: import('playwright-core').Page, file: string) {
  const t0 = Date.now();
  await page.goto(`file://${file}`);
  // performance.now() in the page counts from navigation start.
  const firstRender = await page
    .waitForFunction(
      () => {
        const w = globalThis as unknown as { oomLens?: { timeline(): unknown } };
        return w.oomLens?.timeline() ? performance.now() : 0;
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    )
    .then((h) => h.jsonValue() as Promise<number>);
  const loadWall = Date.now() - t0;
  const zoomMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    zoomMs.push(
      await page.evaluate((k) => {
        const w = globalThis as unknown as { oomLens: { model(): { range: [number, number] }; zoomTo(a: number, b: number): void } };
        const [a, b] = w.oomLens.model().range;
        const span = (b - a) / (4 + k);
        const s = performance.now();
        w.oomLens.zoomTo(a + span, a + 2 * span);
        return performance.now() - s;
      }, i),
    );
  }
  zoomMs.sort((a, b) => a - b);
  return { firstRender, loadWall, zoom: zoomMs[2] };
}

async function main() {
  const assets = { script: readFileSync(join(ROOT, 'dist', 'webview', 'panel.js'), 'utf8'), css: readFileSync(join(ROOT, 'media', 'panel.css'), 'utf8') };
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-bench-panel-'));
  const small = join(dir, 'small.html');
  const big = join(dir, 'big.html');
  writeFileSync(small, renderHtml(reportWith(100, 4), assets));
  const bigReport = reportWith(86_400, 20);
  const pointCount = 86_400 * (Object.keys(bigReport.samples!.processes).length + 3);
  writeFileSync(big, renderHtml(bigReport, assets));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const base = await measure(page, small);
    const full = await measure(page, big);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    console.log(`points: ${pointCount.toLocaleString()} (86,400 × ${pointCount / 86_400} series); HTML ${(readFileSync(big).length / 1048576).toFixed(1)} MB`);
    console.log(`baseline (100 points × 4 series): first render ${base.firstRender.toFixed(0)} ms, zoom re-render ${base.zoom.toFixed(1)} ms`);
    console.log(
      `24 h × 1 s × 20 series:           first render ${full.firstRender.toFixed(0)} ms (target < 1500), zoom re-render ${full.zoom.toFixed(1)} ms (target < 200)`,
    );
    console.log(
      `ratios to baseline: first render ${(full.firstRender / base.firstRender).toFixed(2)}x, zoom ${(full.zoom / Math.max(0.1, base.zoom)).toFixed(2)}x`,
    );
  } finally {
    await browser.close();
  }
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
