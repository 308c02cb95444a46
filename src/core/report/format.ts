// Small number formatters shared by the text/Markdown renderers and the webview.

/** kB -> "1.5Gi" like free -h (binary units). */
export function humanKb(kbValue: number | null | undefined): string {
  if (kbValue == null) return '-';
  if (kbValue === 0) return '0';
  const units = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = kbValue;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const digits = Math.abs(v) >= 100 || i === 0 ? 0 : 1;
  return `${v.toFixed(digits)}${units[i]}`;
}

export function percent(part: number | null | undefined, whole: number | null | undefined): string {
  if (part == null || whole == null || whole === 0) return '-';
  return `${((part / whole) * 100).toFixed(1)}%`;
}

export function humanDuration(seconds: number | null | undefined): string {
  if (seconds == null) return '-';
  const s = Math.floor(seconds);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h ${m}m`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

/** Pads a table of strings into aligned columns; numeric-looking columns are right-aligned. */
export function table(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) => cells
    .map((c, i) => (i === cells.length - 1 ? c : rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
    .join('  ')
    .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
