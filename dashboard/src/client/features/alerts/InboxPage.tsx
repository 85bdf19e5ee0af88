/**
 * The alert inbox (`#/alerts?view=`): mine (paged to me or acknowledged by me), my teams (every
 * open alert of my patients), all visible (resolved ones too, the latest 200). Firing alerts can
 * be acknowledged with a comment from the row; the list follows the live stream.
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from '../../api.ts';
import { currentUser, useStream } from '../../app/session.ts';
import { t } from '../../i18n.ts';
import { INBOX_VIEWS, type InboxView, inboxHref } from '../../routes.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { AlertRow } from './AlertRow.tsx';
import { type Alert, alertsApi, type Delivery, openAlerts } from './api.ts';

async function load(view: InboxView, signal: AbortSignal): Promise<Alert[]> {
  if (view === 'all') return alertsApi.list({ limit: 200 }, signal);
  const open = await openAlerts(signal);
  if (view === 'teams') return open;
  const me = currentUser.value?.id;
  const pages = await request<Delivery[]>('GET', '/api/v1/deliveries?limit=1000', undefined, signal);
  const pagedToMe = new Set(pages.filter((d) => d.userId === me && d.alertId).map((d) => d.alertId));
  return open.filter((a) => pagedToMe.has(a.id) || a.acknowledgedBy === me);
}

export function InboxPage({ view }: { view: InboxView }) {
  const stream = useStream();
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    document.title = `${t('alerts.heading')} — ${t('app.title')}`;
    const controller = new AbortController();
    load(view, controller.signal).then(
      (list) => {
        setAlerts(list);
        setError(null);
      },
      (err: unknown) => {
        if (!isAbort(err)) setError(errorMessage(err));
      },
    );
    return () => controller.abort();
  }, [view, version]);

  useEffect(() => {
    const reload = () => setVersion((v) => v + 1);
    const offAlert = stream.onAlert(reload);
    const offResync = stream.onResync(reload);
    return () => {
      offAlert();
      offResync();
    };
  }, [stream]);

  const acknowledged = (a: Alert) =>
    setAlerts((list) => list?.map((x) => (x.id === a.id ? { ...x, ...a, patientName: x.patientName } : x)) ?? null);

  return (
    <section class="inbox" aria-labelledby="inbox-heading">
      <h1 id="inbox-heading">{t('alerts.heading')}</h1>
      <nav class="views" aria-label={t('alerts.views')}>
        {INBOX_VIEWS.map((v) => (
          <a key={v} href={inboxHref(v)} data-view={v} aria-current={v === view ? 'page' : undefined}>
            {t(`alerts.view.${v}`)}
          </a>
        ))}
      </nav>
      {error && <AlertBox text={error} />}
      {alerts === null && !error && <p>{t('page.loading')}</p>}
      {alerts?.length === 0 && <p class="empty">{t('alerts.empty')}</p>}
      {alerts && alerts.length > 0 && (
        <ul class="alert-list" data-testid="alert-list">
          {alerts.map((a) => (
            <AlertRow key={a.id} alert={a} patientName={a.patientName ?? ''} onAcknowledged={acknowledged} />
          ))}
        </ul>
      )}
    </section>
  );
}
