/**
 * Webhook subscriptions per organisation and event type (migration 014), the organisations an
 * event concerns, and a subscription's delivery log (its rows of the delivery outbox).
 */
import type { Sql } from '../sql.ts';
import type { DeliveryRow } from './deliveries.ts';

export interface WebhookSubscriptionRow {
  id: string;
  organisation_id: string;
  url: string;
  events: string[];
  secret: string;
  detail: 'ids' | 'data';
  label: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

const COLUMNS = 'id, organisation_id, url, events, secret, detail, label, created_at, disabled_at';

export async function createSubscription(
  sql: Sql,
  s: {
    id: string;
    organisationId: string;
    url: string;
    events: string[];
    secret: string;
    detail: 'ids' | 'data';
    label?: string;
    createdBy: string;
  },
): Promise<WebhookSubscriptionRow> {
  const r = await sql.query<WebhookSubscriptionRow>(
    `INSERT INTO webhook_subscriptions (id, organisation_id, url, events, secret, detail, label, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING ${COLUMNS}`,
    [s.id, s.organisationId, s.url, s.events, s.secret, s.detail, s.label ?? null, s.createdBy],
  );
  return r.rows[0]!;
}

export async function listSubscriptions(sql: Sql, organisationId: string): Promise<WebhookSubscriptionRow[]> {
  const r = await sql.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE organisation_id = $1 ORDER BY created_at DESC, id`,
    [organisationId],
  );
  return r.rows;
}

export async function findSubscriptionOf(
  sql: Sql,
  id: string,
  organisationId: string,
): Promise<WebhookSubscriptionRow | undefined> {
  const r = await sql.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions WHERE id = $1 AND organisation_id = $2`,
    [id, organisationId],
  );
  return r.rows[0];
}

export async function disableSubscription(sql: Sql, id: string): Promise<void> {
  await sql.query('UPDATE webhook_subscriptions SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1', [id]);
  // Nothing more goes out to it; what is queued is cancelled, and the log says why.
  await sql.query(
    `UPDATE notification_deliveries SET status = 'cancelled', last_error = 'the subscription was removed', lease_until = NULL
      WHERE subscription_id = $1 AND status = 'pending'`,
    [id],
  );
}

/**
 * Live subscriptions to `event` of the organisations an event about this patient concerns: the
 * one that registered the patient and those with someone on the patient's care team.
 */
export async function subscriptionsForPatient(
  sql: Sql,
  event: string,
  patientId: string,
): Promise<WebhookSubscriptionRow[]> {
  const r = await sql.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions s
      WHERE s.disabled_at IS NULL AND $1 = ANY(s.events)
        AND (s.organisation_id = (SELECT organisation_id FROM patients WHERE id = $2)
          OR s.organisation_id IN (SELECT m.organisation_id FROM care_team_members c
                                     JOIN memberships m ON m.user_id = c.user_id WHERE c.patient_id = $2))
      ORDER BY s.id`,
    [event, patientId],
  );
  return r.rows;
}

/** Live subscriptions to `event` of a gateway's organisation. */
export async function subscriptionsForGateway(
  sql: Sql,
  event: string,
  gatewayId: string,
): Promise<WebhookSubscriptionRow[]> {
  const r = await sql.query<WebhookSubscriptionRow>(
    `SELECT ${COLUMNS} FROM webhook_subscriptions s
      WHERE s.disabled_at IS NULL AND $1 = ANY(s.events)
        AND s.organisation_id = (SELECT organisation_id FROM gateways WHERE id = $2)
      ORDER BY s.id`,
    [event, gatewayId],
  );
  return r.rows;
}

/** The secrets of these subscriptions (the delivery worker signs with them). */
export async function subscriptionSecrets(sql: Sql, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const r = await sql.query<{ id: string; secret: string }>(
    'SELECT id, secret FROM webhook_subscriptions WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(r.rows.map((x) => [x.id, x.secret]));
}

/** A subscription's deliveries, newest first. */
export async function deliveryLog(sql: Sql, subscriptionId: string, limit: number): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>(
    'SELECT * FROM notification_deliveries WHERE subscription_id = $1 ORDER BY id DESC LIMIT $2',
    [subscriptionId, limit],
  );
  return r.rows;
}
