/** Alerts: one row per episode of a rule for a patient, as the lifecycle opens and moves it. */
import { randomUUID } from 'node:crypto';
import type { Priority } from '@vitals/contract';
import type { Sql } from '../sql.ts';
import { visiblePatientIds } from './patients.ts';

export type AlertState = 'firing' | 'acknowledged' | 'resolved';
/** The one priority list (contract/src/alert-priority.ts), under the name the stored rows use. */
export type AlertPriority = Priority;

export interface AlertRow {
  id: string;
  patient_id: string;
  rule: string;
  rule_key: string;
  metric: string | null;
  priority: AlertPriority;
  state: AlertState;
  late: boolean;
  onset_at: Date;
  opened_at: Date;
  created_at: Date;
  updated_at: Date;
  last_value: number | null;
  worst_value: number | null;
  last_seen_at: Date | null;
  condition_cleared_at: Date | null;
  repeat_count: number;
  flap_count: number;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  ack_note: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
  detail: Record<string, unknown> | null;
  notified_priority: AlertPriority | null;
  silenced_by: string | null;
  escalation_step: number | null;
  escalation_round: number;
  next_escalation_at: Date | null;
}

export interface NewAlert {
  patientId: string;
  rule: string;
  ruleKey?: string;
  metric?: string | null;
  priority: AlertPriority;
  state: AlertState;
  late?: boolean;
  onsetAt: Date;
  openedAt: Date;
  now: Date;
  lastValue?: number | null;
  worstValue?: number | null;
  lastSeenAt?: Date | null;
  conditionClearedAt?: Date | null;
  resolution?: string | null;
  detail?: Record<string, unknown>;
}

/** Inserts an alert; returns null when one for the same onset (or an open one) already exists. */
export async function insertAlert(sql: Sql, a: NewAlert): Promise<AlertRow | null> {
  const r = await sql.query<AlertRow>(
    `INSERT INTO alerts (id, patient_id, rule, rule_key, metric, priority, state, late, onset_at, opened_at, created_at,
        updated_at, last_value, worst_value, last_seen_at, condition_cleared_at, resolved_at, resolution, detail)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$11,$12,$13,$14,$15,$16,$17,$18)
     ON CONFLICT DO NOTHING RETURNING *`,
    [
      randomUUID(),
      a.patientId,
      a.rule,
      a.ruleKey ?? '',
      a.metric ?? null,
      a.priority,
      a.state,
      a.late ?? false,
      a.onsetAt,
      a.openedAt,
      a.now,
      a.lastValue ?? null,
      a.worstValue ?? null,
      a.lastSeenAt ?? null,
      a.conditionClearedAt ?? null,
      a.state === 'resolved' ? a.now : null,
      a.resolution ?? null,
      a.detail === undefined ? null : JSON.stringify(a.detail),
    ],
  );
  return r.rows[0] ?? null;
}

const UPDATABLE = [
  'priority',
  'state',
  'late',
  'last_value',
  'worst_value',
  'last_seen_at',
  'condition_cleared_at',
  'repeat_count',
  'flap_count',
  'acknowledged_at',
  'acknowledged_by',
  'ack_note',
  'resolved_at',
  'resolved_by',
  'resolution',
  'detail',
  'notified_priority',
  'silenced_by',
  'escalation_step',
  'escalation_round',
  'next_escalation_at',
] as const;
export type AlertChanges = Partial<Pick<AlertRow, (typeof UPDATABLE)[number]>>;

export async function updateAlert(sql: Sql, id: string, c: AlertChanges, now: Date): Promise<AlertRow> {
  const keys = UPDATABLE.filter((k) => k in c);
  const values = keys.map((k) => (k === 'detail' && c.detail ? JSON.stringify(c.detail) : (c[k] ?? null)));
  const set = keys.map((k, i) => `${k} = $${i + 3}`).join(', ');
  const r = await sql.query<AlertRow>(
    `UPDATE alerts SET updated_at = $2${set ? `, ${set}` : ''} WHERE id = $1 RETURNING *`,
    [id, now, ...values],
  );
  return r.rows[0]!;
}

