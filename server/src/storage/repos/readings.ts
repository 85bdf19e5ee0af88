/** Readings: idempotent batched writes, range queries with buckets, latest values. */
import type { Reading } from '@vitals/contract';
import type { Sql } from '../sql.ts';

export interface IncomingReading {
  reading: Reading;
  gatewayId: string;
  batchId: string;
}

export interface StoredReading {
  id: string;
  patient_id: string | null;
  device_id: string;
  gateway_id: string;
  flags: string[] | null;
  metric: string;
  time: Date;
  value: number | null;
  unit: string;
}

const INPUT = `input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::float8[],
         $7::text[], $8::text[], $9::text[], $10::float8[], $11::text[], $12::text[], $13::text[])
         AS i(id, device_id, gateway_id, metric, time, value, unit, time_source, flags, source_value, source_unit, group_id, batch_id)
     )`;

/**
 * On PostgreSQL and PGlite the readings' primary key is the id. A TimescaleDB hypertable's
 * keys must include time, so there a ledger of ids admits each id once.
 */
function insertSql(backend: Sql['backend']): string {
  const ledger =
    backend === 'timescaledb'
      ? `, fresh AS (
       INSERT INTO reading_ids (id, time) SELECT DISTINCT ON (id) id, time FROM input ON CONFLICT (id) DO NOTHING RETURNING id, time
     )`
      : '';
  const source = backend === 'timescaledb' ? 'input i JOIN fresh USING (id, time)' : 'input i';
  const conflict = backend === 'timescaledb' ? 'ON CONFLICT DO NOTHING' : 'ON CONFLICT (id) DO NOTHING';
  return `WITH ${INPUT}${ledger}, ins AS (
       INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, flags,
                             source_value, source_unit, group_id, batch_id)
       SELECT i.id,
              (SELECT b.patient_id FROM bindings b WHERE b.device_id = i.device_id AND b.valid_from <= i.time
                  AND (b.valid_to IS NULL OR i.time < b.valid_to) ORDER BY b.valid_from DESC LIMIT 1),
              i.device_id, i.gateway_id, i.metric, i.time, i.value, i.unit, i.time_source,
              CASE WHEN i.flags IS NULL THEN NULL ELSE string_to_array(i.flags, chr(31)) END,
              i.source_value, i.source_unit, i.group_id, i.batch_id
         FROM ${source}
       ${conflict}
       RETURNING id, patient_id, device_id, gateway_id, flags, metric, time, value, unit
     ), latest AS (
       INSERT INTO latest_readings (patient_id, metric, value, unit, time, reading_id)
       SELECT DISTINCT ON (patient_id, metric) patient_id, metric, value, unit, time, id FROM ins
        WHERE patient_id IS NOT NULL AND value IS NOT NULL ORDER BY patient_id, metric, time DESC
       ON CONFLICT (patient_id, metric) DO UPDATE SET value = excluded.value, unit = excluded.unit,
         time = excluded.time, reading_id = excluded.reading_id
       WHERE excluded.time >= latest_readings.time
     )
     SELECT * FROM ins`;
}

/**
 * Inserts readings once per id; the device's binding at the reading's time picks the
 * patient. Returns the rows actually inserted (ids already stored are left out).
 */
export async function insertReadings(tx: Sql, items: IncomingReading[]): Promise<StoredReading[]> {
  if (items.length === 0) return [];
  const col = <T>(f: (x: IncomingReading) => T) => items.map(f);
  const r = await tx.query<StoredReading>(insertSql(tx.backend), [
    col((x) => x.reading.id),
    col((x) => x.reading.device.id),
    col((x) => x.gatewayId),
    col((x) => x.reading.metric),
    col((x) => x.reading.time),
    col((x) => x.reading.value ?? null),
    col((x) => x.reading.unit),
    col((x) => x.reading.timeSource),
    col((x) => (x.reading.flags?.length ? x.reading.flags.join('\u001f') : null)),
    col((x) => x.reading.source?.value ?? null),
    col((x) => x.reading.source?.unit ?? null),
    col((x) => x.reading.group ?? null),
    col((x) => x.batchId),
  ]);
  return r.rows;
}

/** Of re-sent ids, those whose stored content differs from the re-sent one. */
export async function findConflicts(tx: Sql, resent: IncomingReading[]): Promise<IncomingReading[]> {
  if (resent.length === 0) return [];
  const stored = await tx.query<{ id: string; device_id: string; metric: string; time: Date; value: number | null }>(
    'SELECT id, device_id, metric, time, value FROM readings WHERE id = ANY($1::text[])',
    [resent.map((x) => x.reading.id)],
  );
  const byId = new Map(stored.rows.map((s) => [s.id, s]));
  return resent.filter((x) => {
    const s = byId.get(x.reading.id);
    if (!s) return false;
    return (
      s.device_id !== x.reading.device.id ||
      s.metric !== x.reading.metric ||
      s.time.getTime() !== Date.parse(x.reading.time) ||
      (s.value ?? null) !== (x.reading.value ?? null)
    );
  });
}

