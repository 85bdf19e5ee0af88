/**
 * The ward board (`#/`): a card per visible patient, sorted by what needs a person now
 * (ward-order.ts), kept current by the live stream: readings update their patient's card once per
 * frame, alert changes move the patient at once. When the connection has been down past
 * OFFLINE_AFTER_MS a banner says so and every value is dimmed.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { offline, useStream } from '../../app/session.ts';
import { createFrameScheduler } from '../../frame-scheduler.ts';
import { t, uiLocale } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage, isAbort } from '../../ui/errors.ts';
import { alertsApi, openAlerts } from '../alerts/api.ts';
import { wallApi } from './api.ts';
import { PatientCard } from './PatientCard.tsx';
import { createWardStore } from './ward-store.ts';

/** How often ages and dimming are brought up to date without new readings. */
const TICK_MS = 30_000;

export const scheduler = createFrameScheduler();

export function WallPage() {
  const stream = useStream();
  const store = useMemo(() => createWardStore(scheduler, () => uiLocale.value), []);
  const [status, setStatus] = useState<'loading' | 'ready' | 'empty' | { error: string }>('loading');

  useEffect(() => {
    document.title = `${t('wall.heading')} — ${t('app.title')}`;
    let controller = new AbortController();
    let loading = false;
    const load = async (): Promise<void> => {
      if (loading) return;
      loading = true;
      controller.abort();
      controller = new AbortController();
      try {
        const [wall, alerts] = await Promise.all([wallApi.wall(controller.signal), openAlerts(controller.signal)]);
        store.reset(wall.patients, alerts);
        setStatus(wall.patients.length === 0 ? 'empty' : 'ready');
      } catch (err) {
        if (!isAbort(err)) setStatus({ error: errorMessage(err) });
      } finally {
        loading = false;
      }
    };
    const offReading = stream.onReading((r) => {
      // A patient the board does not have yet (newly bound or newly shared): fetch the list again.
      if (!store.addReading(r) && !loading) void load();
    });
    const offAlert = stream.onAlert((c) => {
      store.applyAlertChange(c);
      // Then the details the event does not carry (who acknowledged it).
      alertsApi.list({ patientId: c.patientId, limit: 200 }).then(
        (list) => store.setAlerts(c.patientId, list),
        () => {},
      );
    });
    const offResync = stream.onResync(() => void load());
    const tick = setInterval(() => (store.now.value = Date.now()), TICK_MS);
    void load();
    return () => {
      controller.abort();
      clearInterval(tick);
      offReading();
      offAlert();
      offResync();
    };
  }, [stream, store]);

  return (
    <section class={`wall${offline.value ? ' offline' : ''}`} aria-labelledby="wall-heading">
      <h1 id="wall-heading" class="visually-hidden">
        {t('wall.heading')}
      </h1>
      <div class="page-status">
        {status === 'loading' && <p>{t('page.loading')}</p>}
        {status === 'empty' && <p class="empty">{t('wall.empty')}</p>}
        {typeof status === 'object' && <AlertBox text={status.error} />}
      </div>
      <WardGrid store={store} />
    </section>
  );
}

function WardGrid({ store }: { store: ReturnType<typeof createWardStore> }) {
  return (
    <div class="wall-grid">
      {store.order.value.map((id) => {
        const entry = store.entries.get(id);
        return entry && <PatientCard key={id} entry={entry} now={store.now} />;
      })}
    </div>
  );
}
