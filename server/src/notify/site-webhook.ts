/**
 * One alert transition: the alert's event row (timeline), the audit log naming the user
 * (null: the system), and the site-wide webhook (VITALS_ALERT_WEBHOOK_URL) for integration.
 * All in the caller's transaction, so a transition and its notifications commit together.
 */
import type { AlertContext } from '../alerts/context.ts';
import { alertJson } from '../alerts/json.ts';
import { type AlertRow, addAlertEvent } from '../storage/repos/alerts.ts';
import { audit } from '../storage/repos/audit.ts';
import { enqueueDeliveries } from '../storage/repos/oncall.ts';
import type { Sql } from '../storage/sql.ts';

export const SITE_WEBHOOK_ATTEMPTS = 8;

export async function recordTransition(
  tx: Sql,
  ctx: AlertContext,
  alert: AlertRow,
  type: string,
  opts: { userId?: string | null; detail?: Record<string, unknown>; ip?: string } = {},
): Promise<void> {
  const now = ctx.clock.now();
  const eventId = await addAlertEvent(tx, {
    alertId: alert.id,
    at: now,
    type,
    userId: opts.userId ?? null,
    ...(opts.detail ? { detail: opts.detail } : {}),
  });
  await audit(tx, {
    userId: opts.userId ?? null,
    patientId: alert.patient_id,
    action: `alert.${type}`,
    target: alert.id,
    detail: { rule: alert.rule, priority: alert.priority, state: alert.state, ...(opts.detail ?? {}) },
    ...(opts.ip ? { ip: opts.ip } : {}),
  });
  if (ctx.config.alertWebhookUrl) {
    const key = `site:${alert.id}:${eventId}`;
    await enqueueDeliveries(tx, [
      {
        idempotencyKey: key,
        alertId: alert.id,
        patientId: alert.patient_id,
        event: `alert.${type}`,
        channel: 'site_webhook',
        target: ctx.config.alertWebhookUrl,
        payload: {
          v: 1,
          type: `alert.${type}`,
          idempotencyKey: key,
          at: now.toISOString(),
          alert: alertJson(alert),
          ...(opts.userId ? { userId: opts.userId } : {}),
          ...(opts.detail ? { detail: opts.detail } : {}),
        },
        maxAttempts: SITE_WEBHOOK_ATTEMPTS,
        now,
      },
    ]);
    ctx.kick();
  }
}
