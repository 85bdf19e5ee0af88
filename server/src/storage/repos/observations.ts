/**
 * Observations: what a member of the care team measured or assessed at a visit, stored as
 * readings of the patient (time source `observation`, device `observation`, no gateway, the
 * recorder named) so that every rule, NEWS2 and chart reads them like device readings. A
 * correction is a new observation that supersedes an earlier one; nothing is edited in place.
 */
import type { Sql } from '../sql.ts';
import { LATEST_UPSERT, type StoredReading } from './readings.ts';

/** The flag a superseded observation's readings carry: the alert rules and NEWS2 skip them. */
export const SUPERSEDED_FLAG = 'superseded';
export const OBSERVATION_DEVICE = 'observation';
/** Real gateway ids have at least 3 characters: the empty id is no gateway. */
const NO_GATEWAY = '';

export interface ObservedValue {
  metric: string;
  unit: string;
  value?: number;
  code?: string;
}

export interface NewObservation {
  id: string;
  patientId: string;
  time: Date;
  recordedBy: string;
  supersedes?: string;
  readings: ObservedValue[];
}

/** Stored rows also carry the code of a coded reading. */
export type ObservationReading = StoredReading & { code: string | null };

export const observationReadingId = (observationId: string, metric: string) => `obs:${observationId}:${metric}`;

/** Stores the observation and its readings, and moves the patient's latest values. */
export async function insertObservation(tx: Sql, o: NewObservation): Promise<ObservationReading[]> {
  await tx.query('INSERT INTO observations (id, patient_id, time, recorded_by, supersedes) VALUES ($1,$2,$3,$4,$5)', [
    o.id,
    o.patientId,
    o.time,
    o.recordedBy,
    o.supersedes ?? null,
  ]);
  const rows: ObservationReading[] = o.readings.map((r) => ({
    id: observationReadingId(o.id, r.metric),
    patient_id: o.patientId,
    device_id: OBSERVATION_DEVICE,
    gateway_id: NO_GATEWAY,
    flags: null,
    metric: r.metric,
    time: o.time,
    value: r.value ?? null,
    unit: r.unit,
    code: r.code ?? null,
  }));
  const ids = rows.map((r) => r.id);
  if (tx.backend === 'timescaledb')
    // The hypertable's key includes time: the id ledger keeps ids unique (see readings.ts).
    await tx.query('INSERT INTO reading_ids (id, time) SELECT * FROM unnest($1::text[], $2::timestamptz[])', [
      ids,
      rows.map((r) => r.time),
    ]);
  await tx.query(
    `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, code, unit, time_source,
                           recorded_by, batch_id)
     SELECT i.id, $2, $3, $4, i.metric, $5, i.value, i.code, i.unit, 'observation', $6, $7
       FROM unnest($1::text[], $8::text[], $9::float8[], $10::text[], $11::text[]) AS i(id, metric, value, code, unit)`,
    [
      ids,
      o.patientId,
      OBSERVATION_DEVICE,
      NO_GATEWAY,
      o.time,
      o.recordedBy,
      o.id,
      rows.map((r) => r.metric),
      rows.map((r) => r.value),
      rows.map((r) => r.code),
      rows.map((r) => r.unit),
    ],
  );
  await tx.query(
    `INSERT INTO latest_readings (patient_id, metric, value, code, unit, time, reading_id, recorded_by)
     SELECT $1, i.metric, i.value, i.code, i.unit, $2, i.id, $3
       FROM unnest($4::text[], $5::text[], $6::float8[], $7::text[], $8::text[]) AS i(id, metric, value, code, unit)
      ORDER BY i.metric
     ${LATEST_UPSERT}`,
    [
      o.patientId,
      o.time,
      o.recordedBy,
      ids,
      rows.map((r) => r.metric),
      rows.map((r) => r.value),
      rows.map((r) => r.code),
      rows.map((r) => r.unit),
    ],
  );
  return rows;
}

export interface ObservationRow {
  id: string;
  patient_id: string;
  time: Date;
  recorded_by: string;
  recorder_name: string;
  recorded_at: Date;
  supersedes: string | null;
  superseded_by: string | null;
}

