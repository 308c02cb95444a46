// The one way OOM Lens writes numbers and times, on every surface (panel, tree, quick picks, CLI,
// Markdown, HTML): IEC units (KiB, MiB, GiB, TiB) with the same rounding everywhere, percentages,
// durations ("28 s", "3 min 12 s"), counts with the right plural, and times. Raw values stay in
// the JSON; this is only for people. Pure: runs in Node and in the webview.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Three significant digits at most, no trailing zeros: 0.5, 1.25, 26.4, 315. */
function digits(v: number): string {
  const a = Math.abs(v);
  const text = a >= 100 ? String(Math.round(v)) : v.toFixed(a >= 10 ? 1 : 2);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** A size in kB (KiB, as /proc writes it): "800 KiB", "26.4 MiB", "1.1 GiB"; "-" when unknown. */
export function formatKb(kb: number | null | undefined): string {
  if (kb == null || !Number.isFinite(kb)) return '-';
  if (kb === 0) return '0 B';
  let v = kb;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  // 1023.96 MiB would print as "1024 MiB": carry to the next unit.
  if (Math.abs(Number(digits(v))) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${digits(v)} ${UNITS[i]}`;
}

/** A size in bytes (leak reports): "800 B", "202.3 KiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '-';
  if (Math.abs(bytes) < 1024) return `${Math.round(bytes)} B`;
  return formatKb(bytes / 1024);
}

/** A signed size: "+26.4 MiB", "−3 MiB" (a real minus sign). */
export function formatKbSigned(kb: number | null | undefined): string {
  if (kb == null || !Number.isFinite(kb)) return '-';
  return `${kb >= 0 ? '+' : '−'}${formatKb(Math.abs(kb))}`;
}

/** Growth per minute: "+2.6 GiB/min", "−12 KiB/min". */
export function formatRate(kbPerMin: number | null | undefined): string {
  if (kbPerMin == null || !Number.isFinite(kbPerMin)) return '-';
  return `${formatKbSigned(kbPerMin)}/min`;
}

/** part of whole as a percentage: "12%", "0.4%", "100%"; "-" when unknown. */
export function formatPercent(part: number | null | undefined, whole: number | null | undefined): string {
  if (part == null || whole == null || !whole || !Number.isFinite(part) || !Number.isFinite(whole)) return '-';
  return formatShare(part / whole);
}

/** A fraction as a percentage: 0.123 -> "12%", 0.004 -> "0.4%". */
export function formatShare(fraction: number): string {
  const p = fraction * 100;
  if (!Number.isFinite(p)) return '-';
  if (p !== 0 && Math.abs(p) < 0.1) return p > 0 ? '<0.1%' : '>−0.1%';
  return `${Math.abs(p) >= 10 || Number.isInteger(p) ? Math.round(p) : p.toFixed(1)}%`;
}

/** A duration: "450 ms", "28 s", "3 min 12 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return '-';
  if (ms < 0) return `−${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) => `${big} ${bigUnit}${small ? ` ${small} ${smallUnit}` : ''}`;
  if (s < 3600) return two(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86400) return two(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return two(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

/** "1 point", "2 points", "1 process", "3 processes". */
export function plural(n: number, one: string, many = one.endsWith('s') ? `${one}es` : `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * A wall-clock time for text surfaces (CLI, Markdown, findings): "2026-12-02 07:18:22 UTC".
 * Seconds are cut, never rounded, so the same instant reads the same everywhere.
 */
export function formatTime(t: number | string | null | undefined): string {
  const ms = typeof t === 'string' ? Date.parse(t) : t;
  if (ms == null || !Number.isFinite(ms)) return 'an unknown time';
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** Times for the panel, in one locale (VS Code's), 24 h: "07:18:22", or with the date when asked. */
export function localTimeFormatter(locale?: string, withDate = false): (t: number | string) => string {
  const f = new Intl.DateTimeFormat(locale, {
    ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  return (t) => {
    const ms = typeof t === 'string' ? Date.parse(t) : t;
    return Number.isFinite(ms) ? f.format(new Date(Math.floor(ms / 1000) * 1000)) : '-';
  };
}

/**
 * A round binary step for a memory axis up to `maxKb`, with at most `ticks` steps: the smallest
 * power of two (256 MiB, 512 MiB, 1 GiB…) that fits, so every label is exact. In kB.
 */
export function binaryStepKb(maxKb: number, ticks = 5): number {
  if (!(maxKb > 0)) return 1024;
  const raw = maxKb / ticks;
  let step = 1;
  while (step < raw) step *= 2;
  return step;
}

/** Seconds (uptime) to ms for formatDuration; null stays null. */
export function secondsToMs(seconds: number | null | undefined): number | null {
  return seconds == null ? null : seconds * 1000;
}
