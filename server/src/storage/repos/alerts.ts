/** Alerts and their transitions, per-patient rule settings, silences, absences, schedules. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export type AlertState = 'firing' | 'acknowledged' | 'resolved';
export type AlertPriority = 'high' | 'medium' | 'low';

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

export async function listAlerts(
  sql: Sql,
  q: { userId: string; state?: string; patientId?: string; limit: number },
): Promise<(AlertRow & { patient_name: string })[]> {
  const r = await sql.query<AlertRow & { patient_name: string }>(
    `SELECT a.*, p.display_name AS patient_name FROM alerts a
       JOIN patients p ON p.id = a.patient_id
       JOIN care_team_members c ON c.patient_id = a.patient_id AND c.user_id = $1
      WHERE (CASE c.clearance WHEN 'team' THEN 0 WHEN 'clinical' THEN 1 ELSE 2 END)
            >= (CASE p.vitals_sensitivity WHEN 'team' THEN 0 WHEN 'clinical' THEN 1 ELSE 2 END)
        AND ($2::text IS NULL OR a.state = $2) AND ($3::uuid IS NULL OR a.patient_id = $3)
      ORDER BY (a.state = 'resolved'), CASE a.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, a.created_at DESC
      LIMIT $4`,
    [q.userId, q.state ?? null, q.patientId ?? null, q.limit],
  );
  return r.rows;
}

export async function addAlertEvent(
  sql: Sql,
  e: { alertId: string; at: Date; type: string; userId?: string | null; detail?: unknown },
): Promise<number> {
  const r = await sql.query<{ id: number }>(
    'INSERT INTO alert_events (alert_id, at, type, user_id, detail) VALUES ($1,$2,$3,$4,$5) RETURNING id',
    [e.alertId, e.at, e.type, e.userId ?? null, e.detail === undefined ? null : JSON.stringify(e.detail)],
  );
  return Number(r.rows[0]!.id);
}

export async function alertEvents(sql: Sql, alertId: string) {
  const r = await sql.query<{
    id: number;
    at: Date;
    type: string;
    user_id: string | null;
    user_name: string | null;
    detail: unknown;
  }>(
    `SELECT e.id, e.at, e.type, e.user_id, u.display_name AS user_name, e.detail
       FROM alert_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.alert_id = $1 ORDER BY e.id`,
    [alertId],
  );
  return r.rows;
}

// ---- per-patient settings ------------------------------------------------------------------

export interface SettingsRows {
  overrides: {
    patient_id: string;
    rule_id: string;
    override: Record<string, unknown>;
    reason: string;
    changed_by: string | null;
    changed_at: Date;
  }[];
  targets: {
    patient_id: string;
    metric: string;
    low: number | null;
    high: number | null;
    reason: string;
    changed_by: string | null;
    changed_at: Date;
  }[];
}

export async function settingsOf(sql: Sql, patientIds: string[]): Promise<SettingsRows> {
  if (patientIds.length === 0) return { overrides: [], targets: [] };
  const [o, t] = await Promise.all([
    sql.query<SettingsRows['overrides'][number]>('SELECT * FROM alert_overrides WHERE patient_id = ANY($1::uuid[])', [
      patientIds,
    ]),
    sql.query<SettingsRows['targets'][number]>('SELECT * FROM alert_targets WHERE patient_id = ANY($1::uuid[])', [
      patientIds,
    ]),
  ]);
  return { overrides: o.rows, targets: t.rows };
}

async function history(
  sql: Sql,
  patientId: string,
  what: string,
  before: unknown,
  after: unknown,
  reason: string,
  userId: string,
) {
  await sql.query(
    'INSERT INTO alert_settings_history (patient_id, what, before, after, reason, changed_by) VALUES ($1,$2,$3,$4,$5,$6)',
    [
      patientId,
      what,
      before === undefined ? null : JSON.stringify(before),
      after === undefined ? null : JSON.stringify(after),
      reason,
      userId,
    ],
  );
}

export async function setOverride(
  sql: Sql,
  patientId: string,
  ruleId: string,
  override: object | null,
  reason: string,
  userId: string,
) {
  const before = await sql.query<{ override: unknown }>(
    'SELECT override FROM alert_overrides WHERE patient_id = $1 AND rule_id = $2',
    [patientId, ruleId],
  );
  if (override === null)
    await sql.query('DELETE FROM alert_overrides WHERE patient_id = $1 AND rule_id = $2', [patientId, ruleId]);
  else
    await sql.query(
      `INSERT INTO alert_overrides (patient_id, rule_id, override, reason, changed_by) VALUES ($1,$2,$3,$4,$5)
       ON CONFLICT (patient_id, rule_id) DO UPDATE SET override = excluded.override, reason = excluded.reason,
         changed_by = excluded.changed_by, changed_at = now()`,
      [patientId, ruleId, JSON.stringify(override), reason, userId],
    );
  await history(sql, patientId, `rule:${ruleId}`, before.rows[0]?.override ?? null, override, reason, userId);
}

export async function setTarget(
  sql: Sql,
  patientId: string,
  metric: string,
  range: { low?: number; high?: number } | null,
  reason: string,
  userId: string,
) {
  const before = await sql.query<{ low: number | null; high: number | null }>(
    'SELECT low, high FROM alert_targets WHERE patient_id = $1 AND metric = $2',
    [patientId, metric],
  );
  if (range === null)
    await sql.query('DELETE FROM alert_targets WHERE patient_id = $1 AND metric = $2', [patientId, metric]);
  else
    await sql.query(
      `INSERT INTO alert_targets (patient_id, metric, low, high, reason, changed_by) VALUES ($1,$2,$3,$4,$5,$6)
       ON CONFLICT (patient_id, metric) DO UPDATE SET low = excluded.low, high = excluded.high, reason = excluded.reason,
         changed_by = excluded.changed_by, changed_at = now()`,
      [patientId, metric, range.low ?? null, range.high ?? null, reason, userId],
    );
  await history(sql, patientId, `target:${metric}`, before.rows[0] ?? null, range, reason, userId);
}

export async function recordSettingsChange(
  sql: Sql,
  patientId: string,
  what: string,
  before: unknown,
  after: unknown,
  reason: string,
  userId: string,
) {
  await history(sql, patientId, what, before, after, reason, userId);
}

export async function settingsHistory(sql: Sql, patientId: string, limit = 200) {
  const r = await sql.query<{
    id: number;
    what: string;
    before: unknown;
    after: unknown;
    reason: string;
    changed_by: string | null;
    changed_by_name: string | null;
    changed_at: Date;
  }>(
    `SELECT h.id, h.what, h.before, h.after, h.reason, h.changed_by, u.display_name AS changed_by_name, h.changed_at
       FROM alert_settings_history h LEFT JOIN users u ON u.id = h.changed_by
      WHERE h.patient_id = $1 ORDER BY h.id DESC LIMIT $2`,
    [patientId, limit],
  );
  return r.rows;
}

// ---- readings for evaluation -------------------------------------------------------------

export interface SeriesRow {
  id: string;
  time: Date;
  value: number;
  device_id: string;
  flags: string[] | null;
}

export async function seriesOf(
  sql: Sql,
  patientId: string,
  metric: string,
  from: Date,
  limit = 50_000,
): Promise<SeriesRow[]> {
  const r = await sql.query<SeriesRow>(
    `SELECT id, time, value, device_id, flags FROM readings
      WHERE patient_id = $1 AND metric = $2 AND time >= $3 AND value IS NOT NULL ORDER BY time, id LIMIT $4`,
    [patientId, metric, from, limit],
  );
  return r.rows;
}

/** Latest value per metric at or before `at` (within `withinMs`), for NEWS2. */
/**
 * For each (patient, time), the newest value of each metric in (at - withinMs, at] that carries
 * none of `unfitFlags`:
 * one statement for a whole commit, each value one probe of the (patient, metric, time) index.
 * Keyed by `${patientId}|${at in ms}`.
 */
