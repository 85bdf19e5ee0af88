/** The delivery outbox: every page and site-webhook notification, its attempts and outcome. */
import type { Sql } from '../sql.ts';
import { usersByIds } from './care-team.ts';
import { contactsOf } from './contacts.ts';
import { visiblePatientIds } from './patients.ts';

export const DELIVERY_STATUS = {
  pending: 'pending',
  sending: 'sending',
  delivered: 'delivered',
  failed: 'failed',
  cancelled: 'cancelled',
  /** Not sent: the per-person rate limit held it back (the reason is its last_error). */
  suppressed: 'suppressed',
  /** Not sent on its own: another page to the same contact about the same patient carries it. */
  grouped: 'grouped',
} as const;
export type DeliveryStatus = keyof typeof DELIVERY_STATUS;
/** `org_webhook`: an organisation's webhook subscription (issue 17; storage/repos/webhooks.ts). */
export type DeliveryChannel = 'webhook' | 'email' | 'webpush' | 'site_webhook' | 'org_webhook';

export interface DeliveryRow {
  id: number;
  idempotency_key: string;
  alert_id: string | null;
  patient_id: string | null;
  event: string;
  channel: DeliveryChannel;
  user_id: string | null;
  contact_id: string | null;
  target: string;
  payload: Record<string, unknown>;
  status: DeliveryStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: Date;
  lease_until: Date | null;
  last_error: string | null;
  step: number | null;
  round: number | null;
  created_at: Date;
  delivered_at: Date | null;
  grouped_into: number | null;
  /** The webhook subscription of an `org_webhook` delivery. */
  subscription_id: string | null;
}

export interface NewDelivery {
  idempotencyKey: string;
  alertId: string | null;
  patientId: string | null;
  event: string;
  channel: DeliveryChannel;
  userId?: string | null;
  contactId?: string | null;
  target: string;
  payload: Record<string, unknown>;
  maxAttempts: number;
  step?: number | null;
  round?: number | null;
  now: Date;
  /** Held back until then (a page waiting for others of its patient to join it); default now. */
  sendAt?: Date;
  /** Recorded without sending: `suppressed` (with `reason`) or `grouped` (into `groupedInto`). */
  status?: 'suppressed' | 'grouped';
  reason?: string;
  groupedInto?: number;
  /** An organisation's webhook subscription (channel `org_webhook`). */
  subscriptionId?: string;
}

