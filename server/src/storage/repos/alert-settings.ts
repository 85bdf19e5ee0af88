/**
 * Per-patient alert settings: rule overrides and target ranges, and the history of every
 * change to them (with the reason and who made it).
 */
import type { Sql } from '../sql.ts';

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