export async function valuesNear(
  sql: Sql,
  at: { patientId: string; at: Date }[],
  metrics: string[],
  withinMs: number,
  unfitFlags: readonly string[],
): Promise<Map<string, { metric: string; value: number; time: Date }[]>> {
  const key = (patientId: string, t: Date) => `${patientId}|${t.getTime()}`;
  const out = new Map<string, { metric: string; value: number; time: Date }[]>(
    at.map((q) => [key(q.patientId, q.at), []]),
  );
  if (at.length === 0) return out;
  const r = await sql.query<{ patient_id: string; at: Date; metric: string; value: number; time: Date }>(
    `SELECT q.patient_id, q.at, m.metric, v.value, v.time
       FROM unnest($1::uuid[], $2::timestamptz[]) AS q(patient_id, at)
      CROSS JOIN unnest($3::text[]) AS m(metric)
      CROSS JOIN LATERAL (
        SELECT value, time FROM readings
         WHERE patient_id = q.patient_id AND metric = m.metric AND value IS NOT NULL
           AND time <= q.at AND time > q.at - make_interval(secs => $4)
           AND NOT (COALESCE(flags, '{}') && $5::text[])
         ORDER BY time DESC LIMIT 1) AS v`,
    [at.map((q) => q.patientId), at.map((q) => q.at), metrics, withinMs / 1000, unfitFlags],
  );
  for (const x of r.rows) out.get(key(x.patient_id, x.at))?.push({ metric: x.metric, value: x.value, time: x.time });
  return out;
}

