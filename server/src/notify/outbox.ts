/**
 * The delivery outbox worker: claims due deliveries with FOR UPDATE SKIP LOCKED and a lease
 * (a sender that dies mid-send is retried after the lease), sends, and records the outcome.
 * Transient failures retry with exponential backoff; a page that cannot be delivered after
 * its attempts raises a technical alert and moves the alert's escalation on at once.
 */
import { reportCondition } from '../alerts/lifecycle.ts';
import { recordTransition } from '../alerts/transitions.ts';
import { findAlert, updateAlert } from '../storage/repos/alerts.ts';
import { contactSecrets } from '../storage/repos/contacts.ts';
import {
  claimDeliveries,
  type DeliveryRow,
  markCancelled,
  markDelivered,
  markFailed,
  markRetry,
} from '../storage/repos/deliveries.ts';
import { subscriptionSecrets } from '../storage/repos/webhooks.ts';
import { type ChannelSet, DeliveryError } from './channels.ts';
import type { NotifyContext } from './context.ts';
import { INVITATION_CLOSED, INVITATION_EVENT, invitationAsSent } from './invitation-mail.ts';
import { pageAsSent } from './page-queue.ts';
import { maySeePatient } from './patient-access.ts';

export const RECIPIENT_GONE = 'recipient may no longer see this patient';
export const NOTHING_LEFT = 'every alert this message listed was acknowledged, resolved or silenced before it went out';

/** Delay before attempt n+1 (n = attempts made): 5 s, 15 s, 45 s, 2 min 15 s, then 5 min. */
export function backoffMs(attempts: number): number {
  return Math.min(5_000 * 3 ** Math.max(0, attempts - 1), 5 * 60_000);
}

const LEASE_MS = 60_000;

/** Sends what is due; returns how many deliveries were attempted. */
export async function deliverDue(ctx: NotifyContext, channels: ChannelSet, limit = 50): Promise<number> {
  const now = ctx.clock.now();
  const batch = await claimDeliveries(ctx.sql, now, LEASE_MS, limit);
  if (batch.length === 0) return 0;
  const secrets = await contactSecrets(
    ctx.sql,
    batch.flatMap((d) => (d.channel === 'webhook' && d.contact_id ? [d.contact_id] : [])),
  );
  const subscriptions = await subscriptionSecrets(
    ctx.sql,
    batch.flatMap((d) => (d.channel === 'org_webhook' && d.subscription_id ? [d.subscription_id] : [])),
  );
  await Promise.all(
    batch.map(async (claimed) => {
      // A message listing several alerts of a patient lists only those still to be paged.
      const payload =
        claimed.event === 'alert.page'
          ? await pageAsSent(claimed, async (id) => {
              const a = await findAlert(ctx.sql, id);
              return a?.state === 'firing' && !a.silenced_by;
            })
          : claimed.event === INVITATION_EVENT
            ? await invitationAsSent(ctx.sql, claimed.payload, ctx.config.publicUrl)
            : claimed.payload;
      if (!payload) {
        await markCancelled(ctx.sql, claimed.id, claimed.event === INVITATION_EVENT ? INVITATION_CLOSED : NOTHING_LEFT);
        return;
      }
      const d = { ...claimed, payload };
      // A page carries the patient's data: its recipient must still be allowed to see them
      // (removed from the care team since the page was queued: never sent).
      if (
        d.event === 'alert.page' &&
        d.user_id &&
        d.patient_id &&
        !(await maySeePatient(ctx.sql, d.user_id, d.patient_id))
      ) {
        await markCancelled(ctx.sql, d.id, RECIPIENT_GONE);
        ctx.log.info(
          { deliveryId: d.id, userId: d.user_id },
          'page cancelled: the recipient may no longer see the patient',
        );
        return;
      }
      try {
        await channels.send(
          d,
          d.channel === 'site_webhook'
            ? (ctx.config.alertWebhookSecret ?? null)
            : d.channel === 'org_webhook'
              ? (subscriptions.get(d.subscription_id ?? '') ?? null)
              : (secrets.get(d.contact_id ?? '') ?? null),
        );
        await markDelivered(ctx.sql, d.id, ctx.clock.now());
      } catch (e) {
        // Anything else is unexpected: generic in the record, in full in the log.
        const err = e instanceof DeliveryError ? e : new DeliveryError('delivery failed', false, (e as Error).message);
        if (!err.permanent && d.attempts < d.max_attempts) {
          await markRetry(ctx.sql, d.id, err.message, new Date(ctx.clock.now().getTime() + backoffMs(d.attempts)));
          ctx.log.warn(
            { deliveryId: d.id, channel: d.channel, attempt: d.attempts, err: err.message, detail: err.detail },
            'delivery failed; will retry',
          );
          return;
        }
        await markFailed(ctx.sql, d.id, err.message);
        ctx.log.error(
          { deliveryId: d.id, channel: d.channel, attempts: d.attempts, err: err.message, detail: err.detail },
          'delivery failed for good',
        );
        await undeliverable(ctx, d, err.message).catch((x) =>
          ctx.log.error({ err: x, deliveryId: d.id }, 'could not raise the technical alert'),
        );
      }
    }),
  );
  return batch.length;
}

/** Issue 7: an undeliverable notification is itself a technical alert and goes to the next step. */
async function undeliverable(ctx: NotifyContext, d: DeliveryRow, error: string) {
  if (!d.alert_id || !d.patient_id) return;
  await ctx.sql.transaction(async (tx) => {
    const alert = await findAlert(tx, d.alert_id!, true);
    if (!alert) return;
    const now = ctx.clock.now();
    await recordTransition(tx, ctx, alert, 'delivery_failed', {
      detail: { deliveryId: d.id, channel: d.channel, userId: d.user_id, error },
    });
    // A failing integration webhook is a technical problem too, but never one that loops.
    if (alert.rule === 'delivery_failed') return;
    if (d.channel !== 'site_webhook' && alert.state === 'firing' && alert.next_escalation_at)
      await updateAlert(tx, alert.id, { next_escalation_at: now }, now);
    await reportCondition(tx, ctx, {
      patientId: d.patient_id!,
      rule: 'delivery_failed',
      ruleKey: d.channel === 'site_webhook' ? 'site_webhook' : (d.contact_id ?? d.channel),
      priority: 'medium',
      onsetAt: now,
      firedAt: now,
      lastSeenAt: now,
      detail: {
        deliveryId: d.id,
        alertId: d.alert_id,
        channel: d.channel,
        target: d.channel === 'email' ? d.target : redactUrl(d.target),
        error,
      },
    });
  });
}

function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname.length > 1 ? '/…' : '/'}`;
  } catch {
    return 'unparseable target';
  }
}
