/**
 * The wall display (`#/`): a card per patient with the latest value of each vital sign, readable
 * across the room, kept current by the live stream. Old values are dimmed and labelled.
 */
import type { Metric } from '@vitals/contract';
import { api, type LatestValue, type WallPatient } from '../api.ts';
import { h } from '../dom.ts';
import { type Locale, metricLabel, translate, unitLabel } from '../i18n.ts';
import { formatValue, WALL_TILES, type WallTile } from '../metric-display.ts';
import { patientHref } from '../routes.ts';
import { isStale } from '../staleness.ts';
import { formatAgo, formatMeasurementTime, safeZone, toMillis, zoneAbbreviation } from '../time-format.ts';
import { alertBox, errorMessage, isAbort, type Page, type PageContext } from './page.ts';

/** How often "5 minutes ago" and the dimming are brought up to date without new readings. */
const TICK_MS = 30_000;

const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function valueSpan(metric: Metric, latest: LatestValue | undefined, locale: Locale): HTMLElement {
  // Only real values carry the test id, so a test waiting for a value does not stop at a dash.
  return latest
    ? h(
        'span',
        { class: 'metric-value', 'data-testid': 'metric-value', 'data-metric': metric },
        formatValue(metric, latest.value, locale),
      )
    : h('span', { class: 'metric-value', 'data-metric': metric }, '—');
}

function renderTile(tile: WallTile, p: WallPatient, zone: string, locale: Locale, nowMs: number): HTMLElement {
  const lead: Metric = tile.kind === 'bp' ? tile.metrics[0] : tile.metric;
  const latest = p.metrics[lead];
  const label = tile.kind === 'bp' ? translate(locale, 'metric.bp') : metricLabel(locale, tile.metric);
  const values =
    tile.kind === 'bp'
      ? [
          valueSpan('bp_systolic', p.metrics.bp_systolic, locale),
          h('span', { class: 'separator' }, '/'),
          valueSpan('bp_diastolic', p.metrics.bp_diastolic, locale),
        ]
      : [valueSpan(tile.metric, latest, locale)];
  const anyValue = tile.kind === 'bp' ? (p.metrics.bp_systolic ?? p.metrics.bp_diastolic) : latest;
  const timeMs = anyValue ? toMillis(anyValue.time) : Number.NaN;
  const stale = anyValue !== undefined && isStale(lead, timeMs, nowMs);
  return h(
    'div',
    { class: `tile${stale ? ' stale' : ''}${anyValue ? '' : ' missing'}`, 'data-tile': lead, 'data-stale': stale },
    h('dt', {}, label),
    h(
      'dd',
      {},
      h(
        'span',
        { class: 'reading' },
        h('span', { class: 'values' }, ...values),
        anyValue && h('span', { class: 'unit' }, unitLabel(locale, anyValue.unit)),
      ),
      anyValue
        ? h(
            'span',
            { class: 'time' },
            Number.isFinite(timeMs)
              ? translate(locale, 'wall.measuredAt', {
                  time: formatMeasurementTime(timeMs, zone, locale, nowMs),
                  ago: formatAgo(timeMs, nowMs, locale),
                })
              : anyValue.time,
          )
        : h('span', { class: 'time' }, translate(locale, 'wall.noValue')),
      stale && h('span', { class: 'badge' }, translate(locale, 'wall.stale')),
    ),
  );
}

export function renderCard(p: WallPatient, locale: Locale, nowMs: number): HTMLElement {
  const zone = safeZone(p.timezone);
  return h(
    'article',
    { class: 'card', 'data-testid': 'patient-card', 'data-patient-id': p.id },
    h(
      'header',
      {},
      h(
        'h2',
        {},
        h(
          'a',
          { href: patientHref(p.id), 'aria-label': translate(locale, 'wall.openPatient', { name: p.displayName }) },
          p.displayName,
        ),
      ),
      zone !== viewerZone && h('span', { class: 'zone' }, zoneAbbreviation(zone, locale, nowMs)),
    ),
    h('dl', { class: 'tiles' }, ...WALL_TILES.map((tile) => renderTile(tile, p, zone, locale, nowMs))),
  );
}

export function wallPage(ctx: PageContext): Page {
  const { locale, scheduler, stream } = ctx;
  const grid = h('div', { class: 'wall-grid' });
  const status = h('div', { class: 'page-status' }, h('p', {}, translate(locale, 'page.loading')));
  const element = h(
    'section',
    { class: 'wall', 'aria-labelledby': 'wall-heading' },
    h('h1', { id: 'wall-heading', class: 'visually-hidden' }, translate(locale, 'wall.heading')),
    status,
    grid,
  );

  const patients = new Map<string, WallPatient>();
  const cards = new Map<string, HTMLElement>();
  const dirty = new Set<string>();
  let controller = new AbortController();
  let loading = false;

  const redrawDirty = (): void => {
    const now = Date.now();
    for (const id of dirty) {
      const p = patients.get(id);
      const old = cards.get(id);
      if (!p || !old) continue;
      const card = renderCard(p, locale, now);
      old.replaceWith(card);
      cards.set(id, card);
    }
    dirty.clear();
  };

  const load = async (): Promise<void> => {
    if (loading) return;
    loading = true;
    controller.abort();
    controller = new AbortController();
    try {
      const { patients: list } = await api.wall(controller.signal);
      patients.clear();
      cards.clear();
      const now = Date.now();
      for (const p of list) {
        patients.set(p.id, p);
        cards.set(p.id, renderCard(p, locale, now));
      }
      grid.replaceChildren(...cards.values());
      if (list.length === 0) status.replaceChildren(h('p', { class: 'empty' }, translate(locale, 'wall.empty')));
      else status.replaceChildren();
    } catch (err) {
      if (!isAbort(err)) status.replaceChildren(alertBox(errorMessage(locale, err)));
    } finally {
      loading = false;
    }
  };

  const unsubscribeReading = stream.onReading((r) => {
    const p = patients.get(r.patientId);
    if (!p) {
      // A patient the list does not have yet (newly bound or newly shared): fetch the list again.
      if (!loading) void load();
      return;
    }
    const previous = p.metrics[r.metric];
    if (previous && toMillis(previous.time) > toMillis(r.t)) return; // a late replay, not the latest
    p.metrics[r.metric] = { value: r.v, unit: r.unit || previous?.unit || '', time: r.t };
    dirty.add(p.id);
    scheduler.schedule(redrawDirty);
  });
  const unsubscribeResync = stream.onResync(() => void load());
  const tick = setInterval(() => {
    for (const id of patients.keys()) dirty.add(id);
    scheduler.schedule(redrawDirty);
  }, TICK_MS);

  void load();
  return {
    element,
    dispose() {
      controller.abort();
      clearInterval(tick);
      unsubscribeReading();
      unsubscribeResync();
    },
  };
}
