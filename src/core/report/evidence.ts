// A finding's evidence for people (panel, Markdown, HTML): units from the key's suffix through the
// one formatter ("slopeKbPerMin 2674461.22" -> "slope +2.6 GiB/min", "headroomKb {system: 21026348}"
// -> "headroom: system 20.1 GiB"), times as times, nested objects as short "key value" lists, never
// JSON. The raw values stay in the JSON report.
import { formatBytes, formatDuration, formatKb, formatRate, formatTime } from '../format';

type Unit = 'kbPerMin' | 'kb' | 'bytes' | 'ms' | 'minutes' | 'seconds' | null;

const SUFFIXES: [RegExp, Unit][] = [
  [/KbPerMin$/, 'kbPerMin'],
  [/Kb$/, 'kb'],
  [/Bytes$/, 'bytes'],
  [/Ms$/, 'ms'],
  [/Minutes$/, 'minutes'],
  [/Seconds$/, 'seconds'],
];

function unitOf(key: string): { unit: Unit; name: string } {
  for (const [re, unit] of SUFFIXES) if (re.test(key)) return { unit, name: key.replace(re, '') };
  return { unit: null, name: key };
}

/** "oomKillsSinceBoot" -> "oom kills since boot"; "r2" stays. */
export function humanKey(key: string): string {
  const { name } = unitOf(key);
  return (name || key)
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

function number(v: number, unit: Unit, key: string): string {
  switch (unit) {
    case 'kbPerMin':
      return formatRate(v);
    case 'kb':
      return formatKb(v);
    case 'bytes':
      return formatBytes(v);
    case 'ms':
      return formatDuration(v);
    case 'minutes':
      return formatDuration(v * 60_000);
    case 'seconds':
      return formatDuration(v * 1000);
    default:
      if (/^r2$|R2$/.test(key)) return v.toFixed(2);
      return Number.isInteger(v) ? v.toLocaleString('en-US') : String(Math.round(v * 100) / 100);
  }
}

function value(v: unknown, unit: Unit, key: string, depth: number): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return Number.isFinite(v) ? number(v, unit, key) : null;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return ISO.test(v) ? formatTime(v) : v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null))
      return (
        v
          .map((x) => value(x, unit, key, depth + 1))
          .filter(Boolean)
          .join(', ') || null
      );
    if (depth > 0) return `${v.length} item${v.length === 1 ? '' : 's'}`;
    const shown = v
      .slice(0, 5)
      .map((x) => value(x, unit, key, depth + 1))
      .filter(Boolean);
    return shown.length ? `${shown.join('; ')}${v.length > 5 ? `; … (${v.length} in all)` : ''}` : null;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.text === 'string') return o.text;
    if (depth > 1) return null;
    // A nested object inherits the unit of its key ("headroomKb: {system, cgroup}").
    const parts = Object.entries(o)
      .map(([k, x]) => {
        const u = unitOf(k).unit ?? unit;
        const text = value(x, u, k, depth + 1);
        return text === null ? null : `${humanKey(k)} ${text}`;
      })
      .filter(Boolean);
    return parts.length ? parts.join(' · ') : null;
  }
  return null;
}

/** The evidence as [label, text] rows, unknown (null) values dropped, long texts cut. */
export function evidenceRows(evidence: Record<string, unknown>, maxLength = 400): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(evidence ?? {})) {
    if (k === 'lines') continue; // log line numbers: for tools, not people
    const text = value(v, unitOf(k).unit, k, 0);
    if (text !== null && text !== '') out.push([humanKey(k), text.length > maxLength ? text.slice(0, maxLength - 1) + '…' : text]);
  }
  return out;
}
