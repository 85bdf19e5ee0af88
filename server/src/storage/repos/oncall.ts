/** On-call rotas, escalation policies, contacts, the delivery outbox and acknowledgement links. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { EscalationPolicy, EscalationStep, Rota } from '../../notify/oncall.ts';
import type { Sql } from '../sql.ts';
import { clearanceReaches } from './patients.ts';

interface RotaRow {
  id: string;
  organisation_id: string;
  name: string;
  timezone: string;
  handover_time: string;
  shift_days: number;
  start_date: string;
  members: string[];
}

const ROTA_COLUMNS = `id, organisation_id, name, timezone, handover_time, shift_days, to_char(start_date, 'YYYY-MM-DD') AS start_date, members`;

async function withOverrides(sql: Sql, rows: RotaRow[]): Promise<Rota[]> {
  if (rows.length === 0) return [];
  const o = await sql.query<{ rota_id: string; user_id: string; starts_at: Date; ends_at: Date }>(
    'SELECT rota_id, user_id, starts_at, ends_at FROM oncall_overrides WHERE rota_id = ANY($1::uuid[]) ORDER BY created_at, id',
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    name: r.name,
    timezone: r.timezone,
    handoverTime: r.handover_time,
    shiftDays: r.shift_days,
    startDate: r.start_date,
    members: r.members,
    overrides: o.rows
      .filter((x) => x.rota_id === r.id)
      .map((x) => ({ userId: x.user_id, from: x.starts_at.getTime(), to: x.ends_at.getTime() })),
  }));
}

export async function createRota(sql: Sql, r: Omit<Rota, 'id' | 'overrides'>, userId: string): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO oncall_rotas (id, organisation_id, name, timezone, handover_time, shift_days, start_date, members, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
    [id, r.organisationId, r.name, r.timezone, r.handoverTime, r.shiftDays, r.startDate, r.members, userId],
  );
  return id;
}

export async function updateRota(sql: Sql, id: string, r: Omit<Rota, 'id' | 'overrides' | 'organisationId'>) {
  await sql.query(
    `UPDATE oncall_rotas SET name = $2, timezone = $3, handover_time = $4, shift_days = $5, start_date = $6, members = $7,
       updated_at = now() WHERE id = $1`,
    [id, r.name, r.timezone, r.handoverTime, r.shiftDays, r.startDate, r.members],
  );
}

export async function findRota(sql: Sql, id: string): Promise<Rota | undefined> {
  const r = await sql.query<RotaRow>(`SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE id = $1`, [id]);
  return (await withOverrides(sql, r.rows))[0];
}

export async function findRotas(sql: Sql, ids: string[]): Promise<Map<string, Rota>> {
  if (ids.length === 0) return new Map();
  const r = await sql.query<RotaRow>(`SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE id = ANY($1::uuid[])`, [ids]);
  return new Map((await withOverrides(sql, r.rows)).map((x) => [x.id, x]));
}

export async function listRotas(sql: Sql, organisationIds: string[]): Promise<Rota[]> {
  const r = await sql.query<RotaRow>(
    `SELECT ${ROTA_COLUMNS} FROM oncall_rotas WHERE organisation_id = ANY($1::uuid[]) ORDER BY name`,
    [organisationIds],
  );
  return withOverrides(sql, r.rows);
}

export async function addRotaOverride(
  sql: Sql,
  o: { rotaId: string; userId: string; from: Date; to: Date; reason?: string; createdBy: string },
) {
  const id = randomUUID();
  await sql.query(
    'INSERT INTO oncall_overrides (id, rota_id, user_id, starts_at, ends_at, reason, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7)',
    [id, o.rotaId, o.userId, o.from, o.to, o.reason ?? null, o.createdBy],
  );
  return id;
}

export async function getPolicy(
  sql: Sql,
  patientId: string,
): Promise<(EscalationPolicy & { reason: string; changedBy: string | null; changedAt: Date }) | undefined> {
  const r = await sql.query<{
    steps: EscalationStep[];
    repeat_limit: number | null;
    reason: string;
    changed_by: string | null;
    changed_at: Date;
  }>('SELECT steps, repeat_limit, reason, changed_by, changed_at FROM escalation_policies WHERE patient_id = $1', [
    patientId,
  ]);
  const x = r.rows[0];
  return (
    x && {
      steps: x.steps,
      repeatLimit: x.repeat_limit,
      reason: x.reason,
      changedBy: x.changed_by,
      changedAt: x.changed_at,
    }
  );
}

export async function setPolicy(sql: Sql, patientId: string, p: EscalationPolicy, reason: string, userId: string) {
  await sql.query(
    `INSERT INTO escalation_policies (patient_id, steps, repeat_limit, reason, changed_by) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (patient_id) DO UPDATE SET steps = excluded.steps, repeat_limit = excluded.repeat_limit,
       reason = excluded.reason, changed_by = excluded.changed_by, changed_at = now()`,
    [patientId, JSON.stringify(p.steps), p.repeatLimit, reason, userId],
  );
}

/** Care-team members of a patient in a team role. */
export async function teamMembersInRole(sql: Sql, patientId: string, role: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    'SELECT user_id FROM care_team_members WHERE patient_id = $1 AND team_role = $2 ORDER BY added_at',
    [patientId, role],
  );
  return r.rows.map((x) => x.user_id);
}

/** Organisations with at least one member on the patient's care team. */
export async function organisationsOnCareTeam(sql: Sql, patientId: string): Promise<Set<string>> {
  const r = await sql.query<{ organisation_id: string }>(
    `SELECT DISTINCT m.organisation_id FROM care_team_members c JOIN memberships m ON m.user_id = c.user_id
      WHERE c.patient_id = $1`,
    [patientId],
  );
  return new Set(r.rows.map((x) => x.organisation_id));
}

