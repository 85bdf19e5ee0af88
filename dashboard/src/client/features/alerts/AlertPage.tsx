/**
 * One alert (`#/alerts/{id}`, where notifications link): what it is and the values that caused it,
 * its story (opened, pages sent and delivered, escalations, acknowledgements, resolution), and
 * acknowledging with a comment or silencing its rule for the patient with a reason and an expiry.
 */
import { isMetric } from '@vitals/contract';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api.ts';
import { useStream } from '../../app/session.ts';
import { t, uiLocale, unitLabel } from '../../i18n.ts';
import { formatValue } from '../../metric-display.ts';
import { inboxHref, patientHref } from '../../routes.ts';
import { formatFullDateTime, safeZone, toMillis } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { patientApi } from '../patient/api.ts';
import { AckForm } from './AckForm.tsx';
import { type Alert, type AlertEvent, alertsApi, type Delivery } from './api.ts';
import { eventLabel, ruleLabel } from './labels.ts';
import { SilenceForm } from './SilenceForm.tsx';

interface Story {
  alert: Alert;
  events: AlertEvent[];
  deliveries: Delivery[];
  patientName: string;
  zone: string;
}

export function AlertPage({ id }: { id: string }) {
  const stream = useStream();
  const locale = uiLocale.value;
  const [story, setStory] = useState<Story | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    (async () => {
      const [alert, events, deliveries] = await Promise.all([
        alertsApi.one(id, signal),
        alertsApi.events(id, signal),
        alertsApi.deliveries(id, signal),
      ]);
      const patient = await patientApi.patient(alert.patientId, signal);
      return { alert, events, deliveries, patientName: patient.displayName, zone: safeZone(patient.timezone) };
    })().then(
      (s) => {
        setStory(s);
        document.title = `${ruleLabel(s.alert.rule)} — ${s.patientName} — ${t('app.title')}`;
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err instanceof ApiError && err.status === 404 ? t('alerts.notFound') : errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [id, version]);

  useEffect(
    () =>
      stream.onAlert((c) => {
        if (c.alertId === id) setVersion((v) => v + 1);
      }),
    [id, stream],
  );

  if (error)
    return (
      <section class="alert-page">
        <a class="back" href={inboxHref('teams')}>
          {t('alerts.back')}
        </a>
        <AlertBox text={error} />
      </section>
    );
  if (!story) return <p class="page-status">{t('page.loading')}</p>;

  const { alert: a, events, deliveries, patientName, zone } = story;
  const value = (v: number | undefined) =>
    v === undefined ? '—' : a.metric && isMetric(a.metric) ? formatValue(a.metric, v, locale) : String(v);
  const unit = a.unit ? unitLabel(locale, a.unit) : '';
  const at = (iso: string) => formatFullDateTime(toMillis(iso), zone, locale);
  const reload = () => setVersion((v) => v + 1);

  return (
    <section class="alert-page" data-testid="alert-page" data-alert-id={a.id} data-state={a.state}>
      <a class="back" href={inboxHref('teams')}>
        {t('alerts.back')}
      </a>
      <h1>
        {ruleLabel(a.rule)} — {patientName}
      </h1>
      <p class={`alert-summary priority-${a.priority}`}>
        {t(`alerts.priority.${a.priority}`)} · {t(`alerts.state.${a.state}`)} · {t('alerts.since')} {at(a.openedAt)}
      </p>
      {(a.lastValue !== undefined || a.worstValue !== undefined) && (
        <p class="alert-values">
          {t('alerts.value', { value: `${value(a.lastValue)} ${unit}`, worst: `${value(a.worstValue)} ${unit}` })}
        </p>
      )}
      <p>
        <a href={patientHref(a.patientId)}>{t('alerts.toPatient', { name: patientName })}</a>
      </p>
      {a.state === 'firing' && <AckForm alert={a} onDone={reload} />}
      {a.state !== 'resolved' && <SilenceForm alert={a} onDone={reload} />}
      <h2>{t('alerts.story')}</h2>
      <ol class="alert-story" data-testid="alert-story">
        {events.map((e) => (
          <li key={e.id} data-event={e.type}>
            <time dateTime={e.at}>{at(e.at)}</time> {eventLabel(e.type)}
            {e.userName && ` — ${e.userName}`}
            {e.type === 'acknowledged' && a.note && ` “${a.note}”`}
          </li>
        ))}
      </ol>
      <h2>{t('alerts.deliveries')}</h2>
      {deliveries.length === 0 ? (
        <p>{t('alerts.noDeliveries')}</p>
      ) : (
        <ul class="alert-deliveries" data-testid="alert-deliveries">
          {deliveries.map((d) => (
            <li key={d.id} data-status={d.status}>
              <time dateTime={d.createdAt}>{at(d.createdAt)}</time>{' '}
              {t('alerts.delivery', {
                channel: t(`alerts.channel.${d.channel}`),
                name: d.target,
                status: t(`alerts.deliveryStatus.${d.status}`),
              })}
              {d.deliveredAt && ` (${at(d.deliveredAt)})`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
