// The OOM Lens panel (browser side): renders the report the host side posts, keeps it with
// setState so a hidden/restored panel shows the same thing, validates every inbound message.
// The same bundle renders the self-contained HTML report (standalone mode).
import type { Report } from '../src/core/model/report';
import type { PanelState, SmapsPayload } from '../src/protocol/messages';
import { isToWebview } from '../src/protocol/validate';
import { secondsToMs, formatDuration, formatKb, formatPercent, formatShare } from '../src/core/format';
import { memoryPicture } from '../src/core/report/memoryPicture';
import { el } from './dom';
import { vscode, standalone } from './vscodeApi';
import { processTable, rowsOf, SortKey, TableState } from './processTable';
import { eventsTable } from './eventsTable';
import { findingsSection } from './sections/findings';
import { headline } from '../src/core/report/headline';
import { killDetails } from './sections/killDetails';
import { smapsView } from './sections/smapsView';
import { TimelineSection } from './sections/timelineSection';
import { FleetSection } from './sections/fleet';
import { onThemeChange } from './timeline/theme';
import { clock, clockWithDate } from './locale';

const app = document.getElementById('app')!;
let state: PanelState = vscode.getState() ?? { report: null, receivedAt: null };
const restoredSort = state.sort as { key: SortKey; descending: boolean } | undefined;
const table: TableState = { key: restoredSort?.key ?? 'rssKb', descending: restoredSort?.descending ?? true, query: '', selected: null };
let status: { kind: 'busy' | 'error'; message: string } | null = null;
let openKill: number | null = null;
let smaps: SmapsPayload | null = null;
/** Findings the user has open, by instance key; live updates never open one by themselves. */
const openFindings = new Set<string>();
/** oomLens.readOnly: no host-changing buttons at all (the host side refuses them too). */
const readOnly = document.body.dataset.readonly === '1';
const fixer = standalone || readOnly ? undefined : (key: string, remedy: number) => vscode.postMessage({ type: 'fix', key, remedy });
let lastFindingsSig = '';
let lastEventCount = -1;
const timeline = new TimelineSection((i) => {
  openKill = i;
  render();
  document.getElementById('kill-details')?.focus();
});
const fleet = new FleetSection();
onThemeChange(() => {
  timeline.retheme();
  fleet.chartInstance?.retheme();
});

// For tests and the curious: the live chart and its data, read from inside the webview.
(window as unknown as { oomLens: unknown }).oomLens = {
  timeline: () => timeline.chartInstance?.chart ?? null,
  model: () => timeline.model,
  zoomTo: (x0: number, x1: number) => timeline.chartInstance?.zoomTo(x0, x1),
  visible: () => timeline.chartInstance?.visible ?? null,
  layout: () => timeline.chartInstance?.layout() ?? null,
  // The fleet host's drill-down chart, the same way.
  hostTimeline: () => fleet.chartInstance?.chart ?? null,
  hostModel: () => fleet.model,
  hostLayout: () => fleet.chartInstance?.layout() ?? null,
};

function save(): void {
  vscode.setState({ ...state, sort: { key: table.key, descending: table.descending } });
}
const copy = (text: string) => (standalone ? void navigator.clipboard?.writeText(text) : vscode.postMessage({ type: 'copy', text }));

function stat(label: string, kbValue: number | null, field: string, sub?: string): HTMLElement {
  return el(
    'div',
    { class: 'stat', 'data-field': field, 'data-kb': kbValue == null ? '' : String(kbValue) },
    el('div', { class: 'stat-label' }, label),
    el('div', { class: 'stat-value' }, formatKb(kbValue)),
    sub ? el('div', { class: 'stat-sub' }, sub) : null,
  );
}

/** The one thing most urgent now, with the actions that fit it. */
function headlineBox(r: Report): HTMLElement {
  const h = headline(r);
  const buttons = standalone
    ? []
    : h.actions
        .filter((a) => a.kind !== 'kill' || !readOnly)
        .map((a) => {
          const b = el('button', { type: 'button', class: 'headline-action', 'data-action': a.kind, 'data-pid': String(a.pid) }, a.label);
          b.addEventListener('click', () => {
            if (a.kind === 'find-leaks') {
              vscode.postMessage({ type: 'findLeaks', pid: a.pid });
              return;
            }
            if (a.kind === 'kill') {
              vscode.postMessage({ type: 'kill', pid: a.pid });
              return;
            }
            table.selected = a.pid;
            readSmaps(a.pid);
            render();
            document.getElementById('proc-detail')?.scrollIntoView({ block: 'nearest' });
          });
          return b;
        });
  return el(
    'div',
    { class: `verdict ${h.severity}`, id: 'verdict', role: 'status', 'data-finding': h.findingKey ?? '' },
    el('span', { class: 'headline-text' }, h.text),
    buttons.length ? el('span', { class: 'headline-actions' }, ...buttons) : null,
  );
}

