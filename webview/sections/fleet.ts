// The fleet in the panel: the drill-down of the opened host (its timeline over the window, kill
// markers where its kill counter rose) above the ranked hosts and pods of the Fleet view's report.
// A host row opens its drill-down; the chart is kept while the same host stays open.
import type { FleetHost, FleetPod, FleetReport, FleetSignal } from '../../src/core/model/fleet';
import type { HostSeries } from '../../src/core/model/hostSeries';
import { formatBytes, formatDuration, formatShare, plural } from '../../src/core/format';
import { el } from '../dom';
import { TimelineChart } from '../timeline/chart';
import type { TimelineModel } from '../timeline/model';
import { hostTimelineModel } from '../timeline/hostModel';
import { clockWithDate } from '../locale';

export interface FleetActions {
  openHost(instance: string): void;
  diagnoseHost(instance: string): void;
}

const signal = (row: { signals: FleetSignal[] }, ...ids: string[]) => row.signals.find((s) => ids.includes(s.id));
const sevBadge = (s: FleetSignal | null) => (s ? el('span', { class: `sev ${s.severity}` }, s.severity) : el('span', { class: 'muted' }, 'fine'));

function hostRow(h: FleetHost, rank: number, open: string | null, a: FleetActions): HTMLElement {
  const kills = signal(h, 'oom-killed', 'hidden-oom-kill');
  const avail = signal(h, 'low-available');
  const swap = signal(h, 'swap-heavy');
  const name = el('button', { type: 'button', class: 'link', title: 'Open its timeline' }, h.instance);
  const tr = el(
    'tr',
    { 'data-instance': h.instance, class: `fleet-host${h.instance === open ? ' selected' : ''}`, tabindex: '0' },
    el('td', { class: 'num' }, String(rank)),
    el('td', {}, name),
    el('td', {}, h.error ? `unreadable: ${h.error}` : (h.worst?.text ?? 'no signal')),
    el('td', {}, sevBadge(h.worst)),
    el('td', { class: 'num' }, kills?.value != null ? String(kills.value) : '-'),
    el('td', { class: 'num' }, avail?.value != null ? formatShare(avail.value) : '-'),
    el('td', { class: 'num' }, swap?.value != null ? formatShare(swap.value) : '-'),
  );
  tr.addEventListener('click', () => a.openHost(h.instance));
  tr.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') a.openHost(h.instance);
  });
  return tr;
}

function hostsTable(r: FleetReport, open: string | null, a: FleetActions): HTMLElement {
  const shown = r.hosts.filter((h) => h.worst || h.error);
  const fine = r.hosts.length - shown.length;
  return el(
    'section',
    { 'aria-labelledby': 'fleet-hosts-h', id: 'fleet-hosts' },
    el('h2', { id: 'fleet-hosts-h' }, `Hosts, worst first (${shown.length} with a signal of ${r.hosts.length})`),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { class: 'fleet', 'aria-label': 'Fleet hosts ranked worst first' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...['#', 'Instance', 'Worst signal', 'Severity', 'OOM kills', 'Lowest available', 'Swap'].map((h, i) =>
              // The overview keeps a value only past its threshold: "-" is "not a signal", not "unknown".
              el('th', { class: i === 0 || i > 3 ? 'num' : '', title: i > 3 ? 'shown when it is a signal (past the warning threshold)' : undefined }, h),
            ),
          ),
        ),
        el('tbody', {}, ...shown.map((h, i) => hostRow(h, i + 1, open, a))),
      ),
    ),
    fine ? el('p', { class: 'muted' }, `${plural(fine, 'more host')} without a signal over ${formatDuration(r.windowMs)}.`) : null,
  );
}

function podRow(p: FleetPod): HTMLElement {
  return el(
    'tr',
    { 'data-pod': `${p.namespace}/${p.pod}/${p.container}` },
    el('td', {}, `${p.namespace}/${p.pod}`),
    el('td', {}, p.container),
    el('td', {}, p.node ?? '-'),
    el('td', {}, p.worst?.text ?? 'no signal'),
    el('td', {}, sevBadge(p.worst)),
    el('td', { class: 'num' }, p.restarts != null ? String(p.restarts) : '-'),
    el('td', { class: 'num' }, p.limitBytes != null ? formatBytes(p.limitBytes) : '-'),
  );
}

function podsTable(r: FleetReport): HTMLElement {
  return el(
    'section',
    { 'aria-labelledby': 'fleet-pods-h', id: 'fleet-pods' },
    el('h2', { id: 'fleet-pods-h' }, `Pods (${r.pods.length})`),
    r.pods.length
      ? el(
          'div',
          { class: 'table-wrap' },
          el(
            'table',
            { class: 'fleet-pods', 'aria-label': 'Pods with a memory signal' },
            el(
              'thead',
              {},
              el(
                'tr',
                {},
                ...['Namespace/pod', 'Container', 'Node', 'Worst signal', 'Severity', 'Restarts', 'Limit'].map((h, i) =>
                  el('th', { class: i > 4 ? 'num' : '' }, h),
                ),
              ),
            ),
            el('tbody', {}, ...r.pods.slice(0, 200).map(podRow)),
          ),
        )
      : el('p', { class: 'muted' }, 'No container with a memory signal (or no cAdvisor / kube-state-metrics series: see Sources).'),
  );
}

