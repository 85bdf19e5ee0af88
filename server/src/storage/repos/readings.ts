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
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[],
         $8::text[], $9::text[], $10::text[], $11::float8[], $12::text[], $13::text[], $14::text[], $15::text[])
         AS i(id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, flags, source_value,
              source_unit, group_id, batch_id, code)
     )`;

/**
 * On PostgreSQL and PGlite the readings' primary key is the id. A TimescaleDB hypertable's
 * keys must include time, so there a ledger of ids admits each id once. Nothing comes back:
 * everything about an inserted row is already in memory (on the embedded database, parsing
 * the rows back cost as much as inserting them), and the row count says whether all were new.
 */
function insertSql(backend: Sql['backend']): string {
  const ledger =
    backend === 'timescaledb'
      ? `, fresh AS (
       INSERT INTO reading_ids (id, time) SELECT id, time FROM input ON CONFLICT (id) DO NOTHING RETURNING id, time
     )`
      : '';
  const source = backend === 'timescaledb' ? 'input i JOIN fresh USING (id, time)' : 'input i';
  const conflict = backend === 'timescaledb' ? 'ON CONFLICT DO NOTHING' : 'ON CONFLICT (id) DO NOTHING';
  return `WITH ${INPUT}${ledger}
     INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, flags,
                           source_value, source_unit, group_id, batch_id, code)
     SELECT i.id, i.patient_id, i.device_id, i.gateway_id, i.metric, i.time, i.value, i.unit, i.time_source,
            CASE WHEN i.flags IS NULL THEN NULL ELSE string_to_array(i.flags, chr(31)) END,
            i.source_value, i.source_unit, i.group_id, i.batch_id, i.code
       FROM ${source}
     ${conflict}`;
}

interface Binding {
  patient_id: string;
  from: number;
  to: number;
}

/**
 * The bindings of these devices, newest first per device. Bindings are kept at millisecond
 * precision (see createBinding), so comparing them with a reading's millisecond time here
 * gives the same answer as comparing in SQL would.
 */
async function bindingsOf(tx: Sql, deviceIds: string[]): Promise<Map<string, Binding[]>> {
  const r = await tx.query<{ device_id: string; patient_id: string; valid_from: Date; valid_to: Date | null }>(
    `SELECT device_id, patient_id, valid_from, valid_to FROM bindings WHERE device_id = ANY($1::text[])
      ORDER BY device_id, valid_from DESC`,
    [deviceIds],
  );
  const out = new Map<string, Binding[]>();
  for (const b of r.rows) {
    const list = out.get(b.device_id) ?? [];
    list.push({ patient_id: b.patient_id, from: b.valid_from.getTime(), to: b.valid_to?.getTime() ?? Infinity });
    out.set(b.device_id, list);
  }
  return out;
}

/** The patient whose binding covers the device at time t (the newest binding that does). */
function patientAt(bindings: Binding[] | undefined, t: number): string | null {
  if (!bindings) return null;
  for (const b of bindings) if (b.from <= t && t < b.to) return b.patient_id;
  return null;
}

/**
 * Inserts readings once per id; the device's binding at the reading's time picks the
 * patient. Returns the rows actually inserted (ids already stored, and the repeats of an id
 * within the batch, are left out), and moves each patient's latest values forward.
 */
export async function insertReadings(tx: Sql, all: IncomingReading[]): Promise<StoredReading[]> {
  if (all.length === 0) return [];
  // An id repeated within the batch is a re-send of its first occurrence (checked for conflicts
  // by the caller); the statement sees each id once.
  const once = new Set<string>();
  const items = all.filter((x) => !once.has(x.reading.id) && once.add(x.reading.id));
  const bindings = await bindingsOf(tx, [...new Set(items.map((x) => x.reading.device.id))]);
  const rows: StoredReading[] = items.map((x) => {
    const time = new Date(x.reading.time);
    return {
      id: x.reading.id,
      patient_id: patientAt(bindings.get(x.reading.device.id), time.getTime()),
      device_id: x.reading.device.id,
      gateway_id: x.gatewayId,
      flags: x.reading.flags?.length ? x.reading.flags : null,
      metric: x.reading.metric,
      time,
      value: x.reading.value ?? null,
      unit: x.reading.unit,
    };
  });
  const col = <T>(f: (x: IncomingReading) => T) => items.map(f);
  const r = await tx.query(insertSql(tx.backend), [
    col((x) => x.reading.id),
    rows.map((x) => x.patient_id),
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
    // A coded metric's code (consciousness from a device), read by NEWS2.
    col((x) => x.reading.code ?? null),
  ]);
  let inserted = rows;
  if (r.rowCount !== rows.length) {
    // Some ids were stored before: the rows this transaction wrote are the new ones.
    const mine = await tx.query<{ id: string }>(
      `SELECT id FROM ${tx.backend === 'timescaledb' ? 'reading_ids' : 'readings'}
        WHERE id = ANY($1::text[]) AND xmin = pg_current_xact_id()::xid`,
      [rows.map((x) => x.id)],
    );
    const fresh = new Set(mine.rows.map((x) => x.id));
    inserted = rows.filter((x) => fresh.has(x.id));
  }
  await moveLatest(tx, inserted);
  return inserted;
}

/** How a newer value replaces a patient's latest value of a metric (an older one never does). */
export const LATEST_UPSERT = `ON CONFLICT (patient_id, metric) DO UPDATE SET value = excluded.value, unit = excluded.unit,
       time = excluded.time, reading_id = excluded.reading_id, code = excluded.code, recorded_by = excluded.recorded_by
     WHERE excluded.time >= latest_readings.time`;

/** The newest value of each patient and metric among these rows becomes the latest, if newer. */
async function moveLatest(tx: Sql, rows: StoredReading[]) {
  const newest = new Map<string, StoredReading>();
  for (const x of rows) {
    if (!x.patient_id || x.value === null) continue;
    const key = `${x.patient_id}|${x.metric}`;
    const seen = newest.get(key);
    if (!seen || seen.time < x.time) newest.set(key, x);
  }
  if (newest.size === 0) return;
  const list = [...newest.values()].sort((a, b) =>
    // One order for every commit: concurrent commits then lock these rows without deadlock.
    a.patient_id! < b.patient_id! ? -1 : a.patient_id! > b.patient_id! ? 1 : a.metric < b.metric ? -1 : 1,
  );
  await tx.query(
    `INSERT INTO latest_readings (patient_id, metric, value, unit, time, reading_id)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::float8[], $4::text[], $5::timestamptz[], $6::text[])
     ${LATEST_UPSERT}`,
    [
      list.map((x) => x.patient_id),
      list.map((x) => x.metric),
      list.map((x) => x.value),
      list.map((x) => x.unit),
      list.map((x) => x.time),
      list.map((x) => x.id),
    ],
  );
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

/** A latest value: `code` instead of `value` for a coded metric; who recorded it when the team did. */
export interface LatestValue {
  value?: number;
  code?: string;
  unit: string;
  time: string;
  source?: 'observation';
  recordedBy?: { id: string; displayName: string };
}

interface LatestRow {
  metric: string;
  value: number | null;
  code: string | null;
  unit: string;
  time: Date;
  recorded_by: string | null;
  recorder_name: string | null;
}

const LATEST_COLUMNS = `l.metric, l.value, l.code, l.unit, l.time, l.recorded_by, u.display_name AS recorder_name
  FROM latest_readings l LEFT JOIN users u ON u.id = l.recorded_by`;

function latestJson(x: LatestRow): LatestValue {
  return {
    ...(x.value !== null ? { value: x.value } : {}),
    ...(x.code !== null ? { code: x.code } : {}),
    unit: x.unit,
    time: x.time.toISOString(),
    ...(x.recorded_by !== null
      ? { source: 'observation' as const, recordedBy: { id: x.recorded_by, displayName: x.recorder_name ?? '' } }
      : {}),
  };
}

export async function latestOfPatient(sql: Sql, patientId: string): Promise<Record<string, LatestValue>> {
  const r = await sql.query<LatestRow>(`SELECT ${LATEST_COLUMNS} WHERE l.patient_id = $1 ORDER BY l.metric`, [
    patientId,
  ]);
  return Object.fromEntries(r.rows.map((x) => [x.metric, latestJson(x)]));
}

export async function latestOfPatients(
  sql: Sql,
  patientIds: string[],
): Promise<Map<string, Record<string, LatestValue>>> {
  const out = new Map<string, Record<string, LatestValue>>(patientIds.map((id) => [id, {}]));
  if (patientIds.length === 0) return out;
  const r = await sql.query<LatestRow & { patient_id: string }>(
    `SELECT l.patient_id, ${LATEST_COLUMNS} WHERE l.patient_id = ANY($1::uuid[])`,
    [patientIds],
  );
  for (const x of r.rows) out.get(x.patient_id)![x.metric] = latestJson(x);
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

export interface RawPoint {
  t: string;
  v?: number;
  /** A coded metric's code (consciousness: ACVPU). */
  code?: string;
  /** Recorded by a member of the care team, not measured by a device. */
  source?: 'observation';
  recordedBy?: { id: string; displayName: string };
}

/** Raw values (or codes) in time order; an observation that was corrected is left out. */
export async function rawPoints(
  sql: Sql,
  patientId: string,
  metric: string,
  from: Date,
  to: Date,
): Promise<RawPoint[]> {
  const r = await sql.query<{
    time: Date;
    value: number | null;
    code: string | null;
    recorded_by: string | null;
    recorder_name: string | null;
  }>(
    `SELECT r.time, r.value, r.code, r.recorded_by, u.display_name AS recorder_name
       FROM readings r LEFT JOIN users u ON u.id = r.recorded_by
      WHERE r.patient_id = $1 AND r.metric = $2 AND r.time >= $3 AND r.time < $4
        AND (r.value IS NOT NULL OR r.code IS NOT NULL) AND NOT (COALESCE(r.flags, '{}') && ARRAY['superseded'])
      ORDER BY r.time`,
    [patientId, metric, from, to],
  );
  return r.rows.map((x) => ({
    t: x.time.toISOString(),
    ...(x.value !== null ? { v: x.value } : {}),
    ...(x.code !== null ? { code: x.code } : {}),
    ...(x.recorded_by !== null
      ? { source: 'observation' as const, recordedBy: { id: x.recorded_by, displayName: x.recorder_name ?? '' } }
      : {}),
  }));
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
