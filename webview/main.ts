// The OOM Lens panel (browser side): renders the report the host side posts, keeps it with
// setState so a hidden/restored panel shows the same thing, validates every inbound message.
import type { Report, Finding } from '../src/core/model/report';
import type { PanelState } from '../src/protocol/messages';
import { isToWebview } from '../src/protocol/validate';
import { humanKb, humanDuration, percent } from '../src/core/report/format';
import { memoryPicture } from '../src/core/report/memoryPicture';
import { el } from './dom';
import { vscode, standalone } from './vscodeApi';
import { processTable, SortKey } from './processTable';
import { eventsTable } from './eventsTable';

const app = document.getElementById('app')!;
let state: PanelState = vscode.getState() ?? { report: null, receivedAt: null };
let sort: { key: SortKey; descending: boolean } = (state.sort as { key: SortKey; descending: boolean }) ?? { key: 'rssKb', descending: true };
let status: { kind: 'busy' | 'error'; message: string } | null = null;

function save(): void { vscode.setState({ ...state, sort }); }

function stat(label: string, kbValue: number | null, field: string, sub?: string): HTMLElement {
  return el('div', { class: 'stat', 'data-field': field, 'data-kb': kbValue == null ? '' : String(kbValue) },
    el('div', { class: 'stat-label' }, label),
    el('div', { class: 'stat-value' }, humanKb(kbValue)),
    sub ? el('div', { class: 'stat-sub' }, sub) : null);
}

function memorySection(r: Report): HTMLElement {
  const mp = memoryPicture(r.memory);
  const usedPct = mp.totalKb && mp.usedKb != null ? Math.round((mp.usedKb / mp.totalKb) * 100) : 0;
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': `${usedPct}% of RAM used` });
  const fill = el('div', { class: 'bar-fill' });
  fill.style.width = `${usedPct}%`;
  bar.append(fill);
  return el('section', { 'aria-labelledby': 'mem-h' },
    el('h2', { id: 'mem-h' }, 'Memory now'),
    el('div', { class: 'stats' },
      stat('Total', mp.totalKb, 'memTotalKb', `${mp.totalKb ?? '-'} kB`),
      stat('Used', mp.usedKb, 'memUsedKb', percent(mp.usedKb, mp.totalKb)),
      stat('Available', mp.availableKb, 'memAvailableKb', percent(mp.availableKb, mp.totalKb)),
      stat('Buff/cache', mp.buffCacheKb, 'buffCacheKb'),
      stat('Shared', mp.sharedKb, 'sharedKb'),
      stat('Swap used', mp.swapUsedKb, 'swapUsedKb', mp.swapTotalKb ? `of ${humanKb(mp.swapTotalKb)}` : 'no swap'),
    ),
    bar,
    el('p', { class: 'muted' },
      r.pressure ? `Memory pressure (PSI avg10): some ${r.pressure.someAvg10.toFixed(2)}%, full ${r.pressure.fullAvg10.toFixed(2)}%. ` : 'Memory pressure: not available on this kernel. ',
      `OOM kills since boot: ${r.oomKillsSinceBoot ?? 'unknown'}. `,
      `vm.overcommit_memory=${r.settings.overcommitMemory ?? '?'}, swappiness=${r.settings.swappiness ?? '?'}, panic_on_oom=${r.settings.panicOnOom ?? '?'}.`));
}

function findingsSection(findings: Finding[]): HTMLElement | null {
  if (!findings.length) return null;
  return el('section', { 'aria-labelledby': 'find-h' }, el('h2', { id: 'find-h' }, 'Findings'),
    el('ul', { class: 'findings' }, ...findings.map((f) => el('li', { class: `finding ${f.severity}`, 'data-id': f.id }, el('strong', {}, f.title), el('div', {}, f.detail)))));
}

function renderLog(log: NonNullable<PanelState['log']>): void {
  const back = state.report ? el('button', { type: 'button', id: 'back' }, `Back to ${state.report.host.name}`) : null;
  back?.addEventListener('click', () => { state = { ...state, log: null }; save(); render(); });
  app.replaceChildren(
    el('header', {}, el('h1', {}, `OOM events in ${log.path.split('/').pop()}`), el('div', { class: 'muted' }, log.path), back),
    el('section', { 'aria-labelledby': 'ev-h' }, el('h2', { id: 'ev-h' }, `OOM events (${log.result.events.length})`), eventsTable(log.result.events)),
  );
  if (log.result.warnings.length) {
    app.append(el('section', { 'aria-labelledby': 'warn-h' }, el('h2', { id: 'warn-h' }, `Warnings (${log.result.warnings.length})`),
      el('ul', { class: 'warnings' }, ...log.result.warnings.slice(0, 200).map((w) => el('li', {}, w)))));
  }
}

function render(): void {
  if (state.log) { renderLog(state.log); return; }
  const r = state.report;
  app.replaceChildren();
  const button = el('button', { type: 'button', id: 'diagnose' }, r ? 'Diagnose again' : 'Diagnose');
  button.addEventListener('click', () => vscode.postMessage({ type: 'diagnose' }));
  const header = el('header', {},
    el('h1', {}, r ? `OOM Lens — ${r.host.name}` : 'OOM Lens'),
    r ? el('div', { class: 'muted', id: 'host-line' }, `${r.host.via} · kernel ${r.host.kernel ?? '?'} · up ${humanDuration(r.host.uptimeSeconds)} · taken ${new Date(r.takenAt).toLocaleString()}`) : null,
    standalone ? null : button);
  app.append(header);
  if (status) app.append(el('div', { class: `status ${status.kind}`, role: status.kind === 'error' ? 'alert' : 'status' }, status.message));
  if (!r) {
    if (!status) app.append(el('p', { class: 'muted' }, 'No diagnosis yet. Run "OOM Lens: Diagnose OOM on Host…".'));
    return;
  }
  app.append(memorySection(r));
  const f = findingsSection(r.findings);
  if (f) app.append(f);
  app.append(el('section', { 'aria-labelledby': 'ev-h' }, el('h2', { id: 'ev-h' }, `OOM kills in the kernel log (${r.events.length})`), eventsTable(r.events)));
  const visible = r.processes.filter((p) => p.rssKb != null);
  app.append(el('section', { 'aria-labelledby': 'proc-h' },
    el('h2', { id: 'proc-h' }, `Processes (${visible.length} with memory, top 50)`),
    processTable(visible, sort, 50, (key) => {
      sort = { key, descending: sort.key === key ? !sort.descending : true };
      save();
      render();
    })));
  if (r.warnings.length) {
    app.append(el('section', { 'aria-labelledby': 'warn-h' }, el('h2', { id: 'warn-h' }, 'Warnings'), el('ul', { class: 'warnings' }, ...r.warnings.map((w) => el('li', {}, w)))));
  }
}

window.addEventListener('message', (ev: MessageEvent) => {
  const msg: unknown = ev.data;
  if (!isToWebview(msg)) {
    vscode.postMessage({ type: 'log', level: 'warn', message: `dropped a malformed message: ${String((msg as { type?: unknown })?.type)}` });
    return;
  }
  switch (msg.type) {
    case 'log':
      state = { ...state, log: { path: msg.path, result: msg.result } };
      status = null;
      save();
      break;
    case 'report':
      state = { report: msg.report, receivedAt: msg.receivedAt, log: null };
      status = null;
      save();
      break;
    case 'busy':
      status = { kind: 'busy', message: msg.message };
      break;
    case 'error':
      status = { kind: 'error', message: msg.message };
      break;
  }
  render();
});

render();
if (!standalone) vscode.postMessage({ type: 'ready' });
