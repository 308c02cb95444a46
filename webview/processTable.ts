// The process table: RSS/PSS/USS/swap, growth rate, OOM scores; sortable by header, filterable by
// name, user or container; a row can be opened for its memory map (smaps).
import type { ProcessInfo, Growth } from '../src/core/model/report';
import { formatKb, formatRate } from '../src/core/format';
import { el } from './dom';

export type SortKey = 'rssKb' | 'pssKb' | 'ussKb' | 'swapKb' | 'growth' | 'oomScore' | 'oomScoreAdj' | 'pid';
export interface Row extends ProcessInfo {
  growth: number | null;
  verdict: Growth['verdict'] | null;
  tooNew: boolean;
}

const COLUMNS: { key: SortKey | null; label: string; num: boolean }[] = [
  { key: 'pid', label: 'PID', num: true },
  { key: null, label: 'Name', num: false },
  { key: null, label: 'User', num: false },
  { key: 'rssKb', label: 'RSS', num: true },
  { key: 'pssKb', label: 'PSS', num: true },
  { key: 'ussKb', label: 'USS', num: true },
  { key: 'swapKb', label: 'Swap', num: true },
  { key: 'growth', label: 'Growth/min', num: true },
  { key: 'oomScore', label: 'oom_score', num: true },
  { key: 'oomScoreAdj', label: 'adj', num: true },
  { key: null, label: 'cgroup / container', num: false },
];

export function rowsOf(procs: ProcessInfo[], growth: Growth[], tooNew: number[] = []): Row[] {
  const byPid = new Map(growth.map((g) => [g.pid, g]));
  const young = new Set(tooNew);
  return procs.map((p) => ({ ...p, growth: byPid.get(p.pid)?.slopeKbPerMin ?? null, verdict: byPid.get(p.pid)?.verdict ?? null, tooNew: young.has(p.pid) }));
}

/**
 * The cgroup column: the container when known, else the cgroup path's end (its start is the same
 * "/system.slice/…" for most rows); the whole path is the cell's title.
 */
function cgroupCell(p: ProcessInfo): string {
  if (p.container) return `${p.container.runtime} ${p.container.name ?? p.container.id?.slice(0, 12) ?? ''}`;
  if (!p.cgroup) return '-';
  const parts = p.cgroup.split('/').filter(Boolean);
  return parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : p.cgroup;
}

export function sortRows(rows: Row[], key: SortKey, descending: boolean): Row[] {
  const dir = descending ? -1 : 1;
  // Unknown (null) values always sort last, whatever the direction.
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x == null && y == null) return a.pid - b.pid;
    if (x == null) return 1;
    if (y == null) return -1;
    return (x - y) * dir || a.pid - b.pid;
  });
}

export function filterRows(rows: Row[], query: string): Row[] {
  const q = query.trim().toLowerCase();
  if (!q) return rows;
  return rows.filter((p) =>
    [p.comm, p.cmdline, p.user, p.cgroup, p.container?.name, p.container?.id, p.container?.runtime, String(p.pid)].some(
      (f) => f != null && f.toLowerCase().includes(q),
    ),
  );
}

export interface TableState {
  key: SortKey;
  descending: boolean;
  query: string;
  selected: number | null;
}

export function processTable(
  all: Row[],
  st: TableState,
  limit: number,
  on: { sort(key: SortKey): void; select(pid: number): void; detail?: () => HTMLElement | null },
): HTMLElement {
  const head = el(
    'tr',
    {},
    ...COLUMNS.map((c) => {
      const active = c.key === st.key;
      const th = el('th', { class: c.num ? 'num' : '', scope: 'col', 'aria-sort': active ? (st.descending ? 'descending' : 'ascending') : undefined });
      if (c.key) {
        const key = c.key;
        const b = el('button', { type: 'button', class: 'sort', title: `Sort by ${c.label}` }, c.label + (active ? (st.descending ? ' ▾' : ' ▴') : ''));
        b.addEventListener('click', () => on.sort(key));
        th.append(b);
      } else th.append(c.label);
      return th;
    }),
  );
  const shown = sortRows(filterRows(all, st.query), st.key, st.descending).slice(0, limit);
  const rows = shown.flatMap((p) => {
    const name = el('button', { type: 'button', class: 'link', title: `${p.cmdline ?? p.comm}\nShow its memory map` }, p.comm);
    name.addEventListener('click', () => on.select(p.pid));
    const row = el(
      'tr',
      { 'data-pid': String(p.pid), class: `${p.verdict ?? ''}${st.selected === p.pid ? ' selected' : ''}` },
      el('td', { class: 'num' }, String(p.pid)),
      el('td', {}, name, p.verdict === 'leak-suspect' ? el('span', { class: 'badge danger', title: 'grows steadily: a leak suspect' }, 'leak?') : null),
      el('td', {}, p.user ?? '-'),
      el('td', { class: 'num', 'data-kb': p.rssKb == null ? '' : String(p.rssKb) }, formatKb(p.rssKb)),
      el('td', { class: 'num' }, formatKb(p.pssKb)),
      el('td', { class: 'num' }, formatKb(p.ussKb)),
      el('td', { class: 'num' }, formatKb(p.swapKb)),
      el(
        'td',
        { class: 'num', 'data-verdict': p.verdict ?? (p.tooNew ? 'too-new' : '') },
        p.growth == null ? (p.tooNew ? 'too new' : '-') : formatRate(p.growth),
      ),
      el('td', { class: 'num' }, p.oomScore == null ? '-' : String(p.oomScore)),
      el('td', { class: 'num' }, p.oomScoreAdj == null ? '-' : String(p.oomScoreAdj)),
      el('td', { class: 'cgroup', title: p.cgroup ?? '' }, cgroupCell(p)),
    );
    const detail = st.selected === p.pid ? on.detail?.() : null;
    return detail ? [row, el('tr', { class: 'detail-row' }, el('td', { colspan: String(COLUMNS.length) }, detail))] : [row];
  });
  return el('div', { class: 'table-wrap' }, el('table', { class: 'procs', 'aria-label': 'Processes' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}
