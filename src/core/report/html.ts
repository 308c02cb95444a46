// The self-contained HTML report: the panel's own bundle and CSS inlined, the report embedded as
// JSON, default light/dark colours in place of VS Code's theme variables. Opens offline anywhere.
import { createHash } from 'node:crypto';
import type { Report } from '../model/report';

export interface HtmlAssets {
  script: string;
  css: string;
}

/** VS Code's theme variables the panel CSS uses, with plain defaults for a browser. */
const THEME_DEFAULTS = `
:root { color-scheme: light dark;
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", sans-serif; --vscode-font-size: 13px;
  --vscode-foreground: #1f1f1f; --vscode-descriptionForeground: #5f6368; --vscode-editor-background: #ffffff;
  --vscode-editorWidget-background: #f3f3f3; --vscode-widget-border: #d0d0d0; --vscode-panel-border: #d0d0d0;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8;
  --vscode-focusBorder: #005fb8; --vscode-list-hoverBackground: #e8e8e8; --vscode-errorForeground: #c72e0f;
  --vscode-editorWarning-foreground: #b89500; --vscode-charts-blue: #1a85ff; --vscode-charts-orange: #d18616;
  --vscode-charts-red: #e51400; --vscode-charts-green: #388a34; --vscode-charts-purple: #652d90; --vscode-charts-yellow: #bf8803;
  --vscode-progressBar-background: #0e70c0; }
@media (prefers-color-scheme: dark) { :root {
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-editor-background: #1f1f1f;
  --vscode-editorWidget-background: #252526; --vscode-widget-border: #3c3c3c; --vscode-panel-border: #3c3c3c;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-errorForeground: #f48771; --vscode-editorWarning-foreground: #cca700; } }
`;

/** JSON that is safe inside a <script> element. */
function scriptSafeJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export function renderHtml(r: Report, assets: HtmlAssets): string {
  const css = assets.css.replace(/<\/style/gi, '<\\/style');
  const script = assets.script.replace(/<\/script/gi, '<\\/script');
  // Only our own inline style and script run (by hash): nothing from the report (process names,
  // log lines) can load or run anything, even if an escape were missed. No network at all.
  const csp = ["default-src 'none'", `style-src ${sha256(THEME_DEFAULTS)} ${sha256(css)}`, `script-src ${sha256(script)}`, 'img-src data:'].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>OOM Lens report: ${escapeHtml(r.host.name)} at ${escapeHtml(r.takenAt)}</title>
<style>${THEME_DEFAULTS}</style>
<style>${css}</style>
</head>
<body>
<main id="app"><noscript>This report needs JavaScript to draw its tables and charts.</noscript></main>
<script type="application/json" id="oom-lens-report">${scriptSafeJson(r)}</script>
<script>${script}</script>
</body>
</html>
`;
}
