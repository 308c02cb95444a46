// Text tables for the CLI and the Markdown report: columns padded to line up.

/** Pads a table of strings into aligned columns; numeric-looking columns are right-aligned. */
export function table(header: string[], rows: string[][], rightAlign: boolean[] = []): string {
  // A loop, not Math.max(...rows): a spread of 125k rows overflows the call stack.
  const widths = header.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] ?? '').length), h.length));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : rightAlign[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}