/** Diagnose again, sampling on/off (with its state), Export in a format. */
function toolbar(r: Report | null): HTMLElement | null {
  if (standalone) return null;
  const again = el('button', { type: 'button', id: 'diagnose' }, r ? 'Diagnose again' : 'Diagnose');
  again.addEventListener('click', () => vscode.postMessage({ type: 'diagnose' }));
  if (!r) return el('div', { class: 'toolbar', id: 'toolbar' }, again);
  const sampling = r.live?.state === 'sampling';
  const toggle = el(
    'button',
    { type: 'button', id: 'sampling-toggle', class: 'secondary', 'data-state': sampling ? 'sampling' : 'stopped' },
    sampling ? 'Stop sampling' : 'Start sampling',
  );
  toggle.addEventListener('click', () => vscode.postMessage({ type: 'sampling', action: sampling ? 'stop' : 'start' }));
  const exp = el(
    'select',
    { id: 'export', class: 'secondary', 'aria-label': 'Export the report' },
    el('option', { value: '' }, 'Export…'),
    el('option', { value: 'md' }, 'Markdown'),
    el('option', { value: 'html' }, 'HTML (with charts)'),
    el('option', { value: 'json' }, 'JSON'),
  );
  exp.addEventListener('change', () => {
    const format = (exp as HTMLSelectElement).value;
    if (format === 'md' || format === 'html' || format === 'json') vscode.postMessage({ type: 'export', format });
    (exp as HTMLSelectElement).value = '';
  });
  return el('div', { class: 'toolbar', id: 'toolbar' }, again, toggle, exp);
}

function memorySection(r: Report): HTMLElement {
  const mp = memoryPicture(r.memory);
  const usedPct = mp.totalKb && mp.usedKb != null ? Math.round((mp.usedKb / mp.totalKb) * 100) : 0;
  const bar = el('div', { class: 'bar', role: 'img', 'aria-label': `${usedPct}% of RAM used` });
  const fill = el('div', { class: 'bar-fill' });
  fill.style.width = `${usedPct}%`;
  bar.append(fill);
  return el(
    'section',
    { 'aria-labelledby': 'mem-h', id: 'mem-section' },
    el('h2', { id: 'mem-h' }, 'Memory now'),
    el(
      'div',
      { class: 'stats' },
      stat('Total', mp.totalKb, 'memTotalKb', `${mp.totalKb ?? '-'} kB`),
      stat('Used', mp.usedKb, 'memUsedKb', formatPercent(mp.usedKb, mp.totalKb)),
      stat('Available', mp.availableKb, 'memAvailableKb', formatPercent(mp.availableKb, mp.totalKb)),
      stat('Buff/cache', mp.buffCacheKb, 'buffCacheKb'),
      stat('Shared', mp.sharedKb, 'sharedKb'),
      stat('Swap used', mp.swapUsedKb, 'swapUsedKb', mp.swapTotalKb ? `of ${formatKb(mp.swapTotalKb)}` : 'no swap'),
    ),
    bar,
    el(
      'p',
      { class: 'muted' },
      r.pressure
        ? `Memory pressure (PSI avg10): some ${formatShare(r.pressure.someAvg10 / 100)}, full ${formatShare(r.pressure.fullAvg10 / 100)}. `
        : 'Memory pressure: not available on this kernel. ',
      `OOM kills since boot: ${r.oomKillsSinceBoot ?? 'unknown'}. `,
      `vm.overcommit_memory=${r.settings.overcommitMemory ?? '?'}, swappiness=${r.settings.swappiness ?? '?'}, panic_on_oom=${r.settings.panicOnOom ?? '?'}.`,
    ),
  );
}

function eventsSection(r: Report): HTMLElement {
  const section = el(
    'section',
    { 'aria-labelledby': 'ev-h', id: 'events-section' },
    el('h2', { id: 'ev-h' }, `OOM kills in the kernel log (${r.events.length})`),
    eventsTable(r.events, (i) => {
      openKill = i;
      render();
      document.getElementById('kill-details')?.focus();
    }),
  );
  if (openKill !== null && r.events[openKill])
    section.append(
      killDetails(r.events[openKill], () => {
        openKill = null;
        render();
      }),
    );
  return section;
}

