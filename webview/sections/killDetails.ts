// One OOM kill in detail: the facts and the task table (the biggest tasks at that moment).
import type { OomEvent } from '../../src/core/model/oomEvent';
import { formatKb } from '../../src/core/format';
import { eventWhen, eventWhat, eventWhere } from '../../src/core/report/eventsText';
import { el } from '../dom';

export function killDetails(e: OomEvent, onClose: () => void): HTMLElement {
  const close = el('button', { type: 'button', class: 'link', 'aria-label': 'Close the kill details' }, 'Close');
  close.addEventListener('click', onClose);
  const facts: [string, string][] = [
    ['when', eventWhen(e)],
    ['what', eventWhat(e)],
    [
      'victim',
      e.victim
        ? `${e.victim.comm ?? '?'} (${e.victim.pid ?? '?'}), anon-rss ${formatKb(e.victim.anonRssKb)}, file-rss ${formatKb(e.victim.fileRssKb)}, shmem-rss ${formatKb(e.victim.shmemRssKb)}, oom_score_adj ${e.victim.oomScoreAdj ?? '?'}`
        : '-',
    ],
    [
      'trigger',
      e.trigger
        ? `${e.trigger.comm ?? '?'} (${e.trigger.pid ?? '?'}), ${e.trigger.gfpFlags ?? e.trigger.gfpMask ?? '?'}, order ${e.trigger.order ?? '?'}`
        : '-',
    ],
    ['constraint', e.constraint ?? '-'],
    ['cgroup', eventWhere(e)],
    ['memcg usage', e.memcgUsage ? `${formatKb(e.memcgUsage.usageKb)} of ${formatKb(e.memcgUsage.limitKb)}, failcnt ${e.memcgUsage.failcnt ?? '?'}` : '-'],
  ];
  if (e.selected)
    facts.push(['selected', `${e.selected.comm ?? '?'} (${e.selected.pid ?? '?'}) score ${e.selected.score ?? '?'} — the kernel picked it and killed a child`]);
  if (e.reaped) facts.push(['reaped', `${e.reaped.comm ?? '?'} (${e.reaped.pid ?? '?'}): anon ${formatKb(e.reaped.anonRssKb)} freed`]);
  const tasks = [...e.tasks].sort((a, b) => (b.rssPages ?? 0) - (a.rssPages ?? 0)).slice(0, 25);
  const table = tasks.length
    ? el(
        'table',
        { class: 'tasks', 'aria-label': 'Tasks at the moment of the kill' },
        el(
          'thead',
          {},
          el('tr', {}, ...['PID', 'Name', 'RSS', 'swap', 'pgtables', 'oom_score_adj'].map((h, i) => el('th', { class: i === 1 ? '' : 'num' }, h))),
        ),
        el(
          'tbody',
          {},
          ...tasks.map((t) =>
            el(
              'tr',
              { class: t.pid === e.victim?.pid ? 'victim' : '' },
              el('td', { class: 'num' }, String(t.pid ?? '-')),
              el('td', {}, t.name ?? '-'),
              el('td', { class: 'num' }, formatKb(t.rssPages == null ? null : t.rssPages * 4)),
              el('td', { class: 'num' }, formatKb(t.swapEntries == null ? null : t.swapEntries * 4)),
              el('td', { class: 'num' }, formatKb(t.pgtablesBytes == null ? null : Math.round(t.pgtablesBytes / 1024))),
              el('td', { class: 'num' }, String(t.oomScoreAdj ?? '-')),
            ),
          ),
        ),
      )
    : el('p', { class: 'muted' }, 'The log has no task table for this kill.');
  return el(
    'section',
    { class: 'kill-details', id: 'kill-details', 'aria-labelledby': 'kill-h', tabindex: '-1' },
    el('h3', { id: 'kill-h' }, `Kill of ${e.victim?.comm ?? '?'} (${e.victim?.pid ?? '?'})`, close),
    el('dl', { class: 'evidence' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    el('h4', {}, `Biggest tasks at that moment (${e.tasks.length} in the table; RSS = pages × 4 KiB)`),
    table,
  );
}
