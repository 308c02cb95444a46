// The timeline chart: Chart.js (bundled locally) with a time axis, zoom/pan/drag-to-zoom, kill
// markers as annotations with a hover card, cgroup limits as dashed lines, PSI on its own axis.
// Data is decimated per visible range (min/max per pixel bucket), so a day of 1 s samples stays fast.
import { Chart, LineController, LineElement, PointElement, LinearScale, TimeScale, Legend, Tooltip, Filler } from 'chart.js';
import { toFont } from 'chart.js/helpers';
import 'chartjs-adapter-date-fns';
import zoomPlugin from 'chartjs-plugin-zoom';
import annotationPlugin, { AnnotationOptions } from 'chartjs-plugin-annotation';
import { binaryStepKb, formatKb, formatShare } from '../../src/core/format';
import { clockWithDate } from '../locale';
import { TimelineModel, decimate, KillMark } from './model';
import { ChartTheme, readTheme, withAlpha } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, TimeScale, Legend, Tooltip, Filler, zoomPlugin, annotationPlugin);

export interface TimelineCallbacks {
  onKillClick(mark: KillMark): void;
  onKillHover(mark: KillMark | null, at: { x: number; y: number } | null): void;
  onRange(x0: number, x1: number, zoomed: boolean): void;
}

export class TimelineChart {
  readonly chart: Chart<'line', { x: number; y: number | null }[]>;
  private model: TimelineModel;
  private theme: ChartTheme = readTheme();
  private view: [number, number];
  private zoomed = false;
  /**
   * What the user chose to look at, kept across live updates: the sampled window as it moves
   * ('follow', the start), everything including older kills ('all', after "Show all"), or a range
   * they zoomed or panned to (fixed).
   */
  private mode: 'follow' | 'all' | 'fixed' = 'follow';
  /** The plot width the kill labels were last laid out for, and the gap they keep. */
  private labelledWidth = -1;
  private labelGap = 6;

