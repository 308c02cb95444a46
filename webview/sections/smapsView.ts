// The per-process memory map breakdown (smaps): heap, stack, anon, libraries, shmem.
import type { SmapsPayload } from '../../src/protocol/messages';
import { formatKb, formatPercent } from '../../src/core/format';
import { el } from '../dom';

export function smapsView(s: SmapsPayload, comm: string): HTMLElement {
  if (s.error) return el('div', { class: 'status error', role: 'alert' }, s.error);
  const total = s.rows.reduce((a, r) => a + r.rssKb, 0) || 1;
  return el(
    'div',
    { class: 'smaps', 'data-pid': String(s.pid) },
    el('h4', {}, `Memory map of ${comm} (${s.pid}): ${s.mappings} mappings${s.truncated ? ' (truncated: the map is very large)' : ''}`),
    el(
      'table',
      { class: 'smaps-table', 'aria-label': 'Memory map breakdown' },
      el(
        'thead',
        {},
        el('tr', {}, ...['Kind', 'Mapping', 'RSS', '%', 'PSS', 'Private', 'Swap', 'Size', 'n'].map((h, i) => el('th', { class: i >= 2 ? 'num' : '' }, h))),
      ),
      el(
        'tbody',
        {},
        ...s.rows
          .slice(0, 40)
          .map((r) =>
            el(
              'tr',
              { 'data-kind': r.kind },
              el('td', {}, r.kind),
              el('td', { class: 'path', title: r.name }, r.name),
              el('td', { class: 'num' }, formatKb(r.rssKb)),
              el('td', { class: 'num' }, formatPercent(r.rssKb, total)),
              el('td', { class: 'num' }, formatKb(r.pssKb)),
              el('td', { class: 'num' }, formatKb(r.privateKb)),
              el('td', { class: 'num' }, formatKb(r.swapKb)),
              el('td', { class: 'num' }, formatKb(r.sizeKb)),
              el('td', { class: 'num' }, String(r.mappings)),
            ),
          ),
      ),
    ),
  );
}
