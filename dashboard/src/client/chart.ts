/**
 * One uPlot chart of the patient page: one metric, or blood pressure (systolic, diastolic, mean).
 * Raw readings are a line; aggregated ones an average line inside a min–max band. Live readings
 * are appended to the columns and drawn at most once per frame; the time window slides with now.
 */
import type { Metric } from '@vitals/contract';
import uPlot from 'uplot';
import { type Threshold, thresholdBands } from './chart-overlays.ts';
import { addLivePoint, dropBefore, isAggregate, type MetricColumns, toColumns } from './columnar.ts';
import { h } from './dom.ts';
import type { FrameScheduler } from './frame-scheduler.ts';
import { bucketLabel, type Locale, metricLabel, translate, unitLabel } from './i18n.ts';
import { formatValue } from './metric-display.ts';
import { formatFullDateTime, timeAxisLabels } from './time-format.ts';

export interface ChartInput {
  /** The metrics drawn together; the first names the chart in `data-metric`. */
  metrics: { metric: Metric; unit: string; columns: MetricColumns }[];
  zone: string;
  locale: Locale;
  /** Length of the sliding time window, seconds; it always ends now. */
  spanSec: number;
  scheduler: FrameScheduler;
  now?: () => number;
  /** Alert limits of the chart's metrics, drawn as bands behind the lines. */
  thresholds?: Threshold[];
  /** Alert openings (seconds), drawn as vertical markers. */
  markers?: { s: number; priority: 'high' | 'medium' | 'low' }[];
  /** Values the care team recorded (seconds, value), drawn as diamonds: not a device's. */
  observed?: { s: number; v: number }[];
}

export interface MetricChart {
  readonly element: HTMLElement;
  readonly metrics: readonly Metric[];
  /** Appends a live reading (time in seconds); the redraw happens in the next frame. */
  add(metric: Metric, s: number, value: number): void;
  /** Slides the window to now (also done on every redraw). */
  refresh(): void;
  resize(): void;
  destroy(): void;
}

/** Lines are told apart by dash pattern as well as colour (WCAG 1.4.1: not by colour alone). */
const STYLE: Partial<Record<Metric, { stroke: string; dash?: number[] }>> = {
  bp_systolic: { stroke: '#ff8a80' },
  bp_diastolic: { stroke: '#82b1ff', dash: [8, 5] },
  bp_mean: { stroke: '#e0e0e0', dash: [2, 4] },
  pulse_rate: { stroke: '#ffab40' },
  spo2: { stroke: '#4dd0e1' },
  body_temperature: { stroke: '#ffd54f' },
  body_weight: { stroke: '#aed581' },
  glucose: { stroke: '#ce93d8' },
};
const DEFAULT_STYLE: { stroke: string; dash?: number[] } = { stroke: '#b0bec5' };
const AXIS = { stroke: '#d7dde4', grid: { stroke: 'rgba(215,221,228,0.15)', width: 1 }, ticks: { show: false } };
const HEIGHT = 260;
const BAND_FILL = { medium: 'rgba(255,196,107,0.13)', high: 'rgba(255,107,94,0.18)' } as const;
const MARKER = { high: '#ff6b5e', medium: '#ffc46b', low: '#b0bec5' } as const;

/** Bands under the lines (drawAxes), markers and diamonds over them (draw): canvas pixels from values. */
function overlayHooks(input: ChartInput): uPlot.Hooks.Arrays {
  const { thresholds = [], markers = [], observed = [] } = input;
  return {
    drawAxes: [
      (u) => {
        const yMin = u.scales.y?.min;
        const yMax = u.scales.y?.max;
        if (yMin == null || yMax == null || thresholds.length === 0) return;
        const { ctx, bbox } = u;
        ctx.save();
        for (const b of thresholdBands(thresholds, yMin, yMax)) {
          const top = u.valToPos(b.to, 'y', true);
          const bottom = u.valToPos(b.from, 'y', true);
          ctx.fillStyle = BAND_FILL[b.level];
          ctx.fillRect(bbox.left, top, bbox.width, bottom - top);
        }
        ctx.restore();
      },
    ],
    draw: [
      (u) => {
        const { ctx, bbox } = u;
        const xMin = u.scales.x?.min ?? 0;
        const xMax = u.scales.x?.max ?? 0;
        ctx.save();
        ctx.lineWidth = 2;
        ctx.setLineDash([4, 4]);
        for (const m of markers) {
          if (m.s < xMin || m.s > xMax) continue;
          const x = u.valToPos(m.s, 'x', true);
          ctx.strokeStyle = MARKER[m.priority];
          ctx.beginPath();
          ctx.moveTo(x, bbox.top);
          ctx.lineTo(x, bbox.top + bbox.height);
          ctx.stroke();
        }
        ctx.setLineDash([]);
        ctx.fillStyle = '#ffe082';
        ctx.strokeStyle = '#1a222b';
        const r = 6 * (window.devicePixelRatio || 1);
        for (const o of observed) {
          if (o.s < xMin || o.s > xMax) continue;
          const x = u.valToPos(o.s, 'x', true);
          const y = u.valToPos(o.v, 'y', true);
          ctx.beginPath();
          ctx.moveTo(x, y - r);
          ctx.lineTo(x + r, y);
          ctx.lineTo(x, y + r);
          ctx.lineTo(x - r, y);
          ctx.closePath();
          ctx.fill();
          ctx.stroke();
        }
        ctx.restore();
      },
    ],
  };
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

/** uPlot's padded range, except around a single value, which it would spread over 0–100. */
function valueRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min == null || max == null) return [0, 100];
  if (min === max) {
    const pad = Math.max(Math.abs(min) * 0.05, 1);
    return [min - pad, max + pad];
  }
  return uPlot.rangeNum(min, max, 0.1, true);
}

