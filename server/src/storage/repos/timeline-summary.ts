/** What a snapshot or a digest says about a patient's vitals in a period (issue 15). */
import type { Sql } from '../sql.ts';
import { SUPERSEDED_FLAG } from './observations.ts';

export interface MetricSummaryRow {
  metric: string;
  unit: string;
  min: number | null;
  max: number | null;
  count: number;
  last_value: number | null;
  last_code: string | null;
  last_time: Date;
}

/** Per metric: range, count and the last value of the patient's readings in [from, to). */
export async function periodSummary(sql: Sql, patientId: string, from: Date, to: Date): Promise<MetricSummaryRow[]> {
  const r = await sql.query<MetricSummaryRow>(
    `SELECT metric, min(unit) AS unit, min(value) AS min, max(value) AS max, count(*)::int AS count,
            (array_agg(value ORDER BY time DESC))[1] AS last_value,
            (array_agg(code ORDER BY time DESC))[1] AS last_code, max(time) AS last_time
       FROM readings
      WHERE patient_id = $1 AND time >= $2 AND time < $3
        AND NOT ($4::text = ANY(coalesce(flags, '{}')))
      GROUP BY metric ORDER BY metric`,
    [patientId, from, to, SUPERSEDED_FLAG],
  );
  return r.rows;
}

/** Alerts opened in [from, to) by rule (the out-of-band counts of a digest). */
export async function alertsOpenedIn(
  sql: Sql,
  patientId: string,
  from: Date,
  to: Date,
): Promise<{ rule: string; n: number }[]> {
  const r = await sql.query<{ rule: string; n: number }>(
    `SELECT rule, count(*)::int AS n FROM alerts WHERE patient_id = $1 AND opened_at >= $2 AND opened_at < $3
      GROUP BY rule ORDER BY rule`,
    [patientId, from, to],
  );
  return r.rows;
}

/** Scheduled measurements of a local day that were missed. */
export async function missedMeasurements(
  sql: Sql,
  patientId: string,
  localDate: string,
): Promise<{ metric: string; label: string | null }[]> {
  const r = await sql.query<{ metric: string; label: string | null }>(
    `SELECT s.metric, s.label FROM schedule_checks c JOIN measurement_schedules s ON s.id = c.schedule_id
      WHERE s.patient_id = $1 AND c.local_date = $2::date AND c.missed ORDER BY s.metric`,
    [patientId, localDate],
  );
  return r.rows;
}

export interface DigestCandidate {
  patient_id: string;
  timezone: string;
  local_time: string;
  last_day: string | null;
}

/** Makes the digest-state row of every patient that has none (default 07:00). */
export async function ensureDigestStates(sql: Sql): Promise<void> {
  await sql.query(
    `INSERT INTO timeline_digest_state (patient_id)
     SELECT p.id FROM patients p WHERE NOT EXISTS (SELECT 1 FROM timeline_digest_state s WHERE s.patient_id = p.id)
     ON CONFLICT (patient_id) DO NOTHING`,
  );
}

/** Patients whose digest may be due (last made before `beforeDay`), a page at a time after `after`. */
export async function digestCandidates(
  sql: Sql,
  beforeDay: string,
  after: string | null,
  limit: number,
): Promise<DigestCandidate[]> {
  const r = await sql.query<DigestCandidate>(
    `SELECT s.patient_id, p.timezone, s.local_time, to_char(s.last_day, 'YYYY-MM-DD') AS last_day
       FROM timeline_digest_state s JOIN patients p ON p.id = s.patient_id
      WHERE (s.last_day IS NULL OR s.last_day < $1::date) AND ($3::uuid IS NULL OR s.patient_id > $3::uuid)
      ORDER BY s.patient_id LIMIT $2`,
    [beforeDay, limit, after],
  );
  return r.rows;
}

/**
 * Claims a patient's digest of `day` in the caller's transaction: the state row locked (another
 * instance holding it skips it) and still not made for that day. False when not this maker's.
 */
export async function claimDigest(tx: Sql, patientId: string, day: string): Promise<boolean> {
  const r = await tx.query(
    `SELECT 1 FROM timeline_digest_state WHERE patient_id = $1 AND (last_day IS NULL OR last_day < $2::date)
        FOR UPDATE SKIP LOCKED`,
    [patientId, day],
  );
  if (r.rowCount === 0) return false;
  await tx.query('UPDATE timeline_digest_state SET last_day = $2::date WHERE patient_id = $1', [patientId, day]);
  return true;
}
