/** One alert in a list: priority (shape and word), what, whom, since when, and who acknowledged it. */
import { t, uiLocale } from '../../i18n.ts';
import { alertHref } from '../../routes.ts';
import { formatAgo, formatDuration, toMillis } from '../../time-format.ts';
import { STATE_GLYPH } from '../wall/PatientCard.tsx';
import { AckForm } from './AckForm.tsx';
import type { Alert } from './api.ts';
import { ruleLabel } from './labels.ts';

export function AlertRow({
  alert: a,
  patientName,
  onAcknowledged,
}: {
  alert: Alert;
  patientName: string;
  /** When given, a firing alert can be acknowledged from the row. */
  onAcknowledged?: (a: Alert) => void;
}) {
  const locale = uiLocale.value;
  const nowMs = Date.now();
  const glyph =
    STATE_GLYPH[a.state === 'acknowledged' ? 'acknowledged' : a.state === 'resolved' ? 'stable' : a.priority];
  return (
    <li
      class={`alert-row priority-${a.priority} state-${a.state}`}
      data-testid="alert-row"
      data-alert-id={a.id}
      data-state={a.state}
    >
      <span class="alert-priority">
        <span aria-hidden="true">{glyph}</span> {t(`alerts.priority.${a.priority}`)}
      </span>
      <a class="alert-link" href={alertHref(a.id)}>
        {ruleLabel(a.rule)} — {patientName}
      </a>
      <span class="alert-since">
        {formatAgo(toMillis(a.openedAt), nowMs, locale)}
        {a.state !== 'resolved' &&
          ` · ${t('ward.alertAge', { age: formatDuration(nowMs - toMillis(a.openedAt), locale) })}`}
      </span>
      <span class="alert-state">
        {t(`alerts.state.${a.state}`)}
        {a.acknowledgedByName && ` · ${a.acknowledgedByName}`}
        {a.note && ` · “${a.note}”`}
      </span>
      {onAcknowledged && a.state === 'firing' && <AckForm alert={a} onDone={onAcknowledged} />}
    </li>
  );
}