export function createMetricChart(input: ChartInput): MetricChart {
  const { zone, locale, scheduler, spanSec } = input;
  const now = input.now ?? Date.now;
  const t = (key: Parameters<typeof translate>[1]) => translate(locale, key);
  const metrics = input.metrics.map((m) => m.metric);
  const first = input.metrics[0];
  if (!first) throw new Error('createMetricChart needs at least one metric');

  const title = metrics.length > 1 && metrics[0] === 'bp_systolic' ? t('metric.bp') : metricLabel(locale, first.metric);
  const empty = h('p', { class: 'chart-empty', hidden: true }, t('patient.noDataInRange'));
  const plot = h('div', { class: 'chart-plot' });
  const bucket = input.metrics.find((m) => isAggregate(m.columns))?.columns.bucketSec;
  const note =
    bucket != null &&
    h('p', { class: 'chart-note' }, translate(locale, 'patient.resolution', { bucket: bucketLabel(locale, bucket) }));
  const element = h(
    'figure',
    { class: 'chart', 'data-testid': 'chart', 'data-metric': first.metric, 'data-metrics': metrics.join(' ') },
    h('figcaption', {}, h('h2', {}, title), h('span', { class: 'chart-unit' }, unitLabel(locale, first.unit))),
    note,
    plot,
    empty,
  );

  const series: uPlot.Series[] = [
    { label: t('chart.time'), value: (_u, s) => (s == null ? '—' : formatFullDateTime(s * 1000, zone, locale)) },
  ];
  const bands: uPlot.Band[] = [];
  for (const { metric, columns } of input.metrics) {
    const style = STYLE[metric] ?? DEFAULT_STYLE;
    const label = metricLabel(locale, metric);
    const value = (_u: uPlot, v: number | null) => (v == null ? '—' : formatValue(metric, v, locale));
    const line: uPlot.Series = { stroke: style.stroke, width: 2, value, points: { size: 6 } };
    if (style.dash) line.dash = style.dash;
    if (!isAggregate(columns)) {
      series.push({ ...line, label });
      continue;
    }
    const avgIdx = series.length;
    const edge: uPlot.Series = { stroke: withAlpha(style.stroke, 0.45), width: 1, value, points: { show: false } };
    series.push({ ...line, label: `${label} ${t('chart.avg')}` });
    series.push({ ...edge, label: `${label} ${t('chart.min')}` });
    series.push({ ...edge, label: `${label} ${t('chart.max')}` });
    bands.push({ series: [avgIdx + 2, avgIdx + 1], fill: withAlpha(style.stroke, 0.18) });
  }

  const windowRange = (): [number, number] => {
    const to = now() / 1000;
    return [to - spanSec, to];
  };

  const opts: Omit<uPlot.Options, 'width'> = {
    height: HEIGHT,
    series,
    bands,
    // Redraws follow data, never an animation loop (STYLE.md 14).
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    hooks: overlayHooks(input),
    tzDate: (s) => uPlot.tzDate(new Date(s * 1000), zone),
    scales: { x: { time: true, range: () => windowRange() }, y: { range: valueRange } },
    axes: [
      {
        ...AXIS,
        size: 52,
        space: 70,
        values: (_u, splits, _axisIdx, _space, incr) => timeAxisLabels(splits, incr, zone, locale),
      },
      { ...AXIS, size: 56 },
    ],
  };

  let u: uPlot | null = null;
  let destroyed = false;
  const draw = (): void => {
    if (destroyed) return;
    const [from] = windowRange();
    for (const m of input.metrics) dropBefore(m.columns, from);
    const data = toColumns(input.metrics.map((m) => m.columns));
    empty.hidden = data[0].length > 0;
    if (!u) u = new uPlot({ ...opts, width: Math.max(plot.clientWidth, 300) }, data, plot);
    else u.setData(data);
  };
  const resize = (): void => {
    u?.setSize({ width: Math.max(plot.clientWidth, 300), height: HEIGHT });
  };
  scheduler.schedule(draw);

  return {
    element,
    metrics,
    add(metric, s, value) {
      const target = input.metrics.find((m) => m.metric === metric);
      if (!target) return;
      addLivePoint(target.columns, s, value);
      scheduler.schedule(draw);
    },
    refresh: () => scheduler.schedule(draw),
    resize: () => scheduler.schedule(resize),
    destroy() {
      destroyed = true;
      u?.destroy();
      u = null;
    },
  };
}