export async function findAlert(sql: Sql, id: string, lock = false): Promise<AlertRow | undefined> {
  const r = await sql.query<AlertRow>(`SELECT * FROM alerts WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0];
}

/** The open (firing or acknowledged) alert of a patient and rule, locked for the transaction. */
export async function openAlertFor(
  sql: Sql,
  patientId: string,
  rule: string,
  ruleKey = '',
): Promise<AlertRow | undefined> {
  const r = await sql.query<AlertRow>(
    `SELECT * FROM alerts WHERE patient_id = $1 AND rule = $2 AND rule_key = $3 AND state <> 'resolved' FOR UPDATE`,
    [patientId, rule, ruleKey],
  );
  return r.rows[0];
}

/** The latest alert of a patient and rule resolved on its own, for merging a flapping condition. */
export async function lastAutoResolved(
  sql: Sql,
  patientId: string,
  rule: string,
  ruleKey = '',
): Promise<AlertRow | undefined> {
  const r = await sql.query<AlertRow>(
    `SELECT * FROM alerts WHERE patient_id = $1 AND rule = $2 AND rule_key = $3 AND state = 'resolved'
        AND resolution = 'cleared' ORDER BY condition_cleared_at DESC NULLS LAST LIMIT 1 FOR UPDATE`,
    [patientId, rule, ruleKey],
  );
  return r.rows[0];
}

/** Open alerts of several patients: `${patientId}|${rule}|${ruleKey}`. */
export async function openAlertKeys(sql: Sql, patientIds: string[]): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const r = await sql.query<{ patient_id: string; rule: string; rule_key: string }>(
    `SELECT patient_id, rule, rule_key FROM alerts WHERE state <> 'resolved' AND patient_id = ANY($1::uuid[])`,
    [patientIds],
  );
  return new Set(r.rows.map((x) => `${x.patient_id}|${x.rule}|${x.rule_key}`));
}

export async function openAlertsOfRule(sql: Sql, rule: string): Promise<AlertRow[]> {
  const r = await sql.query<AlertRow>(`SELECT * FROM alerts WHERE rule = $1 AND state <> 'resolved'`, [rule]);
  return r.rows;
}

const ALERT_LIST = `SELECT a.*, p.display_name AS patient_name, ack.display_name AS acknowledged_by_name FROM alerts a
       JOIN patients p ON p.id = a.patient_id
       LEFT JOIN users ack ON ack.id = a.acknowledged_by`;
const ALERT_ORDER = `ORDER BY (a.state = 'resolved'), CASE a.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, a.created_at DESC`;

export type AlertListRow = AlertRow & { patient_name: string; acknowledged_by_name: string | null };

/** The alerts of every patient `userId` may see (the visible-patients fragment), needing a person first. */
export async function listAlerts(
  sql: Sql,
  q: { userId: string; state?: string; limit: number },
): Promise<AlertListRow[]> {
  const r = await sql.query<AlertListRow>(
    `${ALERT_LIST}
      WHERE a.patient_id IN ${visiblePatientIds('$1::uuid')} AND ($2::text IS NULL OR a.state = $2)
      ${ALERT_ORDER} LIMIT $3`,
    [q.userId, q.state ?? null, q.limit],
  );
  return r.rows;
}

/** The alerts of one patient the access core has checked for the caller, in the same order. */
export async function patientAlerts(
  sql: Sql,
  q: { patientId: string; state?: string; limit: number },
): Promise<AlertListRow[]> {
  const r = await sql.query<AlertListRow>(
    `${ALERT_LIST}
      WHERE a.patient_id = $1 AND ($2::text IS NULL OR a.state = $2)
      ${ALERT_ORDER} LIMIT $3`,
    [q.patientId, q.state ?? null, q.limit],
  );
  return r.rows;
}

export async function alarmLoad(sql: Sql, userId: string, from: Date, to: Date) {
  const r = await sql.query<{
    patient_id: string;
    patient_name: string;
    rule: string;
    count: number;
    acknowledged: number;
    median_ack_seconds: number | null;
    self_cleared_2min: number;
  }>(
    `SELECT a.patient_id, p.display_name AS patient_name, a.rule, count(*)::int AS count,
            count(a.acknowledged_at)::int AS acknowledged,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.acknowledged_at - a.created_at))
              FILTER (WHERE a.acknowledged_at IS NOT NULL) AS median_ack_seconds,
            count(*) FILTER (WHERE a.condition_cleared_at IS NOT NULL AND a.acknowledged_at IS NULL
              AND a.condition_cleared_at - a.opened_at <= interval '2 minutes')::int AS self_cleared_2min
       FROM alerts a JOIN patients p ON p.id = a.patient_id
      WHERE a.created_at >= $2 AND a.created_at < $3 AND a.patient_id IN ${visiblePatientIds('$1::uuid')}
      GROUP BY a.patient_id, p.display_name, a.rule ORDER BY count(*) DESC`,
    [userId, from, to],
  );
  return r.rows;
}

/** Firing alerts whose escalation timer ran out, locked (others skip them) for the transaction. */
export async function dueEscalations(tx: Sql, now: Date, limit: number): Promise<AlertRow[]> {
  const r = await tx.query<AlertRow>(
    `SELECT * FROM alerts WHERE state = 'firing' AND next_escalation_at <= $1 ORDER BY next_escalation_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return r.rows;
}

/** The patient as a page names them: display name and the time zone their times are shown in. */
export async function alertPatient(sql: Sql, patientId: string): Promise<{ display_name: string; timezone: string }> {
  const r = await sql.query<{ display_name: string; timezone: string }>(
    'SELECT display_name, timezone FROM patients WHERE id = $1',
    [patientId],
  );
  return r.rows[0]!;
}
