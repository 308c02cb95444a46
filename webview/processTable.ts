// The process table: top processes with RSS/PSS/USS/swap and OOM scores, sortable by header.
import type { ProcessInfo } from '../src/core/model/report';
import { humanKb } from '../src/core/report/format';
import { el } from './dom';

export type SortKey = 'rssKb' | 'pssKb' | 'ussKb' | 'swapKb' | 'oomScore' | 'oomScoreAdj' | 'pid';
const COLUMNS: { key: SortKey | null; label: string; num: boolean }[] = [
  { key: 'pid', label: 'PID', num: true },
  { key: null, label: 'Name', num: false },
  { key: null, label: 'User', num: false },
  { key: 'rssKb', label: 'RSS', num: true },
  { key: 'pssKb', label: 'PSS', num: true },
  { key: 'ussKb', label: 'USS', num: true },
  { key: 'swapKb', label: 'Swap', num: true },
  { key: 'oomScore', label: 'oom_score', num: true },
  { key: 'oomScoreAdj', label: 'adj', num: true },
  { key: null, label: 'cgroup / container', num: false },
];

export function sortProcesses(procs: ProcessInfo[], key: SortKey, descending: boolean): ProcessInfo[] {
  const dir = descending ? -1 : 1;
  // Unknown (null) values always sort last, whatever the direction.
  return [...procs].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x == null && y == null) return a.pid - b.pid;
    if (x == null) return 1;
    if (y == null) return -1;
    return (x - y) * dir || a.pid - b.pid;
  });
}

export function processTable(procs: ProcessInfo[], sort: { key: SortKey; descending: boolean }, limit: number, onSort: (key: SortKey) => void): HTMLElement {
  const head = el('tr', {}, ...COLUMNS.map((c) => {
    const active = c.key === sort.key;
    const th = el('th', { class: c.num ? 'num' : '', scope: 'col', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : undefined });
    if (c.key) {
      const key = c.key;
      const b = el('button', { type: 'button', class: 'sort', title: `Sort by ${c.label}` }, c.label + (active ? (sort.descending ? ' ▾' : ' ▴') : ''));
      b.addEventListener('click', () => onSort(key));
      th.append(b);
    } else th.append(c.label);
    return th;
  }));
  const rows = sortProcesses(procs, sort.key, sort.descending).slice(0, limit).map((p) => el('tr', { 'data-pid': String(p.pid) },
    el('td', { class: 'num' }, String(p.pid)),
    el('td', { title: p.cmdline ?? p.comm }, p.comm),
    el('td', {}, p.user ?? '-'),
    el('td', { class: 'num', 'data-kb': p.rssKb == null ? '' : String(p.rssKb) }, humanKb(p.rssKb)),
    el('td', { class: 'num' }, humanKb(p.pssKb)),
    el('td', { class: 'num' }, humanKb(p.ussKb)),
    el('td', { class: 'num' }, humanKb(p.swapKb)),
    el('td', { class: 'num' }, p.oomScore == null ? '-' : String(p.oomScore)),
    el('td', { class: 'num' }, p.oomScoreAdj == null ? '-' : String(p.oomScoreAdj)),
    el('td', { class: 'cgroup', title: p.cgroup ?? '' }, p.container ? `${p.container.runtime} ${p.container.name ?? p.container.id?.slice(0, 12) ?? ''}` : p.cgroup ?? '-'),
  ));
  return el('div', { class: 'table-wrap' }, el('table', { class: 'procs', 'aria-label': 'Processes' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}
