/**
 * Device-to-patient bindings valid for a time range. Creating one attaches the readings
 * that arrived while the device was unbound (devices are often used before the paperwork).
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';
import { LATEST_UPSERT, type StoredReading } from './readings.ts';

export interface BindingRow {
  id: string;
  device_id: string;
  patient_id: string;
  valid_from: Date;
  valid_to: Date | null;
}

/** Ends the device's open binding at `from` (a device is reassigned) and creates the new one. */
export async function createBinding(
  tx: Sql,
  b: { deviceId: string; patientId: string; from: string; createdBy: string },
): Promise<{ binding: BindingRow; attached: number; attachedRows: StoredReading[]; overlaps: boolean }> {
  // Kept at millisecond precision: ingest matches readings to bindings in memory, in milliseconds.
  b = { ...b, from: new Date(b.from).toISOString() };
  const overlap = await tx.query(`SELECT 1 FROM bindings WHERE device_id = $1 AND valid_from >= $2`, [
    b.deviceId,
    b.from,
  ]);
  if (overlap.rowCount > 0) return { binding: undefined as never, attached: 0, attachedRows: [], overlaps: true };
  await tx.query(
    `UPDATE bindings SET valid_to = $2 WHERE device_id = $1 AND (valid_to IS NULL OR valid_to > $2) AND valid_from < $2`,
    [b.deviceId, b.from],
  );
  const id = randomUUID();
  const r = await tx.query<BindingRow>(
    `INSERT INTO bindings (id, device_id, patient_id, valid_from, created_by) VALUES ($1,$2,$3,$4,$5)
     RETURNING id, device_id, patient_id, valid_from, valid_to`,
    [id, b.deviceId, b.patientId, b.from, b.createdBy],
  );
  const attached = await tx.query<StoredReading>(
    // received_at moves to now: for the rollup job these readings arrive in the patient's record now.
    // They come back so that the alert rules see them too (on their measurement time).
    `UPDATE readings SET patient_id = $2, received_at = now() WHERE device_id = $1 AND patient_id IS NULL AND time >= $3
     RETURNING id, patient_id, device_id, gateway_id, flags, metric, time, value, unit`,
    [b.deviceId, b.patientId, b.from],
  );
  if (attached.rowCount > 0) await refreshLatest(tx, b.patientId);
  const attachedRows = attached.rows.sort((x, y) => x.time.getTime() - y.time.getTime());
  return { binding: r.rows[0]!, attached: attachedRows.length, attachedRows, overlaps: false };
}

/** Recomputes the latest value of every metric of a patient from the readings. */
export async function refreshLatest(tx: Sql, patientId: string) {
  await tx.query(
    `INSERT INTO latest_readings (patient_id, metric, value, unit, time, reading_id)
     SELECT DISTINCT ON (metric) patient_id, metric, value, unit, time, id FROM readings
      WHERE patient_id = $1 AND value IS NOT NULL ORDER BY metric, time DESC
     ${LATEST_UPSERT}`,
    [patientId],
  );
}
