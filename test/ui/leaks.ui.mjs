// UI test: a user runs "OOM Lens: Run with Valgrind Memcheck…" from the real command palette,
// picks the compiled C fixture in the file dialog, accepts the arguments, and after the run
// (a task terminal) the Leak Reports view shows the site; clicking it opens leak.c at the leaking
// line with the diagnostic and a hover with the stack; the Problems panel lists the leak. Screenshot: test-results/leaks-valgrind.png.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runFromPalette, waitForWorkbench } from './workbench.mjs';

export const title = 'palette: Run with Valgrind Memcheck… → pick the C program → Leak Reports site opens leak.c:14 with the diagnostic; Problems lists it';

const root = resolve(import.meta.dirname, '..', '..');

export async function run({ page, openWorkbench, resultsDir }) {
  const have = (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0;
  if (!have('valgrind') || !have('gcc')) {
    console.warn(`    ⚠ SKIPPED: ${title}\n      reason: gcc or valgrind is not installed (apt-get install -y gcc valgrind)`);
    return { skipped: 'gcc or valgrind missing' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'oom-lens-ui-leak-'));
  const program = join(dir, 'leak');
  const cc = spawnSync('gcc', ['-g', '-O0', '-o', program, join(root, 'test', 'fixtures', 'programs', 'leak.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);

  await openWorkbench();
  await waitForWorkbench(page);
  await runFromPalette(page, 'OOM Lens: Run with Valgrind Memcheck…');

  // No launch.json in the fixture workspace: straight to the (simple, in the browser) file dialog.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 20_000 });
  // The simple dialog fills in its start folder asynchronously: wait for it, then type the path,
  // and check it stuck before pressing Enter.
  for (let i = 0; i < 50 && !(await input.inputValue()).endsWith('/'); i++) await page.waitForTimeout(100);
  for (let attempt = 0; attempt < 5; attempt++) {
    await input.fill(program);
    await page.waitForTimeout(700);
    if ((await input.inputValue()) === program) break;
  }
  assert.equal(await input.inputValue(), program);
  await input.press('Enter');
  // The arguments input box.
  await page.locator('.quick-input-widget', { hasText: 'arguments' }).waitFor({ state: 'visible', timeout: 20_000 });
  await input.fill('8');
  await input.press('Enter');

  // The run ends in the Leak Reports view: report -> site; clicking the site opens the file at its line.
  const site = page.locator('.pane', { hasText: 'Leak Reports' }).locator('.monaco-list-row', { hasText: '128 B definitely lost in 8 blocks' }).first();
  await site.waitFor({ state: 'visible', timeout: 90_000 });
  const terminal = page.locator('.terminal-wrapper, .xterm').first();
  await terminal.waitFor({ state: 'visible', timeout: 10_000 });
  await site.click();
  await page.locator('.tabs-container .tab', { hasText: 'leak.c' }).waitFor({ state: 'visible', timeout: 20_000 });
  const line = await page.locator('.editor-group-container .monaco-editor .view-line', { hasText: 'char *p = malloc(16);' }).first().isVisible();
  assert.ok(line, 'the leaking line is visible in the editor');

  // The Problems panel lists it.
  await runFromPalette(page, 'View: Focus Problems');
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: '128 B definitely lost in 8 blocks (valgrind memcheck)' }).first();
  await row.waitFor({ state: 'visible', timeout: 20_000 });
  const rowText = (await row.textContent()) ?? '';
  assert.match(rowText, /\[Ln 14, Col 1\]/, `Problems row: ${rowText}`);
  // The squiggle is in the editor; hovering it shows the whole stack.
  const squiggle = page.locator('.monaco-editor .squiggly-error').first();
  await squiggle.waitFor({ state: 'visible', timeout: 20_000 });
  await page.locator('.editor-group-container .monaco-editor .view-line span', { hasText: 'malloc' }).first().hover();
  const hover = page.locator('.monaco-hover', { hasText: 'OOM Lens: 128 B definitely lost in 8 blocks' }).first();
  await hover.waitFor({ state: 'visible', timeout: 20_000 });
  const hoverText = (await hover.textContent()) ?? '';
  assert.match(hoverText, /make_record \(.*leak\.c:14\)/);
  assert.match(hoverText, /main \(.*leak\.c:29\)/);

  await page.waitForTimeout(800);
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: `${resultsDir}/leaks-valgrind.png` });
  return { problemsRow: rowText.trim().slice(0, 120), hover: hoverText.replace(/\s+/g, ' ').slice(0, 160) };
}