export async function recordConflicts(tx: Sql, conflicts: IncomingReading[]) {
  if (conflicts.length === 0) return;
  await tx.query(
    `INSERT INTO reading_conflicts (reading_id, batch_id, gateway_id, payload)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
    [
      conflicts.map((c) => c.reading.id),
      conflicts.map((c) => c.batchId),
      conflicts.map((c) => c.gatewayId),
      conflicts.map((c) => JSON.stringify(c.reading)),
    ],
  );
}

export interface LatestValue {
  value: number;
  unit: string;
  time: string;
}

export async function latestOfPatient(sql: Sql, patientId: string): Promise<Record<string, LatestValue>> {
  const r = await sql.query<{ metric: string; value: number; unit: string; time: Date }>(
    'SELECT metric, value, unit, time FROM latest_readings WHERE patient_id = $1 ORDER BY metric',
    [patientId],
  );
  return Object.fromEntries(
    r.rows.map((x) => [x.metric, { value: x.value, unit: x.unit, time: x.time.toISOString() }]),
  );
}

export async function latestOfPatients(
  sql: Sql,
  patientIds: string[],
): Promise<Map<string, Record<string, LatestValue>>> {
  const out = new Map<string, Record<string, LatestValue>>(patientIds.map((id) => [id, {}]));
  if (patientIds.length === 0) return out;
  const r = await sql.query<{ patient_id: string; metric: string; value: number; unit: string; time: Date }>(
    'SELECT patient_id, metric, value, unit, time FROM latest_readings WHERE patient_id = ANY($1::uuid[])',
    [patientIds],
  );
  for (const x of r.rows)
    out.get(x.patient_id)![x.metric] = { value: x.value, unit: x.unit, time: x.time.toISOString() };
  return out;
}

/**
 * Whether the range holds more than `limit` raw values, without counting them all: a 90-day
 * range of a 1 Hz metric has 7.8 million rows, and deciding raw-or-buckets must not read them.
 */
export async function moreRawThan(
  sql: Sql,
  patientId: string,
  metric: string,
  from: Date,
  to: Date,
  limit: number,
): Promise<boolean> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM readings WHERE patient_id = $1 AND metric = $2 AND time >= $3
       AND time < $4 AND value IS NOT NULL LIMIT $5) AS x`,
    [patientId, metric, from, to, limit + 1],
  );
  return r.rows[0]!.n > limit;
}

export async function rawPoints(sql: Sql, patientId: string, metric: string, from: Date, to: Date) {
  const r = await sql.query<{ time: Date; value: number }>(
    `SELECT time, value FROM readings WHERE patient_id = $1 AND metric = $2 AND time >= $3 AND time < $4
       AND value IS NOT NULL ORDER BY time`,
    [patientId, metric, from, to],
  );
  return r.rows.map((x) => ({ t: x.time.toISOString(), v: x.value }));
}

export type RollupLevel = 'readings_1m' | 'readings_1h' | 'readings_1d';

/** The coarsest rollup whose buckets divide `bucketSeconds` evenly, or null for raw rows. */
export function rollupFor(bucketSeconds: number): RollupLevel | null {
  if (bucketSeconds % 86400 === 0) return 'readings_1d';
  if (bucketSeconds % 3600 === 0) return 'readings_1h';
  if (bucketSeconds % 60 === 0) return 'readings_1m';
  return null;
}

/**
 * Min/avg/max buckets of a patient's metric. Served from the rollups (continuous aggregates on
 * TimescaleDB, which include not-yet-materialised rows by themselves; rollup tables elsewhere,
 * completed here with the raw rows that arrived after the rollup job's watermark), never by
 * scanning the raw rows of the whole range.
 */
export async function bucketPoints(
  sql: Sql,
  patientId: string,
  metric: string,
  from: Date,
  to: Date,
  bucketSeconds: number,
) {
  const level = rollupFor(bucketSeconds);
  const params: unknown[] = [patientId, metric, from, to, bucketSeconds];
  let parts: string;
  let fresh = '';
  if (!level)
    parts = `SELECT time AS bucket, value AS min, value AS max, value AS sum, 1 AS n FROM readings
              WHERE patient_id = $1 AND metric = $2 AND time >= $3 AND time < $4 AND value IS NOT NULL`;
  else {
    const seconds = level === 'readings_1d' ? 86400 : level === 'readings_1h' ? 3600 : 60;
    parts = `SELECT bucket, min, max, sum, n FROM ${level}
              WHERE patient_id = $1 AND metric = $2 AND bucket >= date_bin(make_interval(secs => ${seconds}), $3::timestamptz, ${ORIGIN}) AND bucket < $4`;
    if (sql.backend !== 'timescaledb') {
      // Rows that arrived after the rollup job's watermark, found through the BRIN index on
      // arrival time alone (MATERIALIZED keeps the planner from walking the patient's whole
      // range instead, which it would do on a table not yet analysed after a bulk load).
      const wm = await sql.query<{ watermark: Date }>('SELECT watermark FROM rollup_state');
      params.push(wm.rows[0]!.watermark);
      fresh = `fresh AS MATERIALIZED (SELECT patient_id, metric, time, value FROM readings WHERE received_at > $6), `;
      parts += ` UNION ALL
             SELECT date_bin(make_interval(secs => ${seconds}), time, ${ORIGIN}), min(value), max(value), sum(value), count(*)
               FROM fresh WHERE patient_id = $1 AND metric = $2 AND time >= $3 AND time < $4 AND value IS NOT NULL GROUP BY 1`;
    }
  }
  const r = await sql.query<{ bucket: Date; min: number; avg: number; max: number; n: number }>(
    `WITH ${fresh}p AS (${parts})
     SELECT date_bin(make_interval(secs => $5), bucket, ${ORIGIN}) AS bucket,
            min(min) AS min, sum(sum) / sum(n) AS avg, max(max) AS max, sum(n)::int AS n
       FROM p GROUP BY 1 ORDER BY 1`,
    params,
  );
  return r.rows.map((x) => ({ t: x.bucket.toISOString(), min: x.min, avg: x.avg, max: x.max, n: x.n }));
}

const ORIGIN = "TIMESTAMPTZ '2000-01-01T00:00:00Z'";