function processesSection(r: Report): HTMLElement {
  const visible = r.processes.filter((p) => p.rssKb != null);
  const filter = el('input', {
    type: 'search',
    id: 'proc-filter',
    placeholder: 'Filter by name, user, container…',
    'aria-label': 'Filter processes',
    value: table.query,
  });
  filter.addEventListener('input', () => {
    table.query = filter.value;
    const t = document.getElementById('proc-table');
    t?.replaceWith(procTable(r));
  });
  return el(
    'section',
    { 'aria-labelledby': 'proc-h', id: 'procs-section' },
    el('div', { class: 'section-head' }, el('h2', { id: 'proc-h' }, `Processes (${visible.length} with memory)`), filter),
    procTable(r),
    exitedTable(r),
  );
}

/** Reads a process's memory map (the host side answers with a 'smaps' message). */
function readSmaps(pid: number): void {
  smaps = null;
  vscode.postMessage({ type: 'smaps', pid });
  status = { kind: 'busy', message: `Reading /proc/${pid}/smaps…` };
}

/** The opened process, shown right under its own row (not below a long table). */
function procDetail(r: Report): HTMLElement | null {
  const selected = table.selected !== null ? r.processes.find((p) => p.pid === table.selected) : null;
  if (!selected) return null;
  const read = el(
    'button',
    { type: 'button', id: 'read-smaps', disabled: standalone ? '' : undefined },
    standalone ? 'Memory map: open in VS Code' : 'Read its memory map (smaps)',
  );
  read.addEventListener('click', () => {
    readSmaps(selected.pid);
    render();
  });
  const find = standalone ? null : el('button', { type: 'button', id: 'find-leaks', class: 'secondary' }, 'Find leaks in this process…');
  find?.addEventListener('click', () => vscode.postMessage({ type: 'findLeaks', pid: selected.pid }));
  // Host-changing: confirmed on the host side with the exact command and a button named after it.
  const kill = standalone || readOnly ? null : el('button', { type: 'button', id: 'kill-process', class: 'secondary danger' }, 'Kill…');
  kill?.addEventListener('click', () => vscode.postMessage({ type: 'kill', pid: selected.pid }));
  return el(
    'div',
    { class: 'proc-detail', id: 'proc-detail' },
    el('h3', {}, `${selected.comm} (${selected.pid})`),
    el('p', { class: 'muted' }, selected.cmdline ?? ''),
    el('div', { class: 'actions' }, read, find, kill),
    smaps && smaps.pid === selected.pid ? smapsView(smaps, selected.comm) : null,
  );
}

/** Processes that exited while sampled: their last values and when they went, apart from the current ones. */
function exitedTable(r: Report): HTMLElement {
  const gone = r.exited ?? [];
  const wrap = el('div', { id: 'exited-table', class: 'exited' });
  if (!gone.length) return wrap;
  wrap.append(
    el('h3', {}, `Exited while sampled (${gone.length})`),
    el(
      'table',
      { class: 'procs gone', 'aria-label': 'Exited processes' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['PID', 'Name', 'Gone at', 'Last RSS', 'Max RSS', 'cgroup'].map((h, i) => el('th', { class: i === 0 || i === 3 || i === 4 ? 'num' : '' }, h)),
        ),
      ),
      el(
        'tbody',
        {},
        ...gone
          .slice(0, 50)
          .map((p) =>
            el(
              'tr',
              { 'data-pid': String(p.pid), class: 'gone' },
              el('td', { class: 'num' }, String(p.pid)),
              el('td', {}, p.comm, el('span', { class: 'badge' }, 'exited')),
              el('td', {}, clock(p.goneAt)),
              el('td', { class: 'num', 'data-kb': String(p.rssKb ?? '') }, formatKb(p.rssKb)),
              el('td', { class: 'num' }, formatKb(p.maxRssKb)),
              el('td', { class: 'cgroup', title: p.cgroup ?? '' }, p.cgroup ?? '-'),
            ),
          ),
      ),
    ),
  );
  return wrap;
}

function procTable(r: Report): HTMLElement {
  const t = processTable(
    rowsOf(
      r.processes.filter((p) => p.rssKb != null),
      r.growth,
      r.live?.tooNew ?? [],
    ),
    table,
    100,
    {
      sort: (key) => {
        table.descending = table.key === key ? !table.descending : true;
        table.key = key;
        save();
        render();
      },
      select: (pid) => {
        table.selected = table.selected === pid ? null : pid;
        render();
      },
      detail: () => procDetail(r),
    },
  );
  t.id = 'proc-table';
  return t;
}