  constructor(
    readonly canvas: HTMLCanvasElement,
    model: TimelineModel,
    private readonly cb: TimelineCallbacks,
  ) {
    this.model = model;
    this.view = model.initialView;
    this.zoomed = model.initialView !== model.range;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: this.options(),
      // Kill labels are laid out in pixels: when the plot's size changed, lay them out again.
      plugins: [
        {
          id: 'oomLensRelabel',
          afterLayout: (chart) => {
            const w = Math.round(chart.chartArea.right - chart.chartArea.left);
            if (w === this.labelledWidth) return;
            this.labelledWidth = w;
            requestAnimationFrame(() => this.relabel());
          },
        },
      ],
    });
    this.chart.data.datasets = this.datasets();
    this.chart.update('none');
    this.relabel(); // now that the chart area is known
  }

  private buckets(): number {
    return Math.max(100, Math.min(2000, Math.round(this.canvas.clientWidth || 800)));
  }

  private datasets() {
    const th = this.theme;
    const [x0, x1] = this.view;
    const b = this.buckets();
    // Each kill also as a point at the victim's size, so kills show against memory even with no samples.
    const killPoints = {
      label: 'OOM kill (victim RSS)',
      data: this.model.kills.filter((k) => k.rssKb !== null).map((k) => ({ x: k.x, y: k.rssKb })),
      parsing: false as const,
      normalized: true,
      spanGaps: false,
      yAxisID: 'kb',
      borderColor: th.danger,
      backgroundColor: th.danger,
      fill: false,
      borderWidth: 2,
      borderDash: undefined,
      pointRadius: 7,
      pointHoverRadius: 9,
      pointHitRadius: 8,
      pointStyle: 'crossRot' as const,
      showLine: false,
      tension: 0,
      hidden: false,
    };
    // Cgroups have charts of their own, on their own scale (a 64 MiB limit is a flat line on a
    // 7 GiB axis). Suspects come first, so the legend names them first.
    const shown = this.model.series.filter((s) => s.group !== 'cgroup');
    const ordered = [...shown.filter((s) => s.suspect), ...shown.filter((s) => !s.suspect)];
    const lines = ordered.map((s) => {
      const color = th.palette[s.colorIndex % th.palette.length];
      const psi = s.group === 'psi';
      return {
        label: s.label,
        data: decimate(this.model.t, s.y, x0, x1, b),
        parsing: false as const,
        normalized: true,
        spanGaps: false,
        yAxisID: psi ? 'psi' : 'kb',
        borderColor: color,
        backgroundColor: color,
        fill: false,
        borderWidth: s.suspect ? 3.5 : s.group === 'system' ? 2 : 1.5,
        borderDash: psi ? [3, 3] : undefined,
        order: s.suspect ? 0 : 1,
        pointRadius: 0,
        pointHitRadius: 4,
        tension: 0,
        // Available and cache are near the size of RAM and would flatten every process line: off at first.
        hidden: s.id === 'sys.cache' || s.id === 'sys.available',
      };
    });
    return killPoints.data.length ? [...lines, killPoints] : lines;
  }

  /**
   * Kill markers: a line per kill, and labels laid out in pixels so none overlaps another or leaves
   * the chart: each label sits right of its first kill ("✖ name", or "✖ 3 kills" for the kills its
   * box covers); one that would run past the right edge moves left, and merges into the cluster
   * before it when there is no room.
   */
  private annotations(): Record<string, AnnotationOptions> {
    const gap = this.labelGap;
    const th = this.theme;
    const out: Record<string, AnnotationOptions> = {};
    const [v0, v1] = this.view;
    // The x scale as drawn, once the chart has been laid out; an estimate before that.
    const scale = this.chart?.scales?.x;
    const area = this.chart?.chartArea;
    const left = area?.left ?? 60;
    const right = area?.right ?? Math.max(200, this.canvas.clientWidth || 800) - 60;
    // Where each kill line is drawn now (the annotation elements know), else the scale's or a linear estimate.
    const drawn = new Map<number, number>();
    if (this.chart)
      for (const a of annotationPlugin.getAnnotations(this.chart)) {
        const v = (a.options as { value?: unknown }).value;
        if (typeof v === 'number') drawn.set(v, a.x);
      }
    const current = scale && area && Math.abs(scale.min - v0) < 1 && Math.abs(scale.max - v1) < 1;
    const px = (x: number) => drawn.get(x) ?? (current ? scale.getPixelForValue(x) : left + ((x - v0) / (v1 - v0)) * (right - left));
    // Measured in the font the labels are drawn in.
    const family = getComputedStyle(document.body).fontFamily || 'sans-serif';
    const ctx = this.canvas.getContext('2d');
    if (ctx) ctx.font = `11px ${family}`;
    const textWidth = (t: string) => (ctx ? ctx.measureText(t).width : t.length * 7) + 14; // + the label's padding
    // Left to right (events come in log order, which is not always time order).
    const visible = this.model.kills.filter((k) => k.x >= v0 && k.x <= v1).sort((a, b) => a.x - b.x);
    interface Cluster {
      kills: KillMark[];
      x0: number;
      width: number;
      shift: number;
    }
    const clusters: Cluster[] = [];
    const text = (c: Cluster) => (c.kills.length === 1 ? `✖ ${c.kills[0].label}` : `✖ ${c.kills.length} kills`);
    const place = (c: Cluster) => {
      c.width = textWidth(text(c));
      c.shift = Math.min(0, right - (c.x0 + c.width));
    };
    for (const k of visible) {
      const x = px(k.x);
      const last = clusters[clusters.length - 1];
      if (last && x < last.x0 + last.shift + last.width + gap) {
        last.kills.push(k);
        place(last);
        continue;
      }
      const c: Cluster = { kills: [k], x0: x, width: 0, shift: 0 };
      place(c);
      clusters.push(c);
    }
    // A label moved left must still clear the one before it; otherwise the two become one.
    for (let i = clusters.length - 1; i > 0; i--) {
      const c = clusters[i];
      const prev = clusters[i - 1];
      if (c.x0 + c.shift < prev.x0 + prev.shift + prev.width + gap) {
        prev.kills.push(...c.kills);
        place(prev);
        clusters.splice(i, 1);
      }
    }
    const labelOf = new Map<number, Cluster>();
    for (const c of clusters) labelOf.set(c.kills[0].eventIndex, c);
    this.model.kills.forEach((k, i) => {
      const c = labelOf.get(k.eventIndex);
      out[`kill${i}`] = {
        type: 'line',
        scaleID: 'x',
        value: k.x,
        borderColor: th.danger,
        borderWidth: 2,
        borderDash: [4, 2],
        // a cluster's label belongs to its first line: drawn after every other kill line, so the
        // lines of the kills it counts never cross its text
        z: c !== undefined ? 2 : 1,
        label: {
          display: c !== undefined,
          content: c ? text(c) : '',
          position: 'start',
          backgroundColor: th.danger,
          color: '#fff',
          font: { size: 11, family },
          padding: 6,
          xAdjust: c ? c.width / 2 + c.shift : 0,
        },
        enter: (_ctx, event) => {
          this.tooltipOff(true);
          this.cb.onKillHover(k, { x: event.x ?? 0, y: event.y ?? 0 });
          return true;
        },
        leave: () => {
          this.tooltipOff(false);
          this.cb.onKillHover(null, null);
          return true;
        },
        click: () => {
          this.cb.onKillClick(k);
          return true;
        },
      };
    });
    return out;
  }

  /** The chart was resized: kill labels are laid out in pixels, so again. */
  private relabel(): void {
    const opts = this.chart.options as ReturnType<TimelineChart['options']>;
    // Lay out, then check the labels as the plugin drew them (it may clamp one into the chart
    // area): while two still touch, lay out again with a wider gap.
    this.labelGap = 6;
    for (let round = 0; round < 5; round++) {
      opts.plugins.annotation.annotations = this.annotations();
      this.chart.update('none');
      const boxes = annotationPlugin
        .getAnnotations(this.chart)
        .filter((a) => a.label?.options?.display)
        .map((a) => a.label!)
        .sort((a, b) => a.x - b.x);
      let worst = 0;
      for (let i = 1; i < boxes.length; i++) worst = Math.max(worst, boxes[i - 1].x + boxes[i - 1].width + 4 - boxes[i].x);
      if (worst <= 0) return;
      this.labelGap += worst + 6;
    }
  }

  /** One tooltip at a time: the kill card replaces the chart's own while a kill is hovered. */
  private tooltipOff(off: boolean): void {
    const t = (this.chart.options.plugins as { tooltip: { enabled: boolean } }).tooltip;
    if (t.enabled === !off) return;
    t.enabled = !off;
    this.chart.update('none');
  }

  private options() {
    const th = this.theme;
    const hasPsi = this.model.series.some((s) => s.group === 'psi');
    return {
      animation: false as const,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest' as const, axis: 'x' as const, intersect: false },
      scales: {
        x: {
          type: 'time' as const,
          min: this.view[0],
          max: this.view[1],
          // 24 h labels, never rotated, skipped so they never touch.
          time: {
            displayFormats: { millisecond: 'HH:mm:ss.SSS', second: 'HH:mm:ss', minute: 'HH:mm', hour: 'HH:mm', day: 'MMM d', week: 'MMM d', month: 'MMM yyyy' },
          },
          ticks: { color: th.muted, maxRotation: 0, minRotation: 0, autoSkip: true, autoSkipPadding: 24 },
          grid: { color: withAlpha(th.grid, 0.5) },
        },
        kb: {
          type: 'linear' as const,
          position: 'left' as const,
          beginAtZero: true,
          ticks: { color: th.muted, callback: (v: string | number) => formatKb(Number(v)) },
          // Round binary ticks (256 MiB, 512 MiB, 1 GiB…), not 195Mi, 391Mi…
          afterBuildTicks: (scale: { max: number; ticks: { value: number }[] }) => {
            const step = binaryStepKb(scale.max, 5);
            const ticks: { value: number }[] = [];
            for (let v = 0; v <= scale.max + step / 1e6; v += step) ticks.push({ value: v });
            scale.ticks = ticks;
          },
          afterDataLimits: (scale: { max: number }) => {
            const step = binaryStepKb(scale.max, 5);
            scale.max = Math.ceil(scale.max / step) * step || step;
          },
          grid: { color: withAlpha(th.grid, 0.5) },
          title: { display: true, text: 'memory', color: th.muted },
        },
        psi: {
          // Pressure is a share of time, 0–100 %, on its own axis: never read as memory.
          type: 'linear' as const,
          position: 'right' as const,
          display: hasPsi,
          min: 0,
          max: 100,
          ticks: { color: th.muted, stepSize: 25, callback: (v: string | number) => `${v}%` },
          grid: { display: false },
          title: { display: hasPsi, text: 'pressure (PSI)', color: th.muted },
        },
      },
      plugins: {
        legend: { position: 'bottom' as const, labels: { color: th.foreground, boxWidth: 12, usePointStyle: false } },
        tooltip: {
          enabled: true,
          callbacks: {
            title: (items: { parsed: { x: number | null } }[]) => (items[0]?.parsed.x != null ? clockWithDate(items[0].parsed.x) : ''),
            label: (c: { dataset: { label?: string; yAxisID?: string }; parsed: { y: number | null } }) =>
              `${c.dataset.label}: ${c.parsed.y === null ? '-' : c.dataset.yAxisID === 'psi' ? formatShare(c.parsed.y / 100) : formatKb(c.parsed.y)}`,
          },
        },
        annotation: { annotations: this.annotations() },
        zoom: {
          limits: { x: { min: this.model.range[0], max: this.model.range[1], minRange: 10_000 } },
          pan: { enabled: true, mode: 'x' as const, modifierKey: 'shift' as const, onPanComplete: () => this.afterZoom() },
          zoom: {
            wheel: { enabled: true, modifierKey: 'ctrl' as const },
            drag: { enabled: true, backgroundColor: withAlpha(th.palette[0], 0.15), borderColor: th.palette[0], borderWidth: 1 },
            mode: 'x' as const,
            onZoomComplete: () => this.afterZoom(),
          },
        },
      },
    };
  }

  /** Re-decimates for the new visible range (the whole point of keeping full data off the chart). */
  private afterZoom(): void {
    const x = this.chart.scales.x;
    this.view = [x.min, x.max];
    this.zoomed = x.min > this.model.range[0] + 1 || x.max < this.model.range[1] - 1;
    this.mode = this.zoomed ? 'fixed' : 'all';
    this.redecimate();
    this.relabel();
    this.cb.onRange(x.min, x.max, this.zoomed);
  }

  private redecimate(): void {
    (this.chart.options as ReturnType<TimelineChart['options']>).plugins.annotation.annotations = this.annotations();
    const fresh = this.datasets();
    const ds = this.chart.data.datasets;
    fresh.forEach((f, i) => {
      if (ds[i] && ds[i].label === f.label) ds[i].data = f.data;
      else ds[i] = f;
    });
    ds.length = fresh.length;
    this.chart.update('none');
  }

  zoomTo(x0: number, x1: number): void {
    this.chart.zoomScale('x', { min: x0, max: x1 }, 'none');
    this.afterZoom();
  }

  /** Shows everything: every sample and every kill in the log. */
  resetZoom(): void {
    this.chart.resetZoom('none');
    this.view = this.model.range;
    this.chart.zoomScale('x', { min: this.view[0], max: this.view[1] }, 'none');
    this.zoomed = false;
    this.mode = 'all';
    this.redecimate();
    this.relabel();
    this.cb.onRange(this.view[0], this.view[1], false);
  }

  /** New samples (live): the view the user chose stays (see `mode`); only a following view moves. */
  setModel(model: TimelineModel): void {
    const newKills = model.kills.length !== this.model.kills.length;
    this.model = model;
    if (this.mode === 'follow') this.view = model.initialView;
    else if (this.mode === 'all') this.view = model.range;
    this.zoomed = this.mode === 'fixed' || (this.mode === 'follow' && model.initialView !== model.range);
    const opts = this.chart.options as ReturnType<TimelineChart['options']>;
    opts.plugins.annotation.annotations = this.annotations();
    opts.plugins.zoom.limits = { x: { min: Math.min(model.range[0], this.view[0]), max: Math.max(model.range[1], this.view[1]), minRange: 10_000 } };
    opts.scales.x.min = this.view[0];
    opts.scales.x.max = this.view[1];
    this.redecimate();
    if (newKills) this.relabel();
  }

  /**
   * What the user sees, measured (for the UI tests): the boxes of the x labels as drawn, the kill
   * labels' boxes, the memory ticks, each line's colour and axis.
   */
  layout(): {
    xLabels: { text: string; x0: number; x1: number }[];
    killLabels: { text: string; x: number; y: number; w: number; h: number }[];
    /** Kill lines drawn over a kill label's text (0: every label is on top). */
    linesOverLabels: number;
    kbTicks: number[];
    lines: { label: string; color: string; axis: string; width: number; visible: boolean }[];
    psiMax?: number;
    area: { left: number; right: number; top: number; bottom: number };
  } {
    const c = this.chart;
    const x = c.scales.x;
    const ctx = c.ctx;
    ctx.save();
    ctx.font = toFont((x.options as unknown as { ticks: { font: Parameters<typeof toFont>[0] } }).ticks.font).string;
    const xLabels = x.ticks.map((t) => {
      const text = String(t.label ?? '');
      const mid = x.getPixelForValue(t.value);
      const w = ctx.measureText(text).width;
      return { text, x0: mid - w / 2, x1: mid + w / 2 };
    });
    ctx.restore();
    const killLabels = annotationPlugin
      .getAnnotations(c)
      .filter((a) => a.label && a.label.options?.display)
      .map((a) => ({
        text: String((a.label!.options as { content?: unknown } | undefined)?.content ?? ''),
        x: a.label!.x,
        y: a.label!.y,
        w: a.label!.width,
        h: a.label!.height,
      }));
    // Kill lines the plugin draws after a label and through its box (ascending z, then in order): they cross its text.
    const drawn = annotationPlugin
      .getAnnotations(c)
      .map((a, i) => ({ a, i, z: Number((a.options as { z?: number } | undefined)?.z ?? 0) }))
      .sort((p, q) => p.z - q.z || p.i - q.i);
    let linesOverLabels = 0;
    drawn.forEach((p, rank) => {
      const l = p.a.label;
      if (!l?.options?.display) return;
      for (const q of drawn.slice(rank + 1)) if (q.a.x > l.x && q.a.x < l.x + l.width) linesOverLabels++;
    });
    return {
      xLabels,
      killLabels,
      linesOverLabels,
      kbTicks: c.scales.kb.ticks.map((t) => t.value),
      lines: c.data.datasets.map((d, i) => ({
        label: String(d.label),
        color: String(d.borderColor),
        axis: String((d as { yAxisID?: string }).yAxisID),
        width: Number(d.borderWidth),
        visible: c.isDatasetVisible(i),
      })),
      area: { left: c.chartArea.left, right: c.chartArea.right, top: c.chartArea.top, bottom: c.chartArea.bottom },
      psiMax: c.scales.psi?.max,
    };
  }

  /** The visible x range, and whether it is less than everything. */
  get visible(): { x0: number; x1: number; zoomed: boolean; mode: string } {
    return { x0: this.view[0], x1: this.view[1], zoomed: this.zoomed, mode: this.mode };
  }

  /** Theme changed: colours are baked into datasets and options, so rebuild them. */
  retheme(): void {
    this.theme = readTheme();
    this.chart.options = this.options();
    this.chart.data.datasets = this.datasets();
    this.chart.update('none');
  }

  destroy(): void {
    this.chart.destroy();
  }
}
