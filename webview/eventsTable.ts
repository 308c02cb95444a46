// OOM events as a table: when, what, victim, pid, RSS, trigger, cgroup/container. Newest first.
import type { OomEvent } from '../src/core/model/oomEvent';
import { formatKb } from '../src/core/format';
import { eventWhen, eventWhat, eventWhere, eventVictimName, eventVictimRssKb } from '../src/core/report/eventsText';
import { el } from './dom';

function detailsButton(i: number, onDetails: (index: number) => void): HTMLElement {
  const b = el('button', { type: 'button', class: 'link', 'data-event': String(i) }, 'Task table');
  b.addEventListener('click', () => onDetails(i));
  return b;
}

export function eventsTable(events: OomEvent[], onDetails?: (index: number) => void): HTMLElement {
  if (events.length === 0) return el('p', { class: 'muted', id: 'no-events' }, 'No OOM events found.');
  const rows = [...events]
    .map((e, i) => ({ e, i }))
    .reverse()
    .map(({ e, i }) =>
      el(
        'tr',
        { class: `event ${e.kind}`, 'data-victim-pid': e.victim?.pid == null ? '' : String(e.victim.pid) },
        el('td', {}, eventWhen(e)),
        el('td', {}, eventWhat(e)),
        el('td', { title: e.victim?.comm ?? '' }, eventVictimName(e)),
        el('td', { class: 'num' }, e.victim?.pid != null ? String(e.victim.pid) : e.runtime?.pid != null ? String(e.runtime.pid) : '-'),
        el('td', { class: 'num' }, formatKb(eventVictimRssKb(e))),
        el('td', {}, e.trigger ? `${e.trigger.comm ?? '?'}${e.trigger.pid != null ? ` (${e.trigger.pid})` : ''}` : '-'),
        el('td', { class: 'cgroup', title: e.memcg ?? '' }, eventWhere(e)),
        onDetails ? el('td', {}, detailsButton(i, onDetails)) : null,
      ),
    );
  const head = el(
    'tr',
    {},
    ...['When', 'What', 'Victim', 'PID', 'RSS', 'Trigger', 'cgroup / container', ...(onDetails ? [''] : [])].map((h, i) =>
      el('th', { scope: 'col', class: i === 3 || i === 4 ? 'num' : '' }, h),
    ),
  );
  return el('div', { class: 'table-wrap' }, el('table', { class: 'events', 'aria-label': 'OOM events' }, el('thead', {}, head), el('tbody', {}, ...rows)));
}
