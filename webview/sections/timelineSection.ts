// The timeline section: the chart (kept alive across re-renders so zoom survives live updates),
// a hover card for kill markers, and the growth table for the visible (or brushed) range.
import type { Report } from '../../src/core/model/report';
import { formatDuration, formatKb, formatKbSigned, formatRate, plural } from '../../src/core/format';
import { el } from '../dom';
import { TimelineChart } from '../timeline/chart';
import { CgroupCharts } from '../timeline/cgroupCharts';
import { timelineModel, growthOverRange, TimelineModel, KillMark } from '../timeline/model';
import { clock, clockWithDate } from '../locale';

export class TimelineSection {
  readonly root: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly card: HTMLElement;
  private readonly rangeBox: HTMLElement;
  private readonly resetBtn: HTMLButtonElement;
  private chart: TimelineChart | null = null;
  private readonly cgroups = new CgroupCharts();
  private report: Report | null = null;
  model: TimelineModel | null = null;

  constructor(private readonly onKill: (eventIndex: number) => void) {
    this.canvas = el('canvas', { id: 'timeline-canvas', role: 'img', 'aria-label': 'Memory over time with OOM kills marked' });
    this.card = el('div', { class: 'kill-card', id: 'kill-card', hidden: '' });
    this.rangeBox = el('div', { class: 'range', id: 'range-growth' });
    this.resetBtn = el('button', { type: 'button', id: 'reset-zoom', disabled: '' }, 'Show all');
    this.resetBtn.addEventListener('click', () => this.chart?.resetZoom());
    this.root = el(
      'section',
      { 'aria-labelledby': 'tl-h', id: 'timeline' },
      el(
        'div',
        { class: 'section-head' },
        el('h2', { id: 'tl-h' }, 'Timeline'),
        el('span', { class: 'muted hint' }, 'drag to zoom into a range · shift+drag to pan · ctrl+wheel to zoom · click a kill marker for its task table'),
        this.resetBtn,
      ),
      el('div', { class: 'chart-wrap' }, this.canvas, this.card),
      this.cgroups.root,
      this.rangeBox,
    );
  }

  /** Shows a report; keeps the chart (and the user's zoom) when only the samples changed. */
  show(r: Report): void {
    const model = timelineModel(r);
    this.model = model;
    const sameHost = this.report && this.report.host.name === r.host.name && this.report.takenAt === r.takenAt;
    this.report = r;
    if (this.chart && sameHost) this.chart.setModel(model);
    else {
      this.chart?.destroy();
      this.chart = new TimelineChart(this.canvas, model, {
        onKillClick: (k) => this.onKill(k.eventIndex),
        onKillHover: (k, at) => this.hover(k, at),
        onRange: (x0, x1, zoomed) => {
          this.updateReset(zoomed);
          this.renderRange(x0, x1, zoomed);
          this.cgroups.setView(x0, x1);
        },
      });
    }
    // What the chart shows now: a live update keeps the user's zoom, "Show all" and range.
    const v = this.chart.visible;
    this.updateReset(v.zoomed);
    this.renderRange(v.x0, v.x1, v.mode === 'fixed');
    this.cgroups.update(model, [v.x0, v.x1]);
  }

  private updateReset(zoomed: boolean): void {
    const m = this.model;
    this.resetBtn.disabled = !zoomed;
    this.resetBtn.textContent = zoomed && m && m.killsOutsideView ? `Show all (${plural(m.killsOutsideView, 'earlier kill')})` : 'Show all';
  }

  retheme(): void {
    this.chart?.retheme();
    this.cgroups.retheme();
  }

  get chartInstance(): TimelineChart | null {
    return this.chart;
  }

  private hover(k: KillMark | null, at: { x: number; y: number } | null): void {
    if (!k || !at) {
      this.card.hidden = true;
      return;
    }
    this.card.replaceChildren(
      el('strong', {}, `✖ ${k.what}: ${k.label}`),
      el('div', {}, `RSS ${formatKb(k.rssKb)} · ${clockWithDate(k.x)}`),
      el('div', {}, `trigger: ${k.trigger ?? '-'}`),
      el('div', {}, `cgroup/container: ${k.where}`),
      el('div', { class: 'muted' }, 'click for the task table'),
    );
    this.card.style.left = `${Math.min(at.x + 12, this.canvas.clientWidth - 260)}px`;
    this.card.style.top = `${Math.max(0, at.y - 20)}px`;
    this.card.hidden = false;
  }

  private renderRange(x0: number, x1: number, zoomed: boolean): void {
    const m = this.model;
    if (!m || m.t.length < 2) {
      this.rangeBox.replaceChildren(
        el(
          'p',
          { class: 'muted' },
          m && m.kills.length
            ? 'Kills from the kernel log are on the axis. Sample the host (Diagnose with sampling) to see growth lines.'
            : 'No samples yet: diagnose with sampling to see memory over time.',
        ),
      );
      return;
    }
    // Not zoomed in: the sampled time itself, whatever stretch of older kills the axis shows.
    if (!zoomed) {
      x0 = m.t[0];
      x1 = m.t[m.t.length - 1];
    }
    const rows = growthOverRange(m, x0, x1).slice(0, 12);
    this.rangeBox.replaceChildren(
      el('h3', {}, `Growth ${zoomed ? 'in the selected range' : 'over the sampled time'}: ${clock(x0)} – ${clock(x1)} (${formatDuration(x1 - x0)})`),
      el(
        'table',
        { class: 'range-table', 'aria-label': 'Growth over the range' },
        el('thead', {}, el('tr', {}, ...['Series', 'From', 'To', 'Change', 'Per minute'].map((h, i) => el('th', { class: i ? 'num' : '' }, h)))),
        el(
          'tbody',
          {},
          ...rows.map((g) =>
            el(
              'tr',
              { 'data-series': g.id },
              el('td', {}, g.label),
              el('td', { class: 'num' }, formatKb(g.fromKb)),
              el('td', { class: 'num' }, formatKb(g.toKb)),
              el('td', { class: 'num' }, formatKbSigned(g.deltaKb)),
              el('td', { class: 'num' }, formatRate(g.perMinKb)),
            ),
          ),
        ),
      ),
    );
  }
}
