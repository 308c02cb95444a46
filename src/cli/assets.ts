// The panel bundle and CSS, shipped next to the CLI (dist/webview, media/), for the HTML report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HtmlAssets } from '../core/report/html';
import { OomLensError } from '../core/errors';

export function htmlAssets(): HtmlAssets {
  // dist/cli.js -> dist/webview/panel.js and media/panel.css
  const script = join(__dirname, 'webview', 'panel.js');
  const css = join(__dirname, '..', 'media', 'panel.css');
  try {
    return { script: readFileSync(script, 'utf8'), css: readFileSync(css, 'utf8') };
  } catch (e) {
    throw new OomLensError(`the HTML report needs ${script} and ${css}: ${(e as Error).message} (run npm run build)`);
  }
}