function cgroupsSection(r: Report): HTMLElement | null {
  const limited = r.cgroups.filter((c) => c.limitKb !== null || (c.oomKills ?? 0) > 0);
  if (!limited.length) return null;
  return el(
    'section',
    { 'aria-labelledby': 'cg-h', id: 'cgroups-section' },
    el('h2', { id: 'cg-h' }, 'Memory cgroups'),
    el(
      'table',
      { class: 'cgroups' },
      el('thead', {}, el('tr', {}, ...['cgroup', 'v', 'usage', 'limit', 'use', 'peak', 'OOM kills'].map((h, i) => el('th', { class: i > 1 ? 'num' : '' }, h)))),
      el(
        'tbody',
        {},
        ...limited.map((c) =>
          el(
            'tr',
            {},
            el('td', {}, c.path),
            el('td', {}, String(c.version)),
            el('td', { class: 'num' }, formatKb(c.usageKb)),
            el('td', { class: 'num' }, formatKb(c.limitKb)),
            el('td', { class: 'num' }, formatPercent(c.usageKb, c.limitKb)),
            el('td', { class: 'num' }, formatKb(c.peakKb)),
            el('td', { class: 'num' }, c.oomKills == null ? '-' : String(c.oomKills)),
          ),
        ),
      ),
    ),
  );
}

function renderLog(log: NonNullable<PanelState['log']>): void {
  const back = state.report ? el('button', { type: 'button', id: 'back' }, `Back to ${state.report.host.name}`) : null;
  back?.addEventListener('click', () => {
    state = { ...state, log: null };
    save();
    render();
  });
  app.replaceChildren(
    el('header', {}, el('h1', {}, `OOM events in ${log.path.split('/').pop()}`), el('div', { class: 'muted' }, log.path), back),
    el('section', { 'aria-labelledby': 'ev-h' }, el('h2', { id: 'ev-h' }, `OOM events (${log.result.events.length})`), eventsTable(log.result.events)),
  );
  if (log.result.warnings.length) {
    app.append(
      el(
        'section',
        { 'aria-labelledby': 'warn-h' },
        el('h2', { id: 'warn-h' }, `Warnings (${log.result.warnings.length})`),
        el('ul', { class: 'warnings' }, ...log.result.warnings.slice(0, 200).map((w) => el('li', {}, w))),
      ),
    );
  }
}

function hostLine(r: Report): HTMLElement {
  const l = r.live;
  const live = !l
    ? `taken ${clockWithDate(r.takenAt)}`
    : l.state === 'sampling'
      ? `live: sampling every ${l.intervalMs / 1000} s, ${l.samples} samples${l.lastSampleAt ? `, last ${clock(l.lastSampleAt)}` : ''}`
      : `sampling stopped${l.reason ? ` (${l.reason})` : ''}: showing the state at ${l.lastSampleAt ? clock(l.lastSampleAt) : '-'}`;
  return el(
    'div',
    { class: 'muted', id: 'host-line', 'data-live': l?.state ?? 'snapshot' },
    `${r.host.via} · kernel ${r.host.kernel ?? '?'} · up ${formatDuration(secondsToMs(r.host.uptimeSeconds))} · ${live}`,
  );
}

function warningsSection(r: Report): HTMLElement | null {
  if (!r.warnings.length) return null;
  return el(
    'section',
    { 'aria-labelledby': 'warn-h', id: 'warnings-section' },
    el('h2', { id: 'warn-h' }, 'Warnings'),
    el('ul', { class: 'warnings' }, ...r.warnings.map((w) => el('li', {}, w))),
  );
}

/** The fleet table of the Fleet view's report, and the host opened from it. */
function renderFleet(): void {
  const back = state.report ? el('button', { type: 'button', id: 'back', class: 'secondary' }, `Back to ${state.report.host.name}`) : null;
  back?.addEventListener('click', () => {
    state = { ...state, view: 'report' };
    save();
    render();
  });
  const r = state.fleet ?? null;
  const header = el(
    'header',
    {},
    el('h1', {}, 'OOM Lens — Fleet'),
    r
      ? el('div', { class: 'muted', id: 'fleet-line' }, `${r.sources[0]?.name ?? 'Prometheus'} · ${formatDuration(r.windowMs)} to ${clockWithDate(r.takenAt)}`)
      : null,
    back,
  );
  const statusBox = status ? el('div', { class: `status ${status.kind}`, role: status.kind === 'error' ? 'alert' : 'status' }, status.message) : null;
  const parts = fleet.render(r, state.hostSeries ?? null, {
    openHost: (instance) => vscode.postMessage({ type: 'openHost', instance }),
    diagnoseHost: (instance) => vscode.postMessage({ type: 'diagnoseHost', instance }),
  });
  app.replaceChildren(...[header, statusBox, ...parts].filter((p): p is HTMLElement => p !== null));
  // After the canvas is in the document, so the chart can size itself.
  fleet.show(state.hostSeries ?? null);
}

