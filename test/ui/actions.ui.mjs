// UI test of acting on the diagnosis (issue 15): from the leak suspect's row in the panel, "Kill…"
// shows the exact command in a dialog whose button is named after the action; confirming kills
// the real process; the Actions Log view lists it.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runFromPalette, pickQuickItem, webviewFrame, waitForWorkbench } from './workbench.mjs';

export const title = "actions: Kill… on the leak suspect's row shows the command and a button named after it; confirming kills it; the Actions Log shows it";
export const settings = { 'oomLens.sampling.intervalSeconds': 1 };

const root = join(import.meta.dirname, '..', '..');
const alive = (pid) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

export async function run({ page, openWorkbench, resultsDir }) {
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-ui-act-'));
  const bin = join(dir, 'oomlens-leaky');
  const cc = spawnSync('gcc', ['-O0', '-o', bin, join(root, 'test', 'fixtures', 'programs', 'grow.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc: ${cc.stderr}`);
  const leaker = spawn(bin, ['1', '200', '3000'], { stdio: 'ignore' });
  try {
    await openWorkbench();
    await waitForWorkbench(page);
    await runFromPalette(page, 'OOM Lens: Diagnose OOM on Host…');
    await pickQuickItem(page, 'This machine');
    const frame = webviewFrame(page);
    // The leak suspect's row, then its detail under it, then Kill….
    await frame.locator(`#proc-table tr[data-pid="${leaker.pid}"].leak-suspect`).waitFor({ state: 'attached', timeout: 45_000 });
    await frame.locator(`#proc-table tr[data-pid="${leaker.pid}"] button.link`).click();
    await frame.locator('#kill-process').click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 20_000 });
    const text = await dialog.textContent();
    assert.match(text, new RegExp(`kill ${leaker.pid}`), `the dialog shows the command: ${text}`);
    const named = dialog.locator('.monaco-button', { hasText: `Stop oomlens-leaky (${leaker.pid})` });
    assert.equal(await named.count(), 1, `no button named after the action in: ${text}`);
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: join(resultsDir, 'action-kill-dialog.png') });
    assert.ok(alive(leaker.pid), 'nothing ran before the confirmation');
    await named.click();
    for (let i = 0; i < 40 && alive(leaker.pid); i++) await page.waitForTimeout(250);
    assert.ok(!alive(leaker.pid), 'the process is still running after the confirmed kill');
    // The Actions Log (the OOM Lens view container) lists it.
    await runFromPalette(page, 'OOM Lens: Focus on Actions Log View');
    const entry = page.locator('.monaco-list-row', { hasText: `Stop oomlens-leaky (${leaker.pid})` });
    await entry.first().waitFor({ state: 'visible', timeout: 20_000 });
    await page.screenshot({ path: join(resultsDir, 'action-log.png') });
    return { pid: leaker.pid, dialog: text.replace(/\s+/g, ' ').slice(0, 200) };
  } finally {
    leaker.kill('SIGKILL');
  }
}