/** Which of `userIds` are active members of the organisation. */
export async function activeMembersOf(sql: Sql, organisationId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const r = await sql.query<{ user_id: string }>(
    `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND m.user_id = ANY($2::uuid[]) AND u.disabled_at IS NULL`,
    [organisationId, userIds],
  );
  return new Set(r.rows.map((x) => x.user_id));
}

export interface ContactRow {
  id: string;
  user_id: string;
  channel: 'webhook' | 'email' | 'webpush';
  address: string;
  secret: string | null;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } } | null;
  label: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

export async function addContact(
  sql: Sql,
  c: {
    userId: string;
    channel: ContactRow['channel'];
    address: string;
    secret?: string | null;
    subscription?: unknown;
    label?: string;
  },
): Promise<ContactRow> {
  const r = await sql.query<ContactRow>(
    `INSERT INTO notification_contacts (id, user_id, channel, address, secret, subscription, label)
     VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
    [
      randomUUID(),
      c.userId,
      c.channel,
      c.address,
      c.secret ?? null,
      c.subscription === undefined ? null : JSON.stringify(c.subscription),
      c.label ?? null,
    ],
  );
  return r.rows[0]!;
}

export async function contactsOf(sql: Sql, userIds: string[]): Promise<ContactRow[]> {
  if (userIds.length === 0) return [];
  const r = await sql.query<ContactRow>(
    'SELECT * FROM notification_contacts WHERE user_id = ANY($1::uuid[]) AND disabled_at IS NULL ORDER BY created_at, id',
    [userIds],
  );
  return r.rows;
}

export async function disableContact(sql: Sql, userId: string, id: string): Promise<boolean> {
  const r = await sql.query(
    'UPDATE notification_contacts SET disabled_at = now() WHERE id = $1 AND user_id = $2 AND disabled_at IS NULL',
    [id, userId],
  );
  return r.rowCount === 1;
}

export async function usersByIds(sql: Sql, ids: string[]) {
  if (ids.length === 0)
    return new Map<string, { id: string; display_name: string; locale: 'ja' | 'en'; email: string }>();
  const r = await sql.query<{ id: string; display_name: string; locale: 'ja' | 'en'; email: string }>(
    'SELECT id, display_name, locale, email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [ids],
  );
  return new Map(r.rows.map((u) => [u.id, u]));
}

// ---- delivery outbox -----------------------------------------------------------------------

export const DELIVERY_STATUS = {
  pending: 'pending',
  sending: 'sending',
  delivered: 'delivered',
  failed: 'failed',
  cancelled: 'cancelled',
} as const;
export type DeliveryStatus = keyof typeof DELIVERY_STATUS;
export type DeliveryChannel = 'webhook' | 'email' | 'webpush' | 'site_webhook';

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
}

/** Enqueues deliveries; an idempotency key already queued is skipped. Returns how many were new. */
export async function enqueueDeliveries(sql: Sql, list: NewDelivery[]): Promise<number> {
  let n = 0;
  for (const d of list) {
    const r = await sql.query(
      `INSERT INTO notification_deliveries (idempotency_key, alert_id, patient_id, event, channel, user_id, contact_id, target,
          payload, status, max_attempts, next_attempt_at, step, round, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,'pending',$10,$11,$12,$13,$11) ON CONFLICT (idempotency_key) DO NOTHING`,
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

/** Pages not yet sent for an alert that no longer needs them (acknowledged or resolved). */
export async function cancelPendingPages(sql: Sql, alertId: string): Promise<number> {
  const r = await sql.query(
    `UPDATE notification_deliveries SET status = 'cancelled', lease_until = NULL
      WHERE alert_id = $1 AND status = 'pending' AND channel <> 'site_webhook' AND event = 'alert.page'`,
    [alertId],
  );
  return r.rowCount;
}

export async function deliveriesOfAlert(sql: Sql, alertId: string): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>('SELECT * FROM notification_deliveries WHERE alert_id = $1 ORDER BY id', [
    alertId,
  ]);
  return r.rows;
}

/** Deliveries about patients the user may see (care team and clearance, as the patient routes), newest first. */
export async function listDeliveries(
  sql: Sql,
  userId: string,
  status: string | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  const r = await sql.query<DeliveryRow>(
    `SELECT d.* FROM notification_deliveries d
       JOIN care_team_members c ON c.patient_id = d.patient_id AND c.user_id = $1
       JOIN patients p ON p.id = d.patient_id
      WHERE ($2::text IS NULL OR d.status = $2) AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}
      ORDER BY d.id DESC LIMIT $3`,
    [userId, status ?? null, limit],
  );
  return r.rows;
}

// ---- acknowledgement links -----------------------------------------------------------------

/** Records a link's nonce as used; false when it was used before. */
export async function useAckNonce(
  sql: Sql,
  nonce: string,
  alertId: string,
  userId: string,
  at: Date,
  ip?: string,
): Promise<boolean> {
  const r = await sql.query(
    'INSERT INTO alert_ack_links_used (nonce, alert_id, user_id, used_at, ip) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING',
    [nonce, alertId, userId, at, ip ?? null],
  );
  return r.rowCount === 1;
}

/** A named server secret, generated on first use (the same for every instance sharing the database). */
export async function serverSecret(sql: Sql, name: string): Promise<string> {
  await sql.query('INSERT INTO alert_secrets (name, value) VALUES ($1,$2) ON CONFLICT DO NOTHING', [
    name,
    randomBytes(32).toString('base64url'),
  ]);
  const r = await sql.query<{ value: string }>('SELECT value FROM alert_secrets WHERE name = $1', [name]);
  return r.rows[0]!.value;
}
