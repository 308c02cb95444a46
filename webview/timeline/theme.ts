// Chart colours from VS Code's theme variables, so the timeline follows light, dark and high
// contrast themes; read again when the theme changes (VS Code swaps the body class).

// Red is kept for kills: no series gets it. After the theme's own chart colours come fixed ones
// chosen to stay apart from them and from each other, enough for every line the timeline draws.
const PALETTE_VARS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-purple', '--vscode-charts-yellow'];
const FALLBACK = [
  '#1a85ff',
  '#d18616',
  '#388a34',
  '#a569bd',
  '#bf8803',
  '#00a3a3',
  '#c94f95',
  '#6b8e23',
  '#8c564b',
  '#17becf',
  '#7f7f7f',
  '#3d5ba9',
  '#b5a642',
  '#5f9ea0',
  '#d2691e',
  '#708090',
  '#9acd32',
];
/** Series a timeline may draw at most (every one a colour of its own). */
export const MAX_DISTINCT = FALLBACK.length;

export interface ChartTheme {
  palette: string[];
  foreground: string;
  muted: string;
  grid: string;
  danger: string;
  background: string;
  highContrast: boolean;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function readTheme(): ChartTheme {
  const palette = PALETTE_VARS.map((v, i) => cssVar(v, FALLBACK[i]));
  palette.push(...FALLBACK.slice(PALETTE_VARS.length));
  return {
    palette,
    foreground: cssVar('--vscode-foreground', '#333'),
    muted: cssVar('--vscode-descriptionForeground', '#777'),
    grid: cssVar('--vscode-widget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.25)')),
    danger: cssVar('--vscode-errorForeground', '#e51400'),
    background: cssVar('--vscode-editor-background', '#fff'),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
  };
}

/** Calls back when VS Code switches theme (body class change). */
export function onThemeChange(cb: () => void): void {
  new MutationObserver(cb).observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** A colour with alpha, for fills. Works for #rrggbb and rgb()/rgba() inputs. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/.exec(color);
  return rgb ? `rgba(${rgb[1]},${rgb[2]},${rgb[3]}, ${alpha})` : color;
}
