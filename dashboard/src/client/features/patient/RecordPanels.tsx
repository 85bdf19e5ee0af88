/**
 * The patient record's panels beside the charts: the care team (names, professions, roles), a
 * planned absence, NEWS2 with each parameter's score, and the form for what the team measured
 * at a visit (the ACVPU consciousness and the inhaled oxygen included).
 */
import { METRICS, type Metric } from '@vitals/contract';
import { useState } from 'preact/hooks';
import { metricLabel, t, uiLocale, unitLabel } from '../../i18n.ts';
import { formatFullDateTime, formatMeasurementTime, toMillis } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { Field } from '../../ui/Field.tsx';
import { useLoad } from '../../ui/use-load.ts';
import { professionLabel } from '../admin/labels.ts';
import { type NewObservation, patientApi } from './api.ts';

export function CareTeamPanel({ patientId }: { patientId: string }) {
  const team = useLoad((signal) => patientApi.team(patientId, signal), [patientId]);
  return (
    <section class="record-panel" aria-labelledby="record-team-heading" data-testid="record-team">
      <h2 id="record-team-heading">{t('record.team')}</h2>
      {team.error && <AlertBox text={team.error} />}
      <ul class="team-list">
        {team.data?.map((m) => (
          <li key={m.userId}>
            <span class="avatar" aria-hidden="true">
              {m.displayName.slice(0, 1)}
            </span>
            <span>
              <strong>{m.displayName}</strong>{' '}
              {m.kind === 'display' ? t('record.wallDisplay') : professionLabel(m.profession)}
              {m.teamRole !== 'member' && ` · ${t(`teamRole.${m.teamRole}`)}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The devices at the patient's home: when each was last heard, a low battery, the gateway offline. */
export function DevicesPanel({ patientId, zone }: { patientId: string; zone: string }) {
  const devices = useLoad((signal) => patientApi.devices(patientId, signal), [patientId]);
  const locale = uiLocale.value;
  const now = Date.now();
  const list = devices.data?.devices ?? [];
  return (
    <section class="record-panel" aria-labelledby="record-devices-heading" data-testid="record-devices">
      <h2 id="record-devices-heading">{t('record.devices')}</h2>
      {devices.error && <AlertBox text={devices.error} />}
      {devices.data && list.length === 0 && <p class="hint">{t('record.noDevices')}</p>}
      <ul class="device-list">
        {list.map((d) => (
          <li key={d.id} data-testid="record-device" data-device-id={d.id}>
            <strong>{d.label ?? d.model ?? d.id}</strong>{' '}
            <span class="hint">
              {d.lastSeenAt
                ? t('record.lastHeard', { time: formatMeasurementTime(toMillis(d.lastSeenAt), zone, locale, now) })
                : t('record.neverHeard')}
            </span>
            {d.battery?.low && (
              <span class="device-warning">
                {' '}
                · {t('record.batteryLow', { level: d.battery.level === undefined ? '—' : String(d.battery.level) })}
              </span>
            )}
            {d.gateway?.state === 'offline' && (
              <span class="device-warning">
                {' '}
                ·{' '}
                {t('record.gatewayOffline', {
                  since: d.gateway.since ? formatMeasurementTime(toMillis(d.gateway.since), zone, locale, now) : '—',
                })}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function AbsenceNote({ patientId, zone }: { patientId: string; zone: string }) {
  const absences = useLoad((signal) => patientApi.absences(patientId, signal).catch(() => []), [patientId]);
  const now = Date.now();
  const next = absences.data?.find((a) => !a.cancelledAt && toMillis(a.endsAt) > now);
  if (!next) return null;
  const locale = uiLocale.value;
  return (
    <p class="absence" data-testid="record-absence">
      {t('record.absence', {
        kind: t(`record.absence.${next.kind}`),
        from: formatMeasurementTime(toMillis(next.startsAt), zone, locale, now),
        to: formatMeasurementTime(toMillis(next.endsAt), zone, locale, now),
      })}
      {next.reason && ` — ${next.reason}`}
    </p>
  );
}

const NEWS2_ORDER = [
  'respiratoryRate',
  'spo2',
  'airOrOxygen',
  'systolicBloodPressure',
  'pulse',
  'consciousness',
  'temperature',
] as const;

export function News2Panel({ patientId, zone, version }: { patientId: string; zone: string; version: number }) {
  const news2 = useLoad((signal) => patientApi.news2(patientId, signal), [patientId, version]);
  const n = news2.data;
  const locale = uiLocale.value;
  return (
    <section class="record-panel" aria-labelledby="news2-heading" data-testid="news2">
      <h2 id="news2-heading">NEWS2</h2>
      {news2.error && <AlertBox text={news2.error} />}
      {n && (
        <>
          <p class={`news2-score band-${n.band}`} data-band={n.band}>
            <strong>{n.score}</strong> {t(`news2.band.${n.band}`)}
            {n.partial && ` (${t('news2.partial')})`} · {t('news2.scale', { scale: n.spo2Scale })}
          </p>
          <table class="admin-table">
            <thead>
              <tr>
                <th scope="col">{t('news2.parameter')}</th>
                <th scope="col">{t('news2.value')}</th>
                <th scope="col">{t('news2.points')}</th>
              </tr>
            </thead>
            <tbody>
              {NEWS2_ORDER.map((key) => {
                const p = n.parameters[key];
                return (
                  <tr key={key} data-parameter={key}>
                    <td>{t(`news2.${key}`)}</td>
                    <td>
                      {p ? `${p.value} (${formatMeasurementTime(toMillis(p.time), zone, locale, Date.now())})` : '—'}
                    </td>
                    <td>{p ? p.score : t('news2.missing')}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <p class="hint">{t('news2.window', { time: formatFullDateTime(toMillis(n.time), zone, locale) })}</p>
        </>
      )}
    </section>
  );
}

/** The fields of the visit form: metric, input step; consciousness is a choice (ACVPU). */
const OBSERVED: { metric: Metric; step: string }[] = [
  { metric: 'bp_systolic', step: '1' },
  { metric: 'bp_diastolic', step: '1' },
  { metric: 'pulse_rate', step: '1' },
  { metric: 'respiratory_rate', step: '1' },
  { metric: 'spo2', step: '1' },
  { metric: 'inhaled_oxygen_flow', step: '0.5' },
  { metric: 'body_temperature', step: '0.1' },
  { metric: 'body_weight', step: '0.1' },
  { metric: 'glucose', step: '1' },
  { metric: 'pain_score', step: '1' },
];
const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;

export function ObservationForm({ patientId, onSaved }: { patientId: string; onSaved: () => void }) {
  const [values, setValues] = useState<Partial<Record<Metric, string>>>({});
  const [consciousness, setConsciousness] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const locale = uiLocale.value;

  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const readings: NewObservation['readings'] = OBSERVED.flatMap(({ metric }) => {
      const raw = values[metric]?.trim();
      return raw ? [{ metric, value: Number(raw) }] : [];
    });
    if (consciousness) readings.push({ metric: 'consciousness', code: consciousness });
    if (readings.length === 0) return setError(t('record.observeEmpty'));
    patientApi.observe(patientId, { readings }).then(
      () => {
        setValues({});
        setConsciousness('');
        setSaved(true);
        onSaved();
      },
      (err: unknown) => setError(errorMessage(err)),
    );
  };

  return (
    <form class="record-panel observation-form" data-testid="observation-form" onSubmit={submit}>
      <h2>{t('record.observe')}</h2>
      <div class="observation-fields">
        {OBSERVED.map(({ metric, step }) => (
          <Field key={metric} id={`obs-${metric}`} label={`${metricLabel(locale, metric)} (${unitLabelOf(metric)})`}>
            <input
              id={`obs-${metric}`}
              type="number"
              inputMode="decimal"
              step={step}
              value={values[metric] ?? ''}
              onInput={(e) => setValues({ ...values, [metric]: e.currentTarget.value })}
            />
          </Field>
        ))}
        <Field id="obs-consciousness" label={metricLabel(locale, 'consciousness')}>
          <select
            id="obs-consciousness"
            value={consciousness}
            onChange={(e) => setConsciousness(e.currentTarget.value)}
          >
            <option value="">—</option>
            {ACVPU.map((c) => (
              <option key={c} value={c}>
                {t(`acvpu.${c}`)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <button type="submit">{t('record.observeSubmit')}</button>
      {saved && <p role="status">{t('record.observeSaved')}</p>}
      {error && <AlertBox text={error} />}
    </form>
  );
}

/** The metric's canonical unit (the contract's metric table), as the screen writes it. */
function unitLabelOf(metric: Metric): string {
  return unitLabel(uiLocale.value, METRICS[metric].unit);
}
