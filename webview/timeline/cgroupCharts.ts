// A small chart per followed memory cgroup: its usage against its own limit, on its own scale (a
// 64 MiB limit drawn on a 7 GiB axis is a flat line at the bottom). The x range follows the main
// timeline's, so a kill lines up with the cgroup filling up.
import { Chart } from 'chart.js';
import type { AnnotationOptions } from 'chartjs-plugin-annotation';
import { binaryStepKb, formatKb, formatPercent } from '../../src/core/format';
import { el } from '../dom';
import { decimate, type Series, type TimelineModel } from './model';
import { readTheme, withAlpha } from './theme';

interface One {
  series: Series;
  limitKb: number | null;
  chart: Chart<'line', { x: number; y: number | null }[]>;
  title: HTMLElement;
}

export class CgroupCharts {
  readonly root = el('div', { class: 'cg-charts', id: 'cgroup-charts' });
  private charts = new Map<string, One>();
  private model: TimelineModel | null = null;
  private view: [number, number] = [0, 1];

  update(model: TimelineModel, view: [number, number]): void {
    this.model = model;
    this.view = view;
    const wanted = model.series.filter((s) => s.group === 'cgroup');
    for (const [id, one] of this.charts)
      if (!wanted.some((s) => s.id === id)) {
        one.chart.destroy();
        this.charts.delete(id);
      }
    for (const s of wanted) {
      const path = s.id.slice('cg.'.length);
      const limitKb = model.limits.find((l) => l.label === `limit of ${path}`)?.yKb ?? null;
      let one = this.charts.get(s.id);
      if (!one) one = this.create(s, limitKb, path);
      one.series = s;
      one.limitKb = limitKb;
      this.redraw(one, path);
    }
    this.root.hidden = this.charts.size === 0;
  }

  setView(x0: number, x1: number): void {
    this.view = [x0, x1];
    for (const [id, one] of this.charts) this.redraw(one, id.slice('cg.'.length));
  }

  retheme(): void {
    if (!this.model) return;
    for (const one of this.charts.values()) one.chart.destroy();
    this.charts.clear();
    this.root.replaceChildren();
    this.update(this.model, this.view);
  }

  private create(s: Series, limitKb: number | null, path: string): One {
    const canvas = el('canvas', { role: 'img', 'aria-label': `Memory cgroup ${path}: usage against its limit`, 'data-cgroup': path });
    const title = el('div', { class: 'cg-title' });
    this.root.append(el('div', { class: 'cg-chart' }, title, el('div', { class: 'cg-wrap' }, canvas)));
    const th = readTheme();
    const chart = new Chart<'line', { x: number; y: number | null }[]>(canvas, {
      type: 'line',
      data: {
        datasets: [
          {
            label: `${path} usage`,
            data: [],
            parsing: false,
            normalized: true,
            borderColor: th.palette[s.colorIndex % th.palette.length],
            backgroundColor: withAlpha(th.palette[s.colorIndex % th.palette.length], 0.15),
            fill: 'origin',
            borderWidth: 1.5,
            pointRadius: 0,
            spanGaps: false,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: {
            type: 'time',
            time: { displayFormats: { second: 'HH:mm:ss', minute: 'HH:mm', hour: 'HH:mm', day: 'MMM d' } },
            ticks: { color: th.muted, maxRotation: 0, autoSkip: true, autoSkipPadding: 24 },
            grid: { display: false },
          },
          y: { min: 0, ticks: { color: th.muted, callback: (v) => formatKb(Number(v)) }, grid: { color: withAlpha(th.grid, 0.4) } },
        },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => `usage ${formatKb(c.parsed.y)}` } } },
      },
    });
    const one: One = { series: s, limitKb, chart, title };
    this.charts.set(s.id, one);
    return one;
  }

  private redraw(one: One, path: string): void {
    const m = this.model;
    if (!m) return;
    const th = readTheme();
    const [x0, x1] = this.view;
    const data = decimate(m.t, one.series.y, x0, x1, 400);
    let maxKb = 0;
    let lastKb: number | null = null;
    for (const p of data)
      if (p.y !== null) {
        maxKb = Math.max(maxKb, p.y);
        lastKb = p.y;
      }
    const top = Math.max(maxKb, one.limitKb ?? 0) * 1.08 || 1024;
    const step = binaryStepKb(top, 4);
    const c = one.chart;
    c.data.datasets[0].data = data;
    const opts = c.options as {
      scales: { x: { min: number; max: number }; y: { max: number; ticks: { stepSize: number } } };
      plugins: { annotation?: { annotations: Record<string, AnnotationOptions> } };
    };
    opts.scales.x.min = x0;
    opts.scales.x.max = x1;
    opts.scales.y.max = Math.ceil(top / step) * step;
    opts.scales.y.ticks.stepSize = step;
    opts.plugins.annotation = {
      annotations:
        one.limitKb === null
          ? {}
          : {
              limit: {
                type: 'line',
                scaleID: 'y',
                value: one.limitKb,
                borderColor: th.danger,
                borderWidth: 1.5,
                borderDash: [6, 3],
                label: {
                  display: true,
                  content: `limit ${formatKb(one.limitKb)}`,
                  position: 'end',
                  backgroundColor: 'transparent',
                  color: th.danger,
                  font: { size: 10 },
                  yAdjust: -8,
                },
              },
            },
    };
    c.update('none');
    one.title.textContent = `cgroup ${path}: ${formatKb(lastKb)}${one.limitKb !== null ? ` of ${formatKb(one.limitKb)} (${formatPercent(lastKb, one.limitKb)})` : ''}`;
  }

  destroy(): void {
    for (const one of this.charts.values()) one.chart.destroy();
    this.charts.clear();
    this.root.replaceChildren();
  }
}