const OBSERVATION_COLUMNS = `o.id, o.patient_id, o.time, o.recorded_by, u.display_name AS recorder_name, o.recorded_at,
  o.supersedes, (SELECT s.id FROM observations s WHERE s.supersedes = o.id) AS superseded_by`;

/** One observation of the patient, locked (a correction of it waits for another to finish). */
export async function lockObservation(tx: Sql, patientId: string, id: string): Promise<ObservationRow | undefined> {
  const r = await tx.query<ObservationRow>(
    `SELECT ${OBSERVATION_COLUMNS} FROM observations o JOIN users u ON u.id = o.recorded_by
      WHERE o.id = $1 AND o.patient_id = $2 FOR UPDATE OF o`,
    [id, patientId],
  );
  return r.rows[0];
}

/**
 * Marks an observation superseded: its readings are flagged (never changed otherwise) and the
 * latest value of each of its metrics falls back to the newest reading still standing.
 */
export async function markSuperseded(tx: Sql, patientId: string, observationId: string): Promise<void> {
  const r = await tx.query<{ metric: string }>(
    `UPDATE readings SET flags = array_append(COALESCE(flags, '{}'), $3)
      WHERE patient_id = $1 AND batch_id = $2 AND time_source = 'observation' RETURNING metric`,
    [patientId, observationId, SUPERSEDED_FLAG],
  );
  const metrics = r.rows.map((x) => x.metric);
  if (metrics.length === 0) return;
  await tx.query(
    `DELETE FROM latest_readings WHERE patient_id = $1 AND metric = ANY($2::text[])
        AND reading_id = ANY(SELECT id FROM readings WHERE patient_id = $1 AND batch_id = $3 AND time_source = 'observation')`,
    [patientId, metrics, observationId],
  );
  await tx.query(
    `INSERT INTO latest_readings (patient_id, metric, value, code, unit, time, reading_id, recorded_by)
     SELECT DISTINCT ON (metric) patient_id, metric, value, code, unit, time, id, recorded_by FROM readings
      WHERE patient_id = $1 AND metric = ANY($2::text[]) AND (value IS NOT NULL OR code IS NOT NULL)
        AND NOT (COALESCE(flags, '{}') && ARRAY[$3])
      ORDER BY metric, time DESC, received_at DESC
     ON CONFLICT (patient_id, metric) DO NOTHING`,
    [patientId, metrics, SUPERSEDED_FLAG],
  );
}

export interface ObservationReadingRow {
  id: string;
  batch_id: string;
  metric: string;
  value: number | null;
  code: string | null;
  unit: string;
}

/** The patient's observations recorded for times in [from, to), newest first, with their readings. */
export async function listObservations(
  sql: Sql,
  patientId: string,
  from: Date,
  to: Date,
  limit = 500,
): Promise<{ observation: ObservationRow; readings: ObservationReadingRow[] }[]> {
  const obs = await sql.query<ObservationRow>(
    `SELECT ${OBSERVATION_COLUMNS} FROM observations o JOIN users u ON u.id = o.recorded_by
      WHERE o.patient_id = $1 AND o.time >= $2 AND o.time < $3 ORDER BY o.time DESC, o.recorded_at DESC LIMIT $4`,
    [patientId, from, to, limit],
  );
  if (obs.rows.length === 0) return [];
  const readings = await sql.query<ObservationReadingRow>(
    `SELECT id, batch_id, metric, value, code, unit FROM readings
      WHERE patient_id = $1 AND time_source = 'observation' AND batch_id = ANY($2::text[])
        AND time >= $3 AND time < $4 ORDER BY metric`,
    [patientId, obs.rows.map((o) => o.id), from, to],
  );
  const byObservation = new Map<string, ObservationReadingRow[]>();
  for (const r of readings.rows) byObservation.set(r.batch_id, [...(byObservation.get(r.batch_id) ?? []), r]);
  return obs.rows.map((o) => ({ observation: o, readings: byObservation.get(o.id) ?? [] }));
}
