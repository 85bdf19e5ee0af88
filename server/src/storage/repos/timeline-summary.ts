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