/** Enqueues deliveries; an idempotency key already queued is skipped. Returns how many were new. */
export async function enqueueDeliveries(sql: Sql, list: NewDelivery[]): Promise<number> {
  let n = 0;
  for (const d of list) {
    const r = await sql.query(
      `INSERT INTO notification_deliveries (idempotency_key, alert_id, patient_id, event, channel, user_id, contact_id, target,
          payload, status, max_attempts, next_attempt_at, step, round, created_at, last_error, grouped_into, subscription_id)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$14,$10,$15,$12,$13,$11,$16,$17,$18) ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        d.idempotencyKey,
        d.alertId,
        d.patientId,
        d.event,
        d.channel,
        d.userId ?? null,
        d.contactId ?? null,
        d.target,
        JSON.stringify(d.payload),
        d.maxAttempts,
        d.now,
        d.step ?? null,
        d.round ?? null,
        d.status ?? 'pending',
        d.sendAt ?? d.now,
        d.reason?.slice(0, 1000) ?? null,
        d.groupedInto ?? null,
        d.subscriptionId ?? null,
      ],
    );
    n += r.rowCount;
  }
  return n;
}

/** Claims due deliveries (and ones whose sender died mid-send) for `leaseMs`. */
export async function claimDeliveries(sql: Sql, now: Date, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>(
    `UPDATE notification_deliveries SET status = 'sending', attempts = attempts + 1, lease_until = $2
      WHERE id IN (SELECT id FROM notification_deliveries
                    WHERE (status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)
                    ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING *`,
    [now, new Date(now.getTime() + leaseMs), limit],
  );
  return r.rows.sort((a, b) => a.id - b.id);
}

export async function markDelivered(sql: Sql, id: number, at: Date) {
  await sql.query(
    `UPDATE notification_deliveries SET status = 'delivered', delivered_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1`,
    [id, at],
  );
}

export async function markRetry(sql: Sql, id: number, error: string, nextAt: Date) {
  await sql.query(
    `UPDATE notification_deliveries SET status = 'pending', next_attempt_at = $3, lease_until = NULL, last_error = $2 WHERE id = $1`,
    [id, error.slice(0, 1000), nextAt],
  );
}

export async function markFailed(sql: Sql, id: number, error: string) {
  await sql.query(
    `UPDATE notification_deliveries SET status = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1`,
    [id, error.slice(0, 1000)],
  );
}

/** A delivery that must not be sent any more, and why. */
export async function markCancelled(sql: Sql, id: number, reason: string) {
  await sql.query(
    `UPDATE notification_deliveries SET status = 'cancelled', lease_until = NULL, last_error = $2 WHERE id = $1`,
    [id, reason.slice(0, 1000)],
  );
}

/**
 * Pages not yet sent for an alert that no longer needs them (acknowledged, resolved, silenced).
 * A waiting message that carries other alerts of the patient too is left to the sender, which
 * leaves out the alerts no longer firing (notify/outbox.ts).
 */
export async function cancelPendingPages(sql: Sql, alertId: string, reason?: string): Promise<number> {
  const r = await sql.query(
    `UPDATE notification_deliveries d SET status = 'cancelled', lease_until = NULL, last_error = coalesce($2, d.last_error)
      WHERE alert_id = $1 AND status = 'pending' AND channel <> 'site_webhook' AND event = 'alert.page'
        AND NOT EXISTS (SELECT 1 FROM notification_deliveries g WHERE g.grouped_into = d.id)`,
    [alertId, reason ?? null],
  );
  return r.rowCount;
}

/**
 * How many messages a person was sent or is about to be sent since `since` (pages of every
 * contact of one step count once; suppressed, grouped and cancelled ones not at all).
 */
export async function pagesSentTo(sql: Sql, userId: string, since: Date): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(DISTINCT (alert_id, step, round))::int AS n FROM notification_deliveries
      WHERE user_id = $1 AND event = 'alert.page' AND created_at > $2
        AND status IN ('pending','sending','delivered','failed')`,
    [userId, since],
  );
  return r.rows[0]?.n ?? 0;
}

/** The page to this contact about this patient still waiting for its first attempt, locked. */
export async function waitingPage(sql: Sql, contactId: string, patientId: string): Promise<DeliveryRow | undefined> {
  const r = await sql.query<DeliveryRow>(
    `SELECT * FROM notification_deliveries WHERE contact_id = $1 AND patient_id = $2 AND event = 'alert.page'
        AND status = 'pending' AND attempts = 0 ORDER BY id LIMIT 1 FOR UPDATE`,
    [contactId, patientId],
  );
  return r.rows[0];
}

/** Rewrites a waiting page (it now lists more alerts, or fewer) and when it goes out. */
export async function rewritePage(sql: Sql, id: number, payload: Record<string, unknown>, sendAt: Date) {
  await sql.query(
    `UPDATE notification_deliveries SET payload = $2, next_attempt_at = LEAST(next_attempt_at, $3) WHERE id = $1`,
    [id, JSON.stringify(payload), sendAt],
  );
}

/** Pages carried by another message, with the alert each is about. */
export async function groupedInto(sql: Sql, id: number): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>('SELECT * FROM notification_deliveries WHERE grouped_into = $1 ORDER BY id', [
    id,
  ]);
  return r.rows;
}

export async function deliveriesOfAlert(sql: Sql, alertId: string): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>('SELECT * FROM notification_deliveries WHERE alert_id = $1 ORDER BY id', [
    alertId,
  ]);
  return r.rows;
}

/** Deliveries about patients the user may see (visiblePatientIds), newest first. */
export async function listDeliveries(
  sql: Sql,
  userId: string,
  status: string | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>(
    `SELECT d.* FROM notification_deliveries d
      WHERE ($2::text IS NULL OR d.status = $2) AND d.patient_id IN ${visiblePatientIds('$1::uuid')}
      ORDER BY d.id DESC LIMIT $3`,
    [userId, status ?? null, limit],
  );
  return r.rows;
}

/** Deliveries by channel and status (metrics: pages sent and failed, in every instance's view). */
export async function deliveryCounts(sql: Sql): Promise<{ channel: string; status: string; n: number }[]> {
  const r = await sql.query<{ channel: string; status: string; n: number }>(
    'SELECT channel, status, count(*)::int AS n FROM notification_deliveries GROUP BY channel, status',
  );
  return r.rows;
}

