/**
 * The patient page (`#/patients/{id}`): one chart per metric with data (blood pressure on one),
 * over a chosen period ending now, with as many points as the chart is wide, then live.
 */
import { isMetric, type Metric } from '@vitals/contract';
import { ApiError, api, type Patient } from '../api.ts';
import { createMetricChart, type MetricChart } from '../chart.ts';
import { fromResponse } from '../columnar.ts';
import { h } from '../dom.ts';
import { translate } from '../i18n.ts';
import { chartGroups } from '../metric-display.ts';
import { patientHref, RANGE_KEYS, RANGES, type RangeKey } from '../routes.ts';
import type { LiveReading } from '../stream.ts';
import { formatDate, safeZone, toMillis, zoneAbbreviation } from '../time-format.ts';
import { alertBox, errorMessage, isAbort, type Page, type PageContext } from './page.ts';

/** How often the time window slides to now when no reading arrives. */
const SLIDE_MS = 30_000;

export function patientPage(ctx: PageContext, route: { id: string; range: RangeKey }): Page {
  const { locale, scheduler, stream } = ctx;
  const tr = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) =>
    translate(locale, key, params);
  const spanSec = RANGES[route.range];

  const heading = h('h1', {}, translate(locale, 'page.loading'));
  const details = h('p', { class: 'patient-details' });
  const status = h('div', { class: 'page-status' });
  const charts = h('div', { class: 'charts' });
  const ranges = h(
    'nav',
    { class: 'ranges', 'aria-label': tr('patient.range') },
    h('span', { class: 'ranges-label' }, tr('patient.range')),
    ...RANGE_KEYS.map((key) =>
      h(
        'a',
        {
          class: 'range',
          href: patientHref(route.id, key),
          'data-range': key,
          'aria-current': key === route.range ? 'true' : null,
        },
        tr(`range.${key}`),
      ),
    ),
  );
  const element = h(
    'section',
    { class: 'patient' },
    h('a', { class: 'back', href: '#/' }, tr('patient.back')),
    h('header', { class: 'patient-header' }, heading, details),
    ranges,
    status,
    charts,
  );

  let controller = new AbortController();
  let chartList: MetricChart[] = [];
  let loading = false;
  /** Live readings that arrive while the charts load, applied once they exist. */
  let pending: LiveReading[] | null = null;

  const chartFor = (metric: Metric): MetricChart | undefined => chartList.find((c) => c.metrics.includes(metric));

  const showPatient = (patient: Patient, zone: string): void => {
    heading.textContent = patient.displayName;
    const parts: string[] = [];
    if (patient.birthDate) {
      const born = toMillis(`${patient.birthDate.slice(0, 10)}T12:00:00Z`);
      if (Number.isFinite(born)) parts.push(tr('patient.birthDate', { date: formatDate(born, 'UTC', locale) }));
    }
    parts.push(tr('patient.timezone', { zone: `${zoneAbbreviation(zone, locale, Date.now())} (${zone})` }));
    details.textContent = parts.join(' · ');
    document.title = `${patient.displayName} — ${tr('app.title')}`;
  };

  const load = async (): Promise<void> => {
    loading = true;
    pending = [];
    controller.abort();
    controller = new AbortController();
    const { signal } = controller;
    try {
      const [patient, latest] = await Promise.all([api.patient(route.id, signal), api.latest(route.id, signal)]);
      const zone = safeZone(patient.timezone);
      showPatient(patient, zone);
      const groups = chartGroups(Object.keys(latest.metrics).filter(isMetric));
      if (groups.length === 0) {
        status.replaceChildren(h('p', { class: 'empty' }, tr('patient.noReadings')));
        return;
      }
      // One point per CSS pixel of the chart: the database aggregates down to what can be seen.
      const maxPoints = Math.max(100, Math.round(charts.clientWidth || 800));
      const to = new Date();
      const from = new Date(to.getTime() - spanSec * 1000);
      const responses = await Promise.all(
        groups.map((g) =>
          Promise.all(g.metrics.map((metric) => api.readings(route.id, { metric, from, to, maxPoints }, signal))),
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
        }),
      );
      charts.replaceChildren(...chartList.map((c) => c.element));
      status.replaceChildren();
      const toSec = to.getTime() / 1000;
      for (const r of pending)
        if (toMillis(r.t) / 1000 > toSec) chartFor(r.metric)?.add(r.metric, toMillis(r.t) / 1000, r.v);
    } catch (err) {
      if (isAbort(err)) return;
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
        heading.hidden = true;
        ranges.hidden = true;
        status.replaceChildren(alertBox(tr('patient.notFound')));
      } else {
        status.replaceChildren(alertBox(errorMessage(locale, err)));
      }
    } finally {
      loading = false;
      pending = null;
    }
  };

  const unsubscribeReading = stream.onReading((r) => {
    if (r.patientId !== route.id) return;
    if (pending) {
      pending.push(r);
      return;
    }
    const chart = chartFor(r.metric);
    if (chart) chart.add(r.metric, toMillis(r.t) / 1000, r.v);
    else if (!loading) void load(); // the first reading of a metric: it needs a chart
  });
  const unsubscribeResync = stream.onResync(() => void load());
  const slide = setInterval(() => {
    for (const chart of chartList) chart.refresh();
  }, SLIDE_MS);
  const onResize = (): void => {
    for (const chart of chartList) chart.resize();
  };
  window.addEventListener('resize', onResize);

  void load();
  return {
    element,
    dispose() {
      controller.abort();
      clearInterval(slide);
      window.removeEventListener('resize', onResize);
      unsubscribeReading();
      unsubscribeResync();
      for (const chart of chartList) chart.destroy();
      chartList = [];
    },
  };
}
