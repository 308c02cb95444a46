// Small shared helpers for the leak-report parsers: numbers, sizes, frames, sorting.
import type { LeakFrame, LeakSite, LeakKind } from '../../model/leakReport';

/** "1,024" / "1024" / "1.024" (never: dots are not thousands separators here) -> 1024; garbage -> null. */
export function num(s: string | undefined | null): number | null {
  if (s === undefined || s === null) return null;
  const t = s.trim().replace(/[,\u00a0'_]/g, '');
  if (!/^[+-]?\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function int(s: string | undefined | null): number | null {
  const n = num(s);
  return n === null ? null : Math.trunc(n);
}

const BIN_UNITS: Record<string, number> = {
  b: 1,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
  pib: 1024 ** 5,
};

/**
 * A size as Python's tracemalloc prints it: "25.5 MiB", "+24.8 MiB", "-3 B", "1536 KiB".
 * Binary units. Also accepts "KB"/"MB" as binary (memray prints 1024-based sizes with these names).
 * Returns whole bytes (rounded), or null.
 */
export function binarySize(s: string | undefined | null): number | null {
  if (!s) return null;
  const m = /^\s*([+-]?\d+(?:[.,]\d+)?)\s*([KMGTP]?i?B)\s*$/i.exec(s);
  if (!m) return null;
  const v = Number(m[1].replace(',', '.'));
  let unit = m[2].toLowerCase();
  if (unit.length === 2 && unit !== 'ib') unit = unit[0] + 'ib'; // kb -> kib
  const mult = BIN_UNITS[unit];
  if (mult === undefined || !Number.isFinite(v)) return null;
  return Math.round(v * mult);
}

/** heaptrack_print sizes: "400B", "1.10K", "3.05M", "12.50KB" (1000-based, as heaptrack formats them). */
export function decimalSize(s: string | undefined | null): number | null {
  if (!s) return null;
  const m = /^\s*([+-]?\d+(?:\.\d+)?)\s*([BKMGTP])B?\s*$/i.exec(s);
  if (!m) return null;
  const pow = 'BKMGTP'.indexOf(m[2].toUpperCase());
  if (pow < 0) return null;
  return Math.round(Number(m[1]) * 1000 ** pow);
}

/**
 * A valgrind frame text after "0xADDR: ": `fn (file.c:12)`, `fn (in /lib/x.so)`, `??? (in /x)`, `???`,
 * `(below main) (libc-start.c:226)`, C++ names with spaces, templates and parentheses.
 */
export function parseValgrindFrameText(text: string, address: string | null = null): LeakFrame {
  const s = text.trim();
  let fn = s;
  let file: string | null = null;
  let line: number | null = null;
  let object: string | null = null;
  if (s.endsWith(')')) {
    let depth = 0;
    let open = -1;
    for (let i = s.length - 1; i >= 0; i--) {
      const c = s[i];
      if (c === ')') depth++;
      else if (c === '(') {
        depth--;
        if (depth === 0) {
          open = i;
          break;
        }
      }
    }
    if (open > 0) {
      const inner = s.slice(open + 1, -1);
      const head = s.slice(0, open).trimEnd();
      let located = false;
      if (inner.startsWith('in ')) {
        object = inner.slice(3).trim() || null;
        located = true;
      } else {
        const m = /^(.+):(\d+)$/.exec(inner);
        if (m) {
          file = m[1];
          line = Number(m[2]);
          located = true;
        }
      }
      if (located && head.length > 0) fn = head;
      else if (located) fn = '';
    }
  }
  return { function: cleanFn(fn), file, line, object, address };
}

function cleanFn(fn: string): string | null {
  const t = fn.trim();
  if (t === '' || t === '???' || t === '??') return null;
  return t;
}

/** Valgrind prints inlined calls as extra frames with the same address as the frame they are inlined into. */
export function markInlined(frames: LeakFrame[]): LeakFrame[] {
  for (let i = 0; i + 1 < frames.length; i++) {
    const a = frames[i].address;
    if (a && a === frames[i + 1].address) frames[i].inlined = true;
  }
  return frames;
}

/** Stable sort, largest first: growth sites by bytesDiff, others by bytes. Returns a new array. */
export function sortSites(sites: LeakSite[]): LeakSite[] {
  const measure = (s: LeakSite) => (s.kind === 'growth' && s.bytesDiff !== null ? s.bytesDiff : s.bytes);
  return sites
    .map((s, i) => ({ s, i }))
    .sort((a, b) => measure(b.s) - measure(a.s) || b.s.bytes - a.s.bytes || a.i - b.i)
    .map((x) => x.s);
}

export function site(kind: LeakKind, bytes: number, extra: Partial<LeakSite> = {}): LeakSite {
  return {
    kind,
    bytes,
    directBytes: null,
    indirectBytes: null,
    count: null,
    bytesDiff: null,
    countDiff: null,
    label: null,
    frames: [],
    ...extra,
  };
}

export function frame(fn: string | null, file: string | null, line: number | null, object: string | null = null): LeakFrame {
  return { function: fn, file, line, object };
}

/** First line of the text, trimmed and shortened, for warnings. */
export function firstLine(text: string): string {
  const l = (text.split(/\r?\n/).find((x) => x.trim() !== '') ?? '').trim();
  return l.length > 80 ? l.slice(0, 77) + '...' : l;
}

/** Split a text into lines, tolerant of \r\n and stray \r. */
export function lines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

export function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
