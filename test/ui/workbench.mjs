// Playwright helpers for driving the real VS Code workbench (code-server) like a user does.

/** Runs a command from the palette. The palette snapshots commands when it opens, so a palette
 * opened before the extension host is ready shows "No matching commands": close and reopen. */
export async function runFromPalette(page, title, { timeoutMs = 90_000 } = {}) {
  const until = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget .quick-input-box input');
  while (Date.now() < until) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await row.click();
      return;
    } catch {
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
  throw new Error(`command "${title}" never appeared in the palette`);
}

/** Picks an item from an open quick pick by its label text. */
export async function pickQuickItem(page, label, { timeoutMs = 20_000 } = {}) {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/** The content frame of the active webview (panel). */
export function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
}

export async function waitForWorkbench(page, { timeoutMs = 90_000 } = {}) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Errors and CSP refusals of the OOM Lens panel's webview, collected from the page from now on (the list fills as they come). */
export function collectWebviewErrors(page) {
  const errors = [];
  page.on('console', (m) => {
    const url = m.location()?.url ?? '';
    if ((m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) && /webview|vscode-cdn|vscode-resource|panel\.js/.test(url + m.text()))
      errors.push(m.text());
  });
  page.on('pageerror', (e) => {
    if (/panel\.js/.test(e.stack ?? '')) errors.push(e.message);
  });
  return errors;
}
