/** Planned absences: a patient away (hospital, short stay), so missing data is expected. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

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

/** The planned absence of a patient at `at` that ends last, if any. */
export async function activeAbsence(sql: Sql, patientId: string, at: Date): Promise<AbsenceRow | undefined> {
  const r = await sql.query<AbsenceRow>(
    `SELECT * FROM planned_absences WHERE patient_id = $1 AND cancelled_at IS NULL AND starts_at <= $2 AND ends_at > $2
      ORDER BY ends_at DESC LIMIT 1`,
    [patientId, at],
  );
  return r.rows[0];
}
