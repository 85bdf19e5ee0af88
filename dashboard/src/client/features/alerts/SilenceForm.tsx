/** Silence this alert's rule for the patient, with a reason and an expiry (at most 7 days ahead). */
import { useState } from 'preact/hooks';
import { t, uiLocale } from '../../i18n.ts';
import { formatFullDateTime } from '../../time-format.ts';
import { AlertBox } from '../../ui/AlertBox.tsx';
import { errorMessage } from '../../ui/errors.ts';
import { type Alert, alertsApi } from './api.ts';

/** `YYYY-MM-DDTHH:mm` of the browser's zone, as a datetime-local input wants it. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function SilenceForm({ alert, onDone }: { alert: Alert; onDone: () => void }) {
  const [reason, setReason] = useState('');
  const [until, setUntil] = useState(() => localInput(Date.now() + 3_600_000));
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: Event) => {
    event.preventDefault();
    setError(null);
    const expires = new Date(until);
    alertsApi
      .silence(alert.patientId, {
        reason: reason.trim(),
        expiresAt: expires.toISOString(),
        rule: alert.rule,
        priority: alert.priority,
      })
      .then(
        () => {
          setDone(
            t('alerts.silenced', {
              time: formatFullDateTime(
                expires.getTime(),
                Intl.DateTimeFormat().resolvedOptions().timeZone,
                uiLocale.value,
              ),
            }),
          );
          onDone();
        },
        (err: unknown) => setError(errorMessage(err)),
      );
  };
  return (
    <form class="silence-form" data-testid="silence-form" onSubmit={submit}>
      <fieldset>
        <legend>{t('alerts.silence')}</legend>
        <label for="silence-reason">{t('alerts.silenceReason')}</label>
        <input
          id="silence-reason"
          type="text"
          required
          maxLength={500}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
        <label for="silence-until">{t('alerts.silenceUntil')}</label>
        <input
          id="silence-until"
          type="datetime-local"
          required
          value={until}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
        <button type="submit">{t('alerts.silence')}</button>
      </fieldset>
      {done && <p role="status">{done}</p>}
      {error && <AlertBox text={error} />}
    </form>
  );
}
