/**
 * The site-wide webhook (VITALS_ALERT_WEBHOOK_URL) for integration: every alert transition
 * queued as a delivery in the transition's transaction, so the two commit together.
 */
import { alertJson } from '../alerts/json.ts';
import type { Transition } from '../alerts/transitions.ts';
import { enqueueDeliveries } from '../storage/repos/deliveries.ts';
import type { Sql } from '../storage/sql.ts';
import type { NotifyContext } from './context.ts';

export const SITE_WEBHOOK_ATTEMPTS = 8;

export async function queueSiteWebhook(tx: Sql, ctx: NotifyContext, t: Transition): Promise<void> {
  if (!ctx.config.alertWebhookUrl) return;
  const key = `site:${t.alert.id}:${t.eventId}`;
  await enqueueDeliveries(tx, [
    {
      idempotencyKey: key,
      alertId: t.alert.id,
      patientId: t.alert.patient_id,
      event: `alert.${t.type}`,
      channel: 'site_webhook',
      target: ctx.config.alertWebhookUrl,
      payload: {
        v: 1,
        type: `alert.${t.type}`,
        idempotencyKey: key,
        at: t.at.toISOString(),
        alert: alertJson(t.alert),
        ...(t.userId ? { userId: t.userId } : {}),
        ...(t.detail ? { detail: t.detail } : {}),
      },
      maxAttempts: SITE_WEBHOOK_ATTEMPTS,
      now: t.at,
    },
  ]);
  ctx.kick();
}
