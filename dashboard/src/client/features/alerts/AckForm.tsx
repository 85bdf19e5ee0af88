/** Acknowledge an alert with an optional comment (what was done or will be done). */
import { useState } from 'preact/hooks';
import { t } from '../../i18n.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { type Alert, alertsApi } from './api.ts';

export function AckForm({ alert, onDone }: { alert: Alert; onDone: (a: Alert) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = `ack-note-${alert.id}`;
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    alertsApi.ack(alert.id, note).then(
      (a) => {
        setBusy(false);
        onDone(a);
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <form class="ack-form" data-testid="ack-form" onSubmit={submit}>
      <label for={inputId}>{t('alerts.ackComment')}</label>
      <input
        id={inputId}
        data-testid="ack-comment"
        type="text"
        maxLength={2000}
        value={note}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <button type="submit" data-testid="ack-button" disabled={busy}>
        {t(busy ? 'alerts.acking' : 'alerts.ack')}
      </button>
      {error && <AlertBox text={error} />}
    </form>
  );
}
