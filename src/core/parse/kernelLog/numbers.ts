// Number reading shared by the OOM log parsers. Kernel numbers never carry separators, but pasted or
// re-formatted logs do ("1,234,567kB", "1 234 567" is not accepted: spaces separate columns).

/** Integer from digits with optional sign and well-formed thousands separators; null if not one. */
export function int(text: string | null | undefined): number | null {
  if (text == null) return null;
  let s = text.trim();
  if (s === '') return null;
  if (s.indexOf(',') >= 0 || s.indexOf('_') >= 0 || s.indexOf('\u2019') >= 0 || s.indexOf("'") >= 0) {
    if (!/^[-+]?\d{1,3}(?:[,_'\u2019]\d{3})+$/.test(s)) return null;
    s = s.replace(/[,_'\u2019]/g, '');
  }
  if (!/^[-+]?\d{1,18}$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** Decimal number ("1410.0", "-3", "1,410.5"); null if not one. */
export function num(text: string | null | undefined): number | null {
  if (text == null) return null;
  let s = text.trim();
  if (s.indexOf(',') >= 0) {
    if (!/^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(s)) return null;
    s = s.replace(/,/g, '');
  }
  if (!/^[-+]?\d{1,18}(?:\.\d{1,12})?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) ? n : null;
}

/** Regex source for an integer that may carry thousands separators (use inside a capture group). */
export const INT_SRC = String.raw`-?\d{1,3}(?:,\d{3})+(?!\d)|-?\d+`;

/**
 * A size pasted with separators anywhere ("153,700,88" from a mangled paste is 15370088): every
 * comma between digits is dropped. Only for fields that are known to be one number (kB sizes, table cells).
 */
export function pastedInt(text: string | null | undefined): number | null {
  if (text == null) return null;
  const s = text.trim();
  if (s.indexOf(',') < 0) return int(s);
  if (!/^-?\d[\d,]{0,40}$/.test(s) || s.indexOf(',,') >= 0 || s.endsWith(',')) return null;
  return int(s.replace(/,/g, ''));
}