export async function readingsReceivedSince(sql: Sql, since: Date, limit: number) {
  const r = await sql.query<{
    id: string;
    patient_id: string | null;
    device_id: string;
    gateway_id: string;
    flags: string[] | null;
    metric: string;
    time: Date;
    value: number | null;
    unit: string;
    received_at: Date;
  }>(
    `SELECT id, patient_id, device_id, gateway_id, flags, metric, time, value, unit, received_at FROM readings
      WHERE received_at > $1 AND patient_id IS NOT NULL ORDER BY received_at LIMIT $2`,
    [since, limit],
  );
  return r.rows;
}

export async function getCursor(sql: Sql): Promise<Date | null> {
  const r = await sql.query<{ received_at: Date }>('SELECT received_at FROM alert_cursor WHERE id = 1');
  return r.rows[0]?.received_at ?? null;
}

export async function setCursor(sql: Sql, at: Date) {
  await sql.query(
    `INSERT INTO alert_cursor (id, received_at) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE SET received_at = GREATEST(alert_cursor.received_at, excluded.received_at)`,
    [at],
  );
}

// ---- silences and absences -----------------------------------------------------------------

export interface SilenceRow {
  id: string;
  patient_id: string;
  rule: string | null;
  priority: AlertPriority;
  reason: string;
  starts_at: Date;
  expires_at: Date;
  created_by: string | null;
  created_at: Date;
  ended_at: Date | null;
}