/** A page as the alarm-load report counts it: one per alert, person, step and round, however many contacts. */
const PAGE = '(d.alert_id, d.user_id, d.step, d.round)';
const SENT = `d.status IN ('pending','sending','delivered','failed')`;

/**
 * Pages about the patients `userId` may see, queued from `from` to `to`, by rule and by person:
 * messages sent (or being sent), pages the rate limit suppressed, pages carried by another.
 */
export async function pageLoad(sql: Sql, userId: string, from: Date, to: Date) {
  const counts = `count(DISTINCT ${PAGE}) FILTER (WHERE ${SENT})::int AS pages,
            count(DISTINCT ${PAGE}) FILTER (WHERE d.status = 'suppressed')::int AS suppressed,
            count(DISTINCT ${PAGE}) FILTER (WHERE d.status = 'grouped')::int AS grouped`;
  const where = `d.event = 'alert.page' AND d.created_at >= $2 AND d.created_at < $3
        AND d.patient_id IN ${visiblePatientIds('$1::uuid')}`;
  const byRule = await sql.query<{ rule: string; pages: number; suppressed: number; grouped: number }>(
    `SELECT a.rule, ${counts} FROM notification_deliveries d JOIN alerts a ON a.id = d.alert_id
      WHERE ${where} GROUP BY a.rule ORDER BY pages DESC, a.rule`,
    [userId, from, to],
  );
  const byPerson = await sql.query<{
    user_id: string;
    display_name: string;
    pages: number;
    suppressed: number;
    grouped: number;
  }>(
    `SELECT d.user_id, u.display_name, ${counts} FROM notification_deliveries d JOIN users u ON u.id = d.user_id
      WHERE ${where} GROUP BY d.user_id, u.display_name ORDER BY pages DESC, u.display_name`,
    [userId, from, to],
  );
  return { byRule: byRule.rows, byPerson: byPerson.rows };
}

/** Whether any page of the alert went out (or is going out) to someone. */
export async function anyPageSent(sql: Sql, alertId: string): Promise<boolean> {
  const r = await sql.query(
    `SELECT 1 FROM notification_deliveries WHERE alert_id = $1 AND event = 'alert.page'
        AND status IN ('sending','delivered','failed') LIMIT 1`,
    [alertId],
  );
  return r.rows.length > 0;
}

/** A message to people (not an alert page): its type, what it is about, and its text per locale. */
export interface MessageToPeople {
  userIds: readonly string[];
  /** The event and the payload's `type` (`timeline.mention`, `emergency_access.opened`, …). */
  event: string;
  /** What makes the message unique; with the contact it is the idempotency key. */
  source: string;
  patientId: string | null;
  /** Ids and links the payload carries beside its text (never the words of a record). */
  fields: Record<string, unknown>;
  text(locale: 'ja' | 'en'): { subject: string; body: string };
  maxAttempts: number;
  now: Date;
}

/**
 * Queues one delivery per contact of each person (mentions, announcements), in the caller's
 * transaction; the outbox sends, retries and records them like pages. Disabled people and
 * contacts are left out. Returns how many were queued.
 */
export async function enqueueToContacts(tx: Sql, m: MessageToPeople): Promise<number> {
  if (m.userIds.length === 0) return 0;
  const users = await usersByIds(tx, [...m.userIds]);
  const rows: NewDelivery[] = [];
  for (const c of await contactsOf(tx, [...m.userIds])) {
    const user = users.get(c.user_id);
    if (!user) continue;
    const key = `${m.event}:${m.source}:${c.id}`;
    rows.push({
      idempotencyKey: key,
      alertId: null,
      patientId: m.patientId,
      event: m.event,
      channel: c.channel,
      userId: user.id,
      contactId: c.id,
      target: c.address,
      payload: {
        v: 1,
        type: m.event,
        idempotencyKey: key,
        ...m.fields,
        recipient: { userId: user.id, displayName: user.display_name, locale: user.locale },
        text: m.text(user.locale),
        ...(c.channel === 'webpush' ? { subscription: c.subscription } : {}),
      },
      maxAttempts: m.maxAttempts,
      now: m.now,
    });
  }
  return enqueueDeliveries(tx, rows);
}
