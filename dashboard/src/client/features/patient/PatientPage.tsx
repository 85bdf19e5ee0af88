/**
 * The patient record (`#/patients/{id}`, the stable link, also `/p/{id}`): who the patient is and
 * a planned absence, their open alerts, the charts (an imperative uPlot island, charts.ts, with the
 * alert limits as bands, alert openings as markers and the team's values as diamonds) over a
 * chosen period ending now, NEWS2 with its parameters, the visit form, the measurement schedules
 * and escalation policy (folded), and beside them the care team and the team timeline.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { useStream } from '../../app/session.ts';
import { t, uiLocale } from '../../i18n.ts';
import { patientHref, RANGE_KEYS, RANGES, type RangeKey } from '../../routes.ts';
import { formatDate, safeZone, toMillis, zoneAbbreviation } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { AlertRow } from '../alerts/AlertRow.tsx';
import { type Alert, alertsApi } from '../alerts/api.ts';
import { Timeline } from '../timeline/Timeline.tsx';
import { scheduler } from '../wall/WallPage.tsx';
import { type Patient, patientApi } from './api.ts';
import { CareSettings } from './CareSettings.tsx';
import { mountCharts } from './charts.ts';
import { AbsenceNote, CareTeamPanel, DevicesPanel, News2Panel, ObservationForm } from './RecordPanels.tsx';

/** Whole years between a birth date (YYYY-MM-DD) and now. */
export function ageOn(birthDate: string, nowMs: number): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  if (!m) return null;
  const now = new Date(nowMs);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = now.getUTCFullYear() - y;
  if (now.getUTCMonth() + 1 < mo || (now.getUTCMonth() + 1 === mo && now.getUTCDate() < d)) age--;
  return age;
}

export function PatientPage({ id, range }: { id: string; range: RangeKey }) {
  const stream = useStream();
  const locale = uiLocale.value;
  const [patient, setPatient] = useState<Patient | null>(null);
  const [alerts, setAlerts] = useState<Alert[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [chartStatus, setChartStatus] = useState<'loading' | 'ready' | 'empty' | { error: unknown }>('loading');
  const charts = useRef<HTMLDivElement>(null);
  /** Bumped when the team records values or an alert changes: NEWS2 and the timeline reload. */
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setFailure(null);
    Promise.all([
      patientApi.patient(id, controller.signal),
      alertsApi.list({ patientId: id, limit: 50 }, controller.signal),
    ]).then(
      ([p, list]) => {
        setPatient(p);
        setAlerts(list.filter((a) => a.state !== 'resolved'));
        document.title = `${p.displayName} — ${t('app.title')}`;
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setFailure(
          err instanceof ApiError && (err.status === 404 || err.status === 403)
            ? t('patient.notFound')
            : errorMessage(err),
        );
      },
    );
    const offAlert = stream.onAlert((c) => {
      if (c.patientId !== id) return;
      alertsApi.list({ patientId: id, limit: 50 }).then(
        (list) => setAlerts(list.filter((a) => a.state !== 'resolved')),
        () => {},
      );
    });
    return () => {
      controller.abort();
      offAlert();
    };
  }, [id, stream]);

  const zone = safeZone(patient?.timezone);
  useEffect(() => {
    const container = charts.current;
    if (!container || !patient) return;
    setChartStatus('loading');
    return mountCharts({
      container,
      patientId: id,
      spanSec: RANGES[range],
      zone,
      locale,
      stream,
      scheduler,
      onStatus: setChartStatus,
    });
  }, [id, range, zone, locale, stream, patient !== null]);

  if (failure)
    return (
      <section class="patient">
        <a class="back" href="#/">
          {t('patient.back')}
        </a>
        <AlertBox text={failure} />
      </section>
    );

  const nowMs = Date.now();
  const details: string[] = [];
  if (patient?.birthDate) {
    const born = toMillis(`${patient.birthDate.slice(0, 10)}T12:00:00Z`);
    const age = ageOn(patient.birthDate, nowMs);
    if (Number.isFinite(born))
      details.push(
        t('patient.birthDate', { date: formatDate(born, 'UTC', locale) }) +
          (age !== null ? ` (${t('record.age', { age })})` : ''),
      );
  }
  details.push(t('patient.timezone', { zone: `${zoneAbbreviation(zone, locale, nowMs)} (${zone})` }));

  return (
    <section class="patient">
      <a class="back" href="#/">
        {t('patient.back')}
      </a>
      <header class="patient-header">
        <h1>{patient ? patient.displayName : t('page.loading')}</h1>
        {patient && <p class="patient-details">{details.join(' · ')}</p>}
        {patient && <AbsenceNote patientId={id} zone={zone} />}
      </header>
      {alerts.length > 0 && (
        <section class="record-alerts" aria-labelledby="record-alerts-heading">
          <h2 id="record-alerts-heading">{t('record.alerts')}</h2>
          <ul class="alert-list">
            {alerts.map((a) => (
              <AlertRow key={a.id} alert={a} patientName={patient?.displayName ?? ''} />
            ))}
          </ul>
        </section>
      )}
      <nav class="ranges" aria-label={t('patient.range')}>
        <span class="ranges-label">{t('patient.range')}</span>
        {RANGE_KEYS.map((key) => (
          <a
            key={key}
            class="range"
            href={patientHref(id, key)}
            data-range={key}
            aria-current={key === range ? 'true' : undefined}
          >
            {t(`range.${key}`)}
          </a>
        ))}
      </nav>
      <div class="page-status">
        {chartStatus === 'empty' && <p class="empty">{t('patient.noReadings')}</p>}
        {typeof chartStatus === 'object' && <AlertBox text={errorMessage(chartStatus.error)} />}
      </div>
      <div class="record-layout">
        <div class="record-main">
          <p class="hint">{t('record.observedLegend')}</p>
          <div class="charts" ref={charts} />
          {patient && <News2Panel patientId={id} zone={zone} version={version} />}
          {patient && <ObservationForm patientId={id} onSaved={() => setVersion((v) => v + 1)} />}
          {patient && <CareSettings patientId={id} zone={zone} />}
        </div>
        <aside class="record-side">
          {patient && <CareTeamPanel patientId={id} />}
          {patient && <DevicesPanel patientId={id} zone={zone} />}
          {patient && <Timeline patientId={id} zone={zone} version={version} />}
        </aside>
      </div>
    </section>
  );
}
