/**
 * One patient on the ward board: the state (colour AND a shape AND a word, so it reads without
 * colour and across a room), the alert's age and who acknowledged it, and the latest value of each
 * vital sign. It reads its own signals only, so a reading re-renders this card and no other.
 */

import type { ReadonlySignal } from '@preact/signals';
import type { Metric } from '@vitals/contract';
import { memo } from 'preact/compat';
import { metricLabel, t, uiLocale, unitLabel } from '../../i18n.ts';
import { formatValue, WALL_TILES, type WallTile } from '../../metric-display.ts';
import { patientHref } from '../../routes.ts';
import { isStale } from '../../staleness.ts';
import {
  formatAgo,
  formatDuration,
  formatMeasurementTime,
  safeZone,
  toMillis,
  zoneAbbreviation,
} from '../../time-format.ts';
import { ruleLabel } from '../alerts/labels.ts';
import type { WallPatient } from './api.ts';
import type { WardState } from './ward-order.ts';
import type { WardEntry } from './ward-store.ts';

const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The shape beside each state's word (aria-hidden: the word says it). */
export const STATE_GLYPH: Record<WardState, string> = {
  high: '▲',
  medium: '◆',
  technical: '⚙',
  low: '●',
  acknowledged: '✓',
  stale: '◌',
  stable: '○',
};

function Value({ metric, p }: { metric: Metric; p: WallPatient }) {
  const v = p.metrics[metric];
  // Only real values carry the test id, so a test waiting for a value does not stop at a dash.
  if (!v || (v.value === undefined && v.code === undefined))
    return (
      <span class="metric-value" data-metric={metric}>
        —
      </span>
    );
  return (
    <span class="metric-value" data-testid="metric-value" data-metric={metric} data-source={v.source ?? 'device'}>
      {v.value !== undefined ? formatValue(metric, v.value, uiLocale.value) : v.code}
    </span>
  );
}

function Tile({ tile, p, zone, nowMs }: { tile: WallTile; p: WallPatient; zone: string; nowMs: number }) {
  const locale = uiLocale.value;
  const lead: Metric = tile.kind === 'bp' ? tile.metrics[0] : tile.metric;
  const latest = tile.kind === 'bp' ? (p.metrics.bp_systolic ?? p.metrics.bp_diastolic) : p.metrics[lead];
  const timeMs = latest ? toMillis(latest.time) : Number.NaN;
  const stale = latest !== undefined && isStale(lead, timeMs, nowMs);
  const observed = latest?.source === 'observation';
  return (
    <div
      class={`tile${stale ? ' stale' : ''}${latest ? '' : ' missing'}${observed ? ' observed' : ''}`}
      data-tile={lead}
      data-stale={stale ? 'true' : undefined}
    >
      <dt>{tile.kind === 'bp' ? t('metric.bp') : metricLabel(locale, tile.metric)}</dt>
      <dd>
        <span class="reading">
          <span class="values">
            {tile.kind === 'bp' ? (
              <>
                <Value metric="bp_systolic" p={p} />
                <span class="separator">/</span>
                <Value metric="bp_diastolic" p={p} />
              </>
            ) : (
              <Value metric={tile.metric} p={p} />
            )}
          </span>
          {latest && <span class="unit">{unitLabel(locale, latest.unit)}</span>}
          {observed && (
            <span class="observed-mark" title={t('ward.observation')}>
              <span aria-hidden="true">✎</span>
              <span class="visually-hidden">{t('ward.observation')}</span>
            </span>
          )}
        </span>
        <span class="time">
          {latest
            ? Number.isFinite(timeMs)
              ? t('wall.measuredAt', {
                  time: formatMeasurementTime(timeMs, zone, locale, nowMs),
                  ago: formatAgo(timeMs, nowMs, locale),
                })
              : latest.time
            : t('wall.noValue')}
        </span>
        {stale && <span class="badge">{t('wall.stale')}</span>}
      </dd>
    </div>
  );
}

export const PatientCard = memo(function PatientCard({
  entry,
  now,
}: {
  entry: WardEntry;
  now: ReadonlySignal<number>;
}) {
  const p = entry.patient.value;
  const nowMs = now.value;
  const locale = uiLocale.value;
  const status = entry.status.value;
  const zone = safeZone(p.timezone);
  const a = status.alert;
  return (
    <article
      class={`card ward-${status.state}`}
      data-testid="patient-card"
      data-patient-id={p.id}
      data-ward-state={status.state}
    >
      <header>
        <h2>
          <a href={patientHref(p.id)} aria-label={t('wall.openPatient', { name: p.displayName })}>
            {p.displayName}
          </a>
          {p.area && (
            <span class="area" data-testid="patient-area">
              {' '}
              {p.area}
            </span>
          )}
        </h2>
        {zone !== viewerZone && <span class="zone">{zoneAbbreviation(zone, locale, nowMs)}</span>}
      </header>
      <p class="ward-state" data-testid="ward-state">
        <span class="ward-badge">
          <span aria-hidden="true">{STATE_GLYPH[status.state]}</span> {t(`ward.state.${status.state}`)}
        </span>
        {a && <span class="ward-rule">{ruleLabel(a.rule)}</span>}
        {a && status.sinceMs !== undefined && (
          <span class="ward-age">{t('ward.alertAge', { age: formatDuration(nowMs - status.sinceMs, locale) })}</span>
        )}
        {a?.state === 'acknowledged' && (
          <span class="ward-ack">
            {a.acknowledgedByName
              ? t('ward.ackBy', {
                  name: a.acknowledgedByName,
                  ago: a.acknowledgedAt ? formatAgo(toMillis(a.acknowledgedAt), nowMs, locale) : '',
                })
              : t('ward.ackBySomeone', {
                  ago: a.acknowledgedAt ? formatAgo(toMillis(a.acknowledgedAt), nowMs, locale) : '',
                })}
          </span>
        )}
      </p>
      <dl class="tiles">
        {WALL_TILES.map((tile) => (
          <Tile key={tile.kind === 'bp' ? 'bp' : tile.metric} tile={tile} p={p} zone={zone} nowMs={nowMs} />
        ))}
      </dl>
    </article>
  );
});
