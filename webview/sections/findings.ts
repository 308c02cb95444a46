// Findings with their evidence and remedies; each command can be copied. Commands that change the
// host are marked and only copied (running them from here comes with its own confirmation later).
import type { Finding } from '../../src/core/model/report';
import { el } from '../dom';
import { evidenceRows } from '../../src/core/report/evidence';

/** The key a finding's open/closed state is kept by: its instance, not its rule. */
export const findingKey = (f: Finding): string => f.key ?? f.id;

/**
 * The findings list. `open` holds the keys of the findings the user opened; it is updated as they
 * open and close them, and nothing opens by itself when a live update adds a finding.
 */
export function findingsSection(
  findings: Finding[],
  copy: (text: string) => void,
  open: Set<string>,
  fix?: (key: string, remedy: number) => void,
): HTMLElement | null {
  if (!findings.length) return null;
  const items = findings.map((f) => {
    const evidence = evidenceRows(f.evidence ?? {});
    const remedies = f.remedies.map((r, ri) => {
      const cmds = r.commands.join('\n');
      const btn = cmds ? el('button', { type: 'button', class: 'copy', title: 'Copy the commands' }, 'Copy') : null;
      btn?.addEventListener('click', () => copy(cmds));
      // A remedy rendered from typed actions can be run (confirmed on the host side, with its commands).
      const run =
        fix && r.actions?.length
          ? el(
              'button',
              { type: 'button', class: 'copy fix', 'data-remedy': String(ri), title: 'Run these commands on the host (you will see them and be asked first)' },
              'Fix…',
            )
          : null;
      run?.addEventListener('click', () => fix!(findingKey(f), ri));
      return el(
        'li',
        { class: 'remedy' },
        el(
          'div',
          {},
          el('strong', {}, r.title),
          r.changesHost ? el('span', { class: 'badge warn', title: 'These commands change the host: review before running them' }, 'changes the host') : null,
          btn,
          run,
        ),
        cmds ? el('pre', {}, el('code', {}, cmds)) : null,
      );
    });
    const key = findingKey(f);
    const details = el(
      'details',
      { open: open.has(key) ? '' : undefined },
      el('summary', {}, el('span', { class: `sev ${f.severity}` }, f.severity), ' ', el('strong', {}, f.title), el('code', { class: 'fid' }, f.id)),
      el('p', {}, f.detail),
      evidence.length
        ? el(
            'details',
            { class: 'evidence-box' },
            el('summary', {}, `Evidence (${evidence.length})`),
            el('dl', { class: 'evidence' }, ...evidence.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
          )
        : null,
      remedies.length ? el('ul', { class: 'remedies' }, ...remedies) : null,
    );
    details.addEventListener('toggle', () => {
      if (details.open) open.add(key);
      else open.delete(key);
    });
    return el('li', { class: `finding ${f.severity}`, 'data-id': f.id, 'data-key': key }, details);
  });
  return el(
    'section',
    { 'aria-labelledby': 'find-h', id: 'findings' },
    el('h2', { id: 'find-h' }, `Findings (${findings.length})`),
    el('ul', { class: 'findings' }, ...items),
  );
}
