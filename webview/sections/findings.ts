// Findings with their evidence and remedies; each command can be copied. Commands that change the
// host are marked and only copied (running them from here comes with its own confirmation later).
import type { Finding } from '../../src/core/model/report';
import { el } from '../dom';

export function findingsSection(findings: Finding[], copy: (text: string) => void): HTMLElement | null {
  if (!findings.length) return null;
  const items = findings.map((f) => {
    const evidence = Object.entries(f.evidence ?? {});
    const remedies = f.remedies.map((r) => {
      const cmds = r.commands.join('\n');
      const btn = cmds ? el('button', { type: 'button', class: 'copy', title: 'Copy the commands' }, 'Copy') : null;
      btn?.addEventListener('click', () => copy(cmds));
      return el('li', { class: 'remedy' },
        el('div', {}, el('strong', {}, r.title), r.changesHost ? el('span', { class: 'badge warn', title: 'These commands change the host: review before running them' }, 'changes the host') : null, btn),
        cmds ? el('pre', {}, el('code', {}, cmds)) : null);
    });
    return el('li', { class: `finding ${f.severity}`, 'data-id': f.id },
      el('details', { open: f.severity === 'critical' ? '' : undefined },
        el('summary', {}, el('span', { class: `sev ${f.severity}` }, f.severity), ' ', el('strong', {}, f.title), el('code', { class: 'fid' }, f.id)),
        el('p', {}, f.detail),
        evidence.length ? el('dl', { class: 'evidence' }, ...evidence.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))])) : null,
        remedies.length ? el('ul', { class: 'remedies' }, ...remedies) : null));
  });
  return el('section', { 'aria-labelledby': 'find-h' }, el('h2', { id: 'find-h' }, `Findings (${findings.length})`), el('ul', { class: 'findings' }, ...items));
}