export async function createSilence(
  sql: Sql,
  s: {
    patientId: string;
    rule?: string | null;
    priority: AlertPriority;
    reason: string;
    startsAt: Date;
    expiresAt: Date;
    userId: string;
  },
): Promise<SilenceRow> {
  const r = await sql.query<SilenceRow>(
    `INSERT INTO alert_silences (id, patient_id, rule, priority, reason, starts_at, expires_at, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
    [randomUUID(), s.patientId, s.rule ?? null, s.priority, s.reason, s.startsAt, s.expiresAt, s.userId],
  );
  return r.rows[0]!;
}

export async function endSilence(sql: Sql, id: string, at: Date): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>(
    'UPDATE alert_silences SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL RETURNING *',
    [id, at],
  );
  return r.rows[0];
}

export async function findSilence(sql: Sql, id: string): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>('SELECT * FROM alert_silences WHERE id = $1', [id]);
  return r.rows[0];
}

export async function listSilences(sql: Sql, patientId: string): Promise<SilenceRow[]> {
  const r = await sql.query<SilenceRow>(
    'SELECT * FROM alert_silences WHERE patient_id = $1 ORDER BY created_at DESC LIMIT 200',
    [patientId],
  );
  return r.rows;
}

/** The silence covering a rule at a priority now, if any (never one set for a lower priority). */
export async function activeSilence(
  sql: Sql,
  patientId: string,
  rule: string,
  priority: AlertPriority,
  now: Date,
): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>(
    `SELECT * FROM alert_silences WHERE patient_id = $1 AND (rule IS NULL OR rule = $2) AND ended_at IS NULL
        AND starts_at <= $3 AND expires_at > $3
        AND (CASE priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) >= (CASE $4::text WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
      ORDER BY expires_at DESC LIMIT 1`,
    [patientId, rule, now, priority],
  );
  return r.rows[0];
}

export interface AbsenceRow {
  id: string;
  patient_id: string;
  kind: 'hospital' | 'short_stay' | 'other';
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string | null;
  created_at: Date;
  cancelled_at: Date | null;
}

export async function createAbsence(
  sql: Sql,
  a: { patientId: string; kind: AbsenceRow['kind']; startsAt: Date; endsAt: Date; reason: string; userId: string },
): Promise<AbsenceRow> {
  const r = await sql.query<AbsenceRow>(
    `INSERT INTO planned_absences (id, patient_id, kind, starts_at, ends_at, reason, created_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
    [randomUUID(), a.patientId, a.kind, a.startsAt, a.endsAt, a.reason, a.userId],
  );
  return r.rows[0]!;
}

export async function cancelAbsence(
  sql: Sql,
  patientId: string,
  id: string,
  at: Date,
): Promise<AbsenceRow | undefined> {
  const r = await sql.query<AbsenceRow>(
    'UPDATE planned_absences SET cancelled_at = $3 WHERE id = $1 AND patient_id = $2 AND cancelled_at IS NULL RETURNING *',
    [id, patientId, at],
  );
  return r.rows[0];
}

export async function listAbsences(sql: Sql, patientId: string): Promise<AbsenceRow[]> {
  const r = await sql.query<AbsenceRow>(
    'SELECT * FROM planned_absences WHERE patient_id = $1 ORDER BY starts_at DESC LIMIT 200',
    [patientId],
  );
  return r.rows;
}

/** Patients (of those given) away at `at`. */
export async function absentPatients(sql: Sql, patientIds: string[], at: Date): Promise<Set<string>> {
  if (patientIds.length === 0) return new Set();
  const r = await sql.query<{ patient_id: string }>(
    `SELECT DISTINCT patient_id FROM planned_absences WHERE patient_id = ANY($1::uuid[]) AND cancelled_at IS NULL
        AND starts_at <= $2 AND ends_at > $2`,
    [patientIds, at],
  );
  return new Set(r.rows.map((x) => x.patient_id));
}

// ---- schedules ------------------------------------------------------------------------------

export interface ScheduleRow {
  id: string;
  patient_id: string;
  metric: string;
  window_start: string;
  due_time: string;
  weekdays: number[];
  priority: AlertPriority;
  label: string | null;
  created_by: string | null;
  created_at: Date;
  removed_at: Date | null;
}

export async function createSchedule(
  sql: Sql,
  s: {
    patientId: string;
    metric: string;
    windowStart: string;
    dueTime: string;
    weekdays: number[];
    priority: AlertPriority;
    label?: string;
    userId: string;
  },
): Promise<ScheduleRow> {
  const r = await sql.query<ScheduleRow>(
    `INSERT INTO measurement_schedules (id, patient_id, metric, window_start, due_time, weekdays, priority, label, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
    [randomUUID(), s.patientId, s.metric, s.windowStart, s.dueTime, s.weekdays, s.priority, s.label ?? null, s.userId],
  );
  return r.rows[0]!;
}

export async function removeSchedule(sql: Sql, patientId: string, id: string): Promise<ScheduleRow | undefined> {
  const r = await sql.query<ScheduleRow>(
    'UPDATE measurement_schedules SET removed_at = now() WHERE id = $1 AND patient_id = $2 AND removed_at IS NULL RETURNING *',
    [id, patientId],
  );
  return r.rows[0];
}

export async function listSchedules(sql: Sql, patientId?: string): Promise<(ScheduleRow & { timezone: string })[]> {
  const r = await sql.query<ScheduleRow & { timezone: string }>(
    `SELECT s.*, p.timezone FROM measurement_schedules s JOIN patients p ON p.id = s.patient_id
      WHERE s.removed_at IS NULL AND ($1::uuid IS NULL OR s.patient_id = $1) ORDER BY s.created_at`,
    [patientId ?? null],
  );
  return r.rows;
}

/** Claims the check of one schedule for one local day; false when it was already done. */
export async function claimScheduleCheck(
  sql: Sql,
  scheduleId: string,
  localDate: string,
  at: Date,
  missed: boolean,
): Promise<boolean> {
  const r = await sql.query(
    'INSERT INTO schedule_checks (schedule_id, local_date, checked_at, missed) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING',
    [scheduleId, localDate, at, missed],
  );
  return r.rowCount === 1;
}

export async function countReadings(
  sql: Sql,
  patientId: string,
  metric: string,
  from: Date,
  to: Date,
): Promise<number> {
  const r = await sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM readings WHERE patient_id = $1 AND metric = $2 AND time >= $3 AND time <= $4 AND value IS NOT NULL',
    [patientId, metric, from, to],
  );
  return r.rows[0]!.n;
}

// ---- gateways and devices ------------------------------------------------------------------

export async function setGatewayLiveness(
  sql: Sql,
  gatewayId: string,
  state: 'online' | 'offline',
  at: Date,
): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO gateway_liveness (gateway_id, state, since, last_seen_at) VALUES ($1,$2,$3,$3)
     ON CONFLICT (gateway_id) DO UPDATE SET state = excluded.state, since = excluded.since
     WHERE gateway_liveness.state <> excluded.state`,
    [gatewayId, state, at],
  );
  if (state === 'online') await heardFrom(sql, [gatewayId], at);
  return r.rowCount === 1;
}

/** Notes traffic from these gateways; returns those of them that were offline. */
export async function heardFrom(sql: Sql, gatewayIds: string[], at: Date): Promise<string[]> {
  if (gatewayIds.length === 0) return [];
  const r = await sql.query<{ gateway_id: string; state: string }>(
    `UPDATE gateway_liveness SET last_seen_at = GREATEST(last_seen_at, $2)
      WHERE gateway_id = ANY($1::text[]) RETURNING gateway_id, state`,
    [gatewayIds, at],
  );
  return r.rows.filter((x) => x.state === 'offline').map((x) => x.gateway_id);
}

/** Online gateways not heard from since `before` go offline as of their last message. */
export async function silentGatewaysOffline(sql: Sql, before: Date): Promise<{ gateway_id: string; since: Date }[]> {
  const r = await sql.query<{ gateway_id: string; since: Date }>(
    `UPDATE gateway_liveness SET state = 'offline', since = last_seen_at
      WHERE state = 'online' AND last_seen_at < $1 RETURNING gateway_id, since`,
    [before],
  );
  return r.rows;
}

export async function gatewayLiveness(sql: Sql) {
  const r = await sql.query<{ gateway_id: string; state: 'online' | 'offline'; since: Date }>(
    'SELECT * FROM gateway_liveness',
  );
  return r.rows;
}

/** Patients with a device of the gateway bound now. */
export async function patientsOfGateway(sql: Sql, gatewayId: string, at: Date): Promise<string[]> {
  const r = await sql.query<{ patient_id: string }>(
    `SELECT DISTINCT b.patient_id FROM bindings b JOIN devices d ON d.id = b.device_id
      WHERE d.gateway_id = $1 AND b.valid_from <= $2 AND (b.valid_to IS NULL OR b.valid_to > $2)`,
    [gatewayId, at],
  );
  return r.rows.map((x) => x.patient_id);
}

export async function patientOfDevice(sql: Sql, deviceId: string, at: Date): Promise<string | undefined> {
  const r = await sql.query<{ patient_id: string }>(
    `SELECT patient_id FROM bindings WHERE device_id = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
      ORDER BY valid_from DESC LIMIT 1`,
    [deviceId, at],
  );
  return r.rows[0]?.patient_id;
}

export async function setBattery(sql: Sql, deviceId: string, level: number | null, low: boolean, at: Date) {
  await sql.query(
    `INSERT INTO device_battery (device_id, level, low, at) VALUES ($1,$2,$3,$4)
     ON CONFLICT (device_id) DO UPDATE SET level = excluded.level, low = excluded.low, at = excluded.at`,
    [deviceId, level, low, at],
  );
}

/** Bound devices of patients whose silence rule is on: device, patient, last measurement. */
export async function watchedDevices(sql: Sql, at: Date) {
  const r = await sql.query<{
    device_id: string;
    patient_id: string;
    last_seen: Date | null;
    override: { minutes?: number };
  }>(
    `SELECT b.device_id, b.patient_id, d.last_seen, o.override FROM alert_overrides o
       JOIN bindings b ON b.patient_id = o.patient_id AND b.valid_from <= $1 AND (b.valid_to IS NULL OR b.valid_to > $1)
       JOIN devices d ON d.id = b.device_id
      WHERE o.rule_id = 'device_silent' AND COALESCE((o.override->>'enabled')::boolean, true)`,
    [at],
  );
  return r.rows;
}

// ---- alarm-load report -------------------------------------------------------------------

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
       JOIN care_team_members c ON c.patient_id = a.patient_id AND c.user_id = $1
      WHERE a.created_at >= $2 AND a.created_at < $3
      GROUP BY a.patient_id, p.display_name, a.rule ORDER BY count(*) DESC`,
    [userId, from, to],
  );
  return r.rows;
}

/** Those of the gateways last known offline. */
/** The user's role on the patient's care team, if a member. */
export async function teamRoleOf(
  sql: Sql,
  patientId: string,
  userId: string,
): Promise<'attending' | 'lead' | 'member' | undefined> {
  const r = await sql.query<{ team_role: 'attending' | 'lead' | 'member' }>(
    'SELECT team_role FROM care_team_members WHERE patient_id = $1 AND user_id = $2',
    [patientId, userId],
  );
  return r.rows[0]?.team_role;
}
