/**
 * The charts of the patient record, an imperative island (uPlot): one chart per metric with data
 * (blood pressure on one), over a chosen period ending now, with as many points as the chart is
 * wide, then live. `mountCharts` fills a container and returns its disposer.
 */
import { isMetric, type Metric } from '@vitals/contract';
import { createMetricChart, type MetricChart } from '../../chart.ts';
import type { Threshold } from '../../chart-overlays.ts';
import { fromResponse } from '../../columnar.ts';
import type { FrameScheduler } from '../../frame-scheduler.ts';
import type { Locale } from '../../i18n.ts';
import { chartGroups } from '../../metric-display.ts';
import type { LiveReading, ReadingStream } from '../../stream.ts';
import { toMillis } from '../../time-format.ts';
import { alertsApi } from '../alerts/api.ts';
import { type AlertRules, patientApi } from './api.ts';

/** The effective limits of the threshold rules on these metrics (the patient's own, else the defaults). */
export function thresholdsOf(rules: AlertRules | null, metrics: readonly string[]): Threshold[] {
  if (!rules) return [];
  return rules.rules.flatMap((r) => {
    const e = r.effective ?? r;
    if (!r.enabled || e.kind !== 'threshold' || !metrics.includes(e.metric)) return [];
    return [
      {
        direction: e.direction,
        ...(e.bands.medium !== undefined ? { medium: e.bands.medium } : {}),
        ...(e.bands.high !== undefined ? { high: e.bands.high } : {}),
      },
    ];
  });
}

/** How often the time window slides to now when no reading arrives. */
const SLIDE_MS = 30_000;

export interface ChartsInput {
  container: HTMLElement;
  patientId: string;
  spanSec: number;
  zone: string;
  locale: Locale;
  stream: ReadingStream;
  scheduler: FrameScheduler;
  /** What to say instead of charts: `empty` when there are no readings, or the error. */
  onStatus(status: 'ready' | 'empty' | { error: unknown }): void;
}

export function mountCharts(input: ChartsInput): () => void {
  const { container, patientId, spanSec, zone, locale, stream, scheduler } = input;
  let controller = new AbortController();
  let chartList: MetricChart[] = [];
  let loading = false;
  /** Live readings that arrive while the charts load, applied once they exist. */
  let pending: LiveReading[] | null = null;

  const chartFor = (metric: Metric): MetricChart | undefined => chartList.find((c) => c.metrics.includes(metric));

  const load = async (): Promise<void> => {
    loading = true;
    pending = [];
    controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    try {
      const [latest, rules, alerts] = await Promise.all([
        patientApi.latest(patientId, signal),
        patientApi.alertRules(patientId, signal).catch(() => null),
        alertsApi.list({ patientId, limit: 200 }, signal).catch(() => []),
      ]);
      const groups = chartGroups(Object.keys(latest.metrics).filter(isMetric));
      if (groups.length === 0) return input.onStatus('empty');
      // One point per CSS pixel of the chart: the database aggregates down to what can be seen.
      const maxPoints = Math.max(100, Math.round(container.clientWidth || 800));
      const to = new Date();
      const from = new Date(to.getTime() - spanSec * 1000);
      const responses = await Promise.all(
        groups.map((g) =>
          Promise.all(
            g.metrics.map((metric) => patientApi.readings(patientId, { metric, from, to, maxPoints }, signal)),
          ),
        ),
      );
      for (const chart of chartList) chart.destroy();
      chartList = groups.map((g, i) =>
        createMetricChart({
          metrics: g.metrics.map((metric, j) => {
            const response = responses[i]?.[j];
            return {
              metric,
              unit: response?.unit || latest.metrics[metric]?.unit || '',
              columns: fromResponse(response ?? { resolution: 'raw', points: [] }),
            };
          }),
          zone,
          locale,
          spanSec,
          scheduler,
          thresholds: thresholdsOf(rules, g.metrics),
          markers: alerts
            .filter((a) => a.metric !== undefined && g.metrics.some((m) => m === a.metric))
            .map((a) => ({ s: toMillis(a.openedAt) / 1000, priority: a.priority })),
          observed: (responses[i] ?? []).flatMap((r) =>
            r.points.flatMap((p) =>
              'source' in p && 'v' in p && p.source === 'observation' && typeof p.v === 'number'
                ? [{ s: toMillis(p.t) / 1000, v: p.v }]
                : [],
            ),
          ),
        }),
      );
      container.replaceChildren(...chartList.map((c) => c.element));
      input.onStatus('ready');
      const toSec = to.getTime() / 1000;
      for (const r of pending)
        if (toMillis(r.t) / 1000 > toSec) chartFor(r.metric)?.add(r.metric, toMillis(r.t) / 1000, r.v);
    } catch (err) {
      if (!(err instanceof DOMException && err.name === 'AbortError')) input.onStatus({ error: err });
    } finally {
      loading = false;
      pending = null;
    }
  };

  const offReading = stream.onReading((r) => {
    if (r.patientId !== patientId) return;
    if (pending) {
      pending.push(r);
      return;
    }
    const chart = chartFor(r.metric);
    if (chart) chart.add(r.metric, toMillis(r.t) / 1000, r.v);
    else if (!loading) void load(); // the first reading of a metric: it needs a chart
  });
  const offResync = stream.onResync(() => void load());
  const slide = setInterval(() => {
    for (const chart of chartList) chart.refresh();
  }, SLIDE_MS);
  const onResize = (): void => {
    for (const chart of chartList) chart.resize();
  };
  window.addEventListener('resize', onResize);
  void load();

  return () => {
    controller.abort();
    clearInterval(slide);
    window.removeEventListener('resize', onResize);
    offReading();
    offResync();
    for (const chart of chartList) chart.destroy();
    chartList = [];
  };
}
