// Memory sizes and times as Kubernetes and Docker print them.

import { rfc1123ToIsoWithOffset } from '../kernelLog/timestamps';

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  Pi: 1024 ** 5,
  Ei: 1024 ** 6,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  m: 1e-3,
};

/** Kubernetes quantity ("300Mi", "1Gi", "512M", "1e9", "128974848", "1.5Gi") to bytes; null if not one. */
export function quantityToBytes(text: string | null | undefined): number | null {
  if (text == null) return null;
  const m = /^\s*"?([+]?\d{1,15}(?:\.\d{1,9})?)(?:[eE]([+-]?\d{1,2}))?\s?([A-Za-z]{0,3})"?\s*$/.exec(text);
  if (!m) return null;
  const unit = UNITS[m[3]];
  if (unit === undefined) return null;
  let v = Number(m[1]) * unit;
  if (m[2] !== undefined) v *= 10 ** Number(m[2]);
  if (!Number.isFinite(v)) return null;
  return Math.round(v);
}

/** A time as printed by kubectl describe, kubectl -o yaml/json or docker inspect. */
export interface PrintedTime {
  /** ISO 8601 (offset kept as printed), for finishedAt. */
  iso: string;
  /** The same instant in UTC, for event.time. */
  utc: string;
}

export function readTime(text: string | null | undefined): PrintedTime | null {
  if (!text) return null;
  const t = text.trim().replace(/^"|"$/g, '');
  if (t === '' || t.startsWith('0001-01-01')) return null;
  const rfc = rfc1123ToIsoWithOffset(t);
  if (rfc) return rfc;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.exec(t);
  if (!m) return null;
  const ms = m[3] ? m[3].slice(0, 4) : '';
  const zone = m[4].length === 5 ? `${m[4].slice(0, 3)}:${m[4].slice(3)}` : m[4];
  const ms2 = Date.parse(`${m[1]}T${m[2]}${ms}${zone}`);
  if (!Number.isFinite(ms2)) return null;
  return { iso: t, utc: new Date(ms2).toISOString() };
}