function render(): void {
  if (state.log) {
    renderLog(state.log);
    return;
  }
  if (state.view === 'fleet' && (state.fleet || state.hostSeries)) {
    renderFleet();
    return;
  }
  const r = state.report;
  const header = el('header', {}, el('h1', {}, r ? `OOM Lens — ${r.host.name}` : 'OOM Lens'), r ? hostLine(r) : null, toolbar(r));
  const parts: (HTMLElement | null)[] = [header];
  if (status) parts.push(el('div', { class: `status ${status.kind}`, role: status.kind === 'error' ? 'alert' : 'status' }, status.message));
  if (!r) {
    if (!status) parts.push(el('p', { class: 'muted' }, 'No diagnosis yet. Run "OOM Lens: Diagnose OOM on Host…".'));
    app.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    return;
  }
  parts.push(
    headlineBox(r),
    timeline.root,
    findingsSection(r.findings, copy, openFindings, fixer),
    memorySection(r),
    eventsSection(r),
    processesSection(r),
    cgroupsSection(r),
    warningsSection(r),
  );
  app.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
  // After the canvas is in the document, so the chart can size itself.
  timeline.show(r);
}

/**
 * A live update: every view of the panel shows the new state, but only its parts are swapped, so
 * scroll position, the filter box, the open findings, the open kill and the chart's zoom stay.
 */
function renderLive(r: Report): void {
  const swap = (id: string, next: HTMLElement | null, after?: string) => {
    const cur = document.getElementById(id);
    if (cur && next) cur.replaceWith(next);
    else if (cur) cur.remove();
    else if (next && after) document.getElementById(after)?.after(next);
  };
  swap('host-line', hostLine(r));
  swap('verdict', headlineBox(r));
  swap('toolbar', toolbar(r));
  // Sections the user reads and clicks in are replaced only when what they say changed.
  const findingsSig = JSON.stringify(r.findings.map((f) => [f.key, f.severity, f.title, f.detail, f.remedies.length]));
  if (findingsSig !== lastFindingsSig || !document.getElementById('findings'))
    swap('findings', findingsSection(r.findings, copy, openFindings, fixer), 'timeline');
  lastFindingsSig = findingsSig;
  if (openKill !== null && !r.events[openKill]) openKill = null;
  swap('mem-section', memorySection(r));
  if (r.events.length !== lastEventCount) swap('events-section', eventsSection(r));
  lastEventCount = r.events.length;
  swap('proc-table', procTable(r));
  swap('exited-table', exitedTable(r));
  swap('cgroups-section', cgroupsSection(r), 'procs-section');
  const warnings = warningsSection(r);
  if (document.getElementById('warnings-section') || !warnings) swap('warnings-section', warnings);
  else app.append(warnings);
  timeline.show(r);
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
    case 'report': {
      state = { ...state, report: msg.report, receivedAt: msg.receivedAt, log: null, view: 'report' };
      status = null;
      openKill = null;
      smaps = null;
      // A new diagnosis: only the headline's finding starts open (a page of open remedies hides the rest).
      openFindings.clear();
      const key = headline(msg.report).findingKey;
      if (key) openFindings.add(key);
      save();
      break;
    }
    case 'live': {
      const cur = state.report;
      // Only the diagnosed host's own live state (a stale message from an earlier session is dropped).
      if (!cur || cur.host.name !== msg.report.host.name || cur.takenAt !== msg.report.takenAt) return;
      state = { ...state, report: msg.report };
      save();
      if (!state.log) renderLive(msg.report);
      return;
    }
    case 'smaps':
      smaps = msg.smaps;
      status = null;
      break;
    case 'fleet':
      // A refreshed table keeps the host that is open.
      state = { ...state, fleet: msg.report, log: null, view: 'fleet' };
      save();
      break;
    case 'hostSeries':
      state = { ...state, hostSeries: msg.series, log: null, view: 'fleet' };
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
