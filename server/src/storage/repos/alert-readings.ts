/** Readings as alert evaluation reads them: series, values near a time, what arrived since the cursor. */
import type { Sql } from '../sql.ts';

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

/**
 * For NEWS2: for each (patient, time), the newest value (or code, for a coded metric such as
 * consciousness) of each metric in (at - withinMs, at] that carries none of `unfitFlags`:
 * one statement for a whole commit, each value one probe of the (patient, metric, time) index.
 * Keyed by `${patientId}|${at in ms}`.
 */
export interface NearValue {
  metric: string;
  value: number | null;
  code: string | null;
  time: Date;
  /** Part of a continuous monitor's stream (the `continuous` flag). */
  continuous: boolean;
}

export async function valuesNear(
  sql: Sql,
  at: { patientId: string; at: Date }[],
  metrics: string[],
  withinMs: number,
  unfitFlags: readonly string[],
): Promise<Map<string, NearValue[]>> {
  const key = (patientId: string, t: Date) => `${patientId}|${t.getTime()}`;
  const out = new Map<string, NearValue[]>(at.map((q) => [key(q.patientId, q.at), []]));
  if (at.length === 0) return out;
  const r = await sql.query<{ patient_id: string; at: Date } & NearValue>(
    `SELECT q.patient_id, q.at, m.metric, v.value, v.code, v.time, v.continuous
       FROM unnest($1::uuid[], $2::timestamptz[]) AS q(patient_id, at)
      CROSS JOIN unnest($3::text[]) AS m(metric)
      CROSS JOIN LATERAL (
        SELECT value, code, time, 'continuous' = ANY(COALESCE(flags, '{}')) AS continuous FROM readings
         WHERE patient_id = q.patient_id AND metric = m.metric AND (value IS NOT NULL OR code IS NOT NULL)
           AND time <= q.at AND time > q.at - make_interval(secs => $4)
           AND NOT (COALESCE(flags, '{}') && $5::text[])
         ORDER BY time DESC, received_at DESC LIMIT 1) AS v`,
    [at.map((q) => q.patientId), at.map((q) => q.at), metrics, withinMs / 1000, unfitFlags],
  );
  for (const x of r.rows)
    out
      .get(key(x.patient_id, x.at))
      ?.push({ metric: x.metric, value: x.value, code: x.code, time: x.time, continuous: x.continuous });
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
