// UI test: a user runs "OOM Lens: Diagnose OOM on Host…" from the real command palette, picks
// "This machine", and the panel shows this machine's MemTotal (compared with /proc/meminfo).
import { strict as assert } from 'node:assert';
import { readFileSync, mkdirSync } from 'node:fs';
import { runFromPalette, pickQuickItem, webviewFrame, waitForWorkbench } from './workbench.mjs';

export const title = 'palette: Diagnose OOM on Host… → This machine → panel shows MemTotal of /proc/meminfo';

export async function run({ page, openWorkbench, resultsDir }) {
  await openWorkbench();
  await waitForWorkbench(page);
  await runFromPalette(page, 'OOM Lens: Diagnose OOM on Host…');
  await pickQuickItem(page, 'This machine');
  const frame = webviewFrame(page);
  const total = frame.locator('[data-field="memTotalKb"]');
  await total.waitFor({ state: 'visible', timeout: 60_000 });
  const shownKb = Number(await total.getAttribute('data-kb'));
  const procKb = Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))[1]);
  assert.equal(shownKb, procKb, `panel MemTotal ${shownKb} kB != /proc/meminfo ${procKb} kB`);
  const shownText = await total.locator('.stat-value').textContent();
  assert.match(shownText, /^\d+(\.\d{1,2})? GiB$/, `MemTotal shown as "${shownText}"`);
  const rows = await frame.locator('table.procs tbody tr').count();
  assert.ok(rows > 0, 'the process table is empty');
  await page.waitForTimeout(500);
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: `${resultsDir}/panel-diagnose.png` });
  // A window reload must lose nothing: the panel comes back (serializer) with the same report.
  await page.reload();
  await waitForWorkbench(page);
  const restored = webviewFrame(page).locator('[data-field="memTotalKb"]');
  await restored.waitFor({ state: 'visible', timeout: 60_000 });
  assert.equal(Number(await restored.getAttribute('data-kb')), procKb, 'the restored panel shows the same MemTotal');
  return { memTotalKb: shownKb, processRows: rows, restoredAfterReload: true };
}
