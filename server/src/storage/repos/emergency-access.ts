/** Emergency access ("break-glass"): time-limited access to a patient outside the care team. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export interface EmergencyAccessRow {
  id: string;
  patient_id: string;
  user_id: string;
  organisation_id: string | null;
  reason: string;
  started_at: Date;
  expires_at: Date;
  ended_at: Date | null;
}

/** Opens an emergency access lasting `minutes` from the database's now. */
export async function openEmergencyAccess(
  sql: Sql,
  e: { patientId: string; userId: string; organisationId: string | null; reason: string; minutes: number },
): Promise<EmergencyAccessRow> {
  const r = await sql.query<EmergencyAccessRow>(
    `INSERT INTO emergency_access (id, patient_id, user_id, organisation_id, reason, started_at, expires_at)
     VALUES ($1,$2,$3,$4,$5, now(), now() + make_interval(mins => $6::int)) RETURNING *`,
    [randomUUID(), e.patientId, e.userId, e.organisationId, e.reason, e.minutes],
  );
  return r.rows[0]!;
}

/** Emergency accesses to a patient, newest first (running and ended). */
export async function emergencyAccessesOf(sql: Sql, patientId: string, limit = 100): Promise<EmergencyAccessRow[]> {
  const r = await sql.query<EmergencyAccessRow>(
    'SELECT * FROM emergency_access WHERE patient_id = $1 ORDER BY started_at DESC LIMIT $2',
    [patientId, limit],
  );
  return r.rows;
}

/** Administrators of an organisation (active users), to tell them of an emergency access. */
export async function organisationAdmins(sql: Sql, organisationId: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND m.role = 'admin' AND u.disabled_at IS NULL ORDER BY m.created_at`,
    [organisationId],
  );
  return r.rows.map((x) => x.user_id);
}
