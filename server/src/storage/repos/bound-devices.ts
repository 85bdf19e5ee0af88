/** Bound devices and their patients, as the alert checks read them (gateway offline, device silent). */
import type { Sql } from '../sql.ts';

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

export interface PatientDeviceRow {
  device_id: string;
  model: string | null;
  label: string | null;
  bound_from: Date;
  last_seen: Date | null;
  battery_level: number | null;
  battery_low: boolean | null;
  battery_at: Date | null;
  gateway_id: string | null;
  gateway_state: 'online' | 'offline' | null;
  gateway_since: Date | null;
}

/**
 * The devices bound to a patient now, with what a care team asks of them: when the gateway last
 * heard each (`last_seen`, kept by ingest), its battery, and whether the home's gateway is online
 * (the patient record's header).
 */
export async function devicesOfPatient(sql: Sql, patientId: string, at: Date): Promise<PatientDeviceRow[]> {
  const r = await sql.query<PatientDeviceRow>(
    `SELECT d.id AS device_id, d.model, d.label, b.valid_from AS bound_from, d.last_seen,
            bt.level AS battery_level, bt.low AS battery_low, bt.at AS battery_at,
            d.gateway_id, l.state AS gateway_state, l.since AS gateway_since
       FROM bindings b JOIN devices d ON d.id = b.device_id
       LEFT JOIN device_battery bt ON bt.device_id = d.id
       LEFT JOIN gateway_liveness l ON l.gateway_id = d.gateway_id
      WHERE b.patient_id = $1 AND b.valid_from <= $2 AND (b.valid_to IS NULL OR b.valid_to > $2)
      ORDER BY d.id`,
    [patientId, at],
  );
  return r.rows;
}
