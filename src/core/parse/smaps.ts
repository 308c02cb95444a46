// /proc/PID/smaps (and smaps_rollup, and `pmap -x` tables people paste) -> mappings, and the
// breakdown the panel shows: heap, stack, anonymous, each file-backed library/binary, shmem.
// Tolerates prompts and HTML wrappers around the data, unknown keys, and VmFlags lines.
import type { BreakdownRow, MappingKind } from '../model/smaps';

export type { BreakdownRow, MappingKind };

export interface Mapping {
  start: string;
  end: string;
  perms: string;
  path: string;
  sizeKb: number | null;
  rssKb: number | null;
  pssKb: number | null;
  privateKb: number | null;
  swapKb: number | null;
  anonKb: number | null;
  /** Every "Key: N kB" line, for facts not named above. */
  fields: Record<string, number>;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+)\s+([-rwxsp]{4})\s+[0-9a-f]+\s+[0-9a-f]+:[0-9a-f]+\s+\d+\s*(.*)$/i;
const FIELD = /^([A-Za-z_]+(?:\([A-Za-z]+\))?):\s+(\d+)\s*kB\s*$/;
const PMAP_ROW = /^([0-9a-f]{8,16})\s+(\d+)\s+(\d+|-)\s+(\d+|-)\s+([-rwxsp]{5})\s+(.*)$/i;

export function parseSmaps(text: string): Mapping[] {
  const out: Mapping[] = [];
  let cur: Mapping | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/<[^>]*>/g, '').trimEnd();
    const h = HEADER.exec(line);
    if (h) {
      cur = {
        start: h[1],
        end: h[2],
        perms: h[3],
        path: h[4].trim(),
        sizeKb: null,
        rssKb: null,
        pssKb: null,
        privateKb: null,
        swapKb: null,
        anonKb: null,
        fields: {},
      };
      out.push(cur);
      continue;
    }
    const p = PMAP_ROW.exec(line.trim());
    if (p) {
      const kb = Number(p[2]);
      const rss = p[3] === '-' ? null : Number(p[3]);
      out.push({
        start: p[1],
        end: '',
        perms: p[5],
        path: p[6].trim().replace(/^\[ anon \]$/, ''),
        sizeKb: kb,
        rssKb: rss,
        pssKb: null,
        privateKb: null,
        swapKb: null,
        anonKb: null,
        fields: { Dirty: p[4] === '-' ? 0 : Number(p[4]) },
      });
      cur = null;
      continue;
    }
    if (!cur) continue;
    const f = FIELD.exec(line.trim());
    if (!f) continue;
    const v = Number(f[2]);
    cur.fields[f[1]] = v;
    if (f[1] === 'Size') cur.sizeKb = v;
    else if (f[1] === 'Rss') cur.rssKb = v;
    else if (f[1] === 'Pss') cur.pssKb = v;
    else if (f[1] === 'Swap') cur.swapKb = v;
    else if (f[1] === 'Anonymous') cur.anonKb = v;
    if (f[1] === 'Private_Clean' || f[1] === 'Private_Dirty') cur.privateKb = (cur.privateKb ?? 0) + v;
  }
  return out;
}

export function mappingKind(m: Mapping): MappingKind {
  const p = m.path;
  if (p === '[heap]') return 'heap';
  if (p === '[stack]' || p.startsWith('[stack:')) return 'stack';
  if (p === '[vdso]' || p === '[vvar]' || p === '[vsyscall]' || p === '[vvar_vclock]') return 'kernel';
  if (p === '' || p === '[anon]' || p.startsWith('[anon:')) return 'anon';
  if (p.startsWith('/dev/shm/') || p.startsWith('/SYSV') || p.startsWith('/memfd:') || p.startsWith('memfd:') || p.startsWith('/dev/zero')) return 'shmem';
  if (m.perms[3] === 's' && !/\.so(\.|$)/.test(p)) return 'shmem';
  if (/\.so(\.[0-9.]+)?( \(deleted\))?$/.test(p) || /\/ld-linux/.test(p)) return 'library';
  if (p.startsWith('[')) return 'anon';
  return m.perms[2] === 'x' ? 'binary' : 'file';
}

/** Sums mappings into rows: heap, stack, anon, shmem, kernel, and one row per file-backed path. */
export function smapsBreakdown(maps: Mapping[]): BreakdownRow[] {
  const rows = new Map<string, BreakdownRow>();
  const add = (a: number | null, b: number | null) => (a === null && b === null ? null : (a ?? 0) + (b ?? 0));
  for (const m of maps) {
    const kind = mappingKind(m);
    const fileBacked = kind === 'library' || kind === 'binary' || kind === 'file';
    const name = fileBacked ? m.path.replace(/ \(deleted\)$/, '') : kind === 'shmem' ? m.path || 'shared memory' : kind;
    // One row per file, whatever the permissions of its mappings (text, rodata, data of one binary).
    const key = fileBacked ? `file|${name}` : `${kind}|${kind === 'shmem' ? name : ''}`;
    const r = rows.get(key) ?? { kind, name, mappings: 0, sizeKb: 0, rssKb: 0, pssKb: null, privateKb: null, swapKb: null };
    if (fileBacked && r.kind === 'file' && kind !== 'file') r.kind = kind;
    r.mappings++;
    r.sizeKb += m.sizeKb ?? 0;
    r.rssKb += m.rssKb ?? 0;
    r.pssKb = add(r.pssKb, m.pssKb);
    r.privateKb = add(r.privateKb, m.privateKb);
    r.swapKb = add(r.swapKb, m.swapKb);
    rows.set(key, r);
  }
  return [...rows.values()].sort((a, b) => b.rssKb - a.rssKb || a.name.localeCompare(b.name));
}
