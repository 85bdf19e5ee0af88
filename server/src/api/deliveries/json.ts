/** The API shape of a delivery, with its target redacted (a webhook URL may carry a secret). */
import type { DeliveryRow } from '../../storage/repos/deliveries.ts';

function redactTarget(d: DeliveryRow): string {
  if (d.channel === 'email') return d.target;
  try {
    return new URL(d.target).host;
  } catch {
    return '';
  }
}

export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    idempotencyKey: d.idempotency_key,
    alertId: d.alert_id,
    event: d.event,
    channel: d.channel,
    ...(d.user_id ? { userId: d.user_id } : {}),
    target: redactTarget(d),
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.max_attempts,
    ...(d.status === 'pending' ? { nextAttemptAt: d.next_attempt_at.toISOString() } : {}),
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.grouped_into !== null && d.grouped_into !== undefined ? { groupedInto: Number(d.grouped_into) } : {}),
    ...(d.step !== null ? { step: d.step, round: d.round } : {}),
    createdAt: d.created_at.toISOString(),
    ...(d.delivered_at ? { deliveredAt: d.delivered_at.toISOString() } : {}),
  };
}