function sourcesAndFindings(r: FleetReport): HTMLElement {
  return el(
    'section',
    { 'aria-labelledby': 'fleet-src-h', id: 'fleet-sources' },
    el('h2', { id: 'fleet-src-h' }, 'Findings and sources'),
    r.findings.length
      ? el(
          'ul',
          { class: 'findings' },
          ...r.findings.map((f) => el('li', { class: `finding ${f.severity}` }, el('strong', {}, f.title), el('div', { class: 'muted' }, f.detail))),
        )
      : el('p', { class: 'muted' }, 'No cross-host finding.'),
    el('ul', { class: 'warnings' }, ...r.sources.map((s) => el('li', { 'data-ok': s.ok ? '1' : '0' }, `${s.ok ? '✔' : '✖'} ${s.name}: ${s.detail}`))),
  );
}

export class FleetSection {
  private readonly canvas: HTMLCanvasElement;
  private readonly card: HTMLElement;
  private chart: TimelineChart | null = null;
  private shown: HostSeries | null = null;
  model: TimelineModel | null = null;

  constructor() {
    this.canvas = el('canvas', { id: 'host-timeline-canvas', role: 'img', 'aria-label': "The host's memory over the window with OOM kills marked" });
    this.card = el('div', { class: 'kill-card', id: 'host-kill-card', hidden: '' });
  }

  get chartInstance(): TimelineChart | null {
    return this.chart;
  }

  /** The sections to show; call show() once they are in the document. */
  render(r: FleetReport | null, hs: HostSeries | null, a: FleetActions): HTMLElement[] {
    const parts: HTMLElement[] = [];
    if (hs) parts.push(this.drillDown(hs, r?.hosts.find((h) => h.instance === hs.instance) ?? null, a));
    if (r) parts.push(hostsTable(r, hs?.instance ?? null, a), podsTable(r), sourcesAndFindings(r));
    return parts;
  }

  private drillDown(hs: HostSeries, host: FleetHost | null, a: FleetActions): HTMLElement {
    const total = hs.kills.reduce((n, k) => n + k.count, 0);
    const ssh = host?.sshHost ? el('button', { type: 'button', id: 'host-diagnose', class: 'secondary' }, `Diagnose over SSH (${host.sshHost})`) : null;
    ssh?.addEventListener('click', () => a.diagnoseHost(hs.instance));
    return el(
      'section',
      { 'aria-labelledby': 'host-h', id: 'host-drilldown', 'data-instance': hs.instance },
      el(
        'div',
        { class: 'section-head' },
        el('h2', { id: 'host-h' }, `${hs.instance}: ${formatDuration(hs.endMs - hs.startMs)} to ${clockWithDate(hs.endMs)}`),
        ssh,
      ),
      host?.signals.length
        ? el('div', { id: 'host-signals' }, ...host.signals.map((s) => el('div', { class: 'host-signal' }, sevBadge(s), ' ', s.text)))
        : null,
      el(
        'p',
        { class: 'muted', id: 'host-kills' },
        total
          ? `${plural(total, 'OOM kill')} in the window, at ${hs.kills.map((k) => `${clockWithDate(k.timeMs)} (${k.count})`).join(', ')}.`
          : 'No OOM kill in the window.',
        hs.absent.length ? ` Not in Prometheus: ${hs.absent.join(', ')} (absent, not zero).` : '',
      ),
      el('div', { class: 'chart-wrap' }, this.canvas, this.card),
    );
  }

  /** Draws (or keeps) the chart of the opened host; the canvas must be in the document. */
  show(hs: HostSeries | null): void {
    if (!hs) {
      this.chart?.destroy();
      this.chart = null;
      this.shown = null;
      return;
    }
    if (this.chart && this.shown && this.shown.instance === hs.instance && this.shown.endMs === hs.endMs && this.shown.startMs === hs.startMs) return;
    this.chart?.destroy();
    this.shown = hs;
    this.model = hostTimelineModel(hs);
    this.chart = new TimelineChart(this.canvas, this.model, {
      onKillClick: () => {},
      onKillHover: (k, at) => {
        if (!k || !at) {
          this.card.hidden = true;
          return;
        }
        this.card.replaceChildren(el('strong', {}, `✖ ${k.label}`), el('div', {}, clockWithDate(k.x)), el('div', { class: 'muted' }, `${k.where}: ${k.what}`));
        this.card.style.left = `${Math.min(at.x + 12, this.canvas.clientWidth - 260)}px`;
        this.card.style.top = `${Math.max(0, at.y - 20)}px`;
        this.card.hidden = false;
      },
      onRange: () => {},
    });
  }
}
