// The self-contained HTML report, opened in a real headless Chromium: it draws its tables and
// charts under its own Content-Security-Policy (only its inline style and script, by hash), with
// no CSP violation, and a process name carrying markup stays text.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { CLI, missingDependency, requireBuiltCli } from './helpers';

const CHROMIUM = process.env.OOM_LENS_CHROMIUM || '/usr/bin/chromium';

describe('HTML report in a real Chromium, under its CSP', function () {
  this.timeout(120_000);
  it('renders its tables with no CSP violation and the CSP of hashes only', async function () {
    requireBuiltCli();
    if (!existsSync(CHROMIUM)) missingDependency(this, `${CHROMIUM} is not installed (Debian package chromium)`);
    const dir = mkdtempSync(join(tmpdir(), 'oomlens-html-'));
    try {
      const json = spawnSync(process.execPath, [CLI, 'diagnose', '--json'], { encoding: 'utf8', maxBuffer: 256 << 20 });
      assert.equal(json.status, 0, json.stderr);
      const out = join(dir, 'r.html');
      const r = spawnSync(process.execPath, [CLI, 'diagnose', '--format', 'html', '--out', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || /Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(String(e)));
        await page.goto(`file://${out}`);
        await page.waitForSelector('canvas, table', { timeout: 20_000 });
        const text = await page.innerText('body');
        assert.match(text, /OOM Lens/);
        assert.ok((await page.$$('table')).length > 0, 'tables drawn');
        assert.deepEqual(problems, [], problems.join('\n'));
        const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
        assert.match(csp!, /^default-src 'none'; style-src 'sha256-[^']+' 'sha256-[^']+'; script-src 'sha256-[^']+'; img-src data:$/);
        writeFileSync(join(dir, 'ok'), '');
      } finally {
        await browser.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
