/** Patients and their care teams. Access to a patient's data is care-team membership. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export type Clearance = 'team' | 'clinical' | 'restricted';
export const CLEARANCE_ORDER: Record<Clearance, number> = { team: 0, clinical: 1, restricted: 2 };

/** Default clearance by profession (DOMAIN.md: care workers see `team`, professionals `clinical`). */
export function defaultClearance(profession: string): Clearance {
  switch (profession) {
    case 'physician':
    case 'dentist':
      return 'restricted';
    case 'nurse':
    case 'pharmacist':
    case 'therapist':
    case 'dietitian':
    case 'care_manager':
      return 'clinical';
    default:
      return 'team';
  }
}

export interface PatientRow {
  id: string;
  display_name: string;
  birth_date: string | null;
  timezone: string;
  organisation_id: string;
  vitals_sensitivity: Clearance;
  created_at: Date;
}

export async function createPatient(
  sql: Sql,
  p: { displayName: string; birthDate?: string; timezone?: string; organisationId: string; createdBy: string },
): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO patients (id, display_name, birth_date, timezone, organisation_id, created_by)
     VALUES ($1,$2,$3,$4,$5,$6)`,
    [id, p.displayName, p.birthDate ?? null, p.timezone ?? 'Asia/Tokyo', p.organisationId, p.createdBy],
  );
  return id;
}

export async function addCareTeamMember(
  sql: Sql,
  m: {
    patientId: string;
    userId: string;
    teamRole: 'attending' | 'lead' | 'member';
    clearance: Clearance;
    addedBy: string;
  },
) {
  await sql.query(
    `INSERT INTO care_team_members (patient_id, user_id, team_role, clearance, added_by) VALUES ($1,$2,$3,$4,$5)
     ON CONFLICT (patient_id, user_id) DO UPDATE SET team_role = excluded.team_role, clearance = excluded.clearance`,
    [m.patientId, m.userId, m.teamRole, m.clearance, m.addedBy],
  );
}

const PATIENT_COLUMNS = `p.id, p.display_name, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.timezone,
  p.organisation_id, p.vitals_sensitivity, p.created_at`;

/** The patient if `userId` is on the care team with clearance reaching the vitals level. */
export async function findVisiblePatient(sql: Sql, userId: string, patientId: string): Promise<PatientRow | undefined> {
  const r = await sql.query<PatientRow>(
    `SELECT ${PATIENT_COLUMNS} FROM patients p
       JOIN care_team_members c ON c.patient_id = p.id AND c.user_id = $1
      WHERE p.id = $2 AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}`,
    [userId, patientId],
  );
  return r.rows[0];
}

export async function patientExists(sql: Sql, patientId: string): Promise<boolean> {
  const r = await sql.query('SELECT 1 FROM patients WHERE id = $1', [patientId]);
  return r.rowCount > 0;
}

export async function listVisiblePatients(sql: Sql, userId: string): Promise<PatientRow[]> {
  const r = await sql.query<PatientRow>(
    `SELECT ${PATIENT_COLUMNS} FROM patients p
       JOIN care_team_members c ON c.patient_id = p.id AND c.user_id = $1
      WHERE ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}
      ORDER BY p.display_name, p.id`,
    [userId],
  );
  return r.rows;
}

/** SQL predicate: a member's clearance reaches an item's sensitivity level. */
export function clearanceReaches(clearanceCol: string, levelCol: string): string {
  const cases = Object.entries(CLEARANCE_ORDER)
    .map(([level, n]) => `WHEN '${level}' THEN ${n}`)
    .join(' ');
  const rank = (c: string) => `(CASE ${c} ${cases} END)`;
  return `${rank(clearanceCol)} >= ${rank(levelCol)}`;
}

/** Users who may see a patient's vitals (for live fan-out). */
export async function patientViewers(sql: Sql, patientId: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `SELECT c.user_id FROM care_team_members c JOIN patients p ON p.id = c.patient_id
      WHERE c.patient_id = $1 AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}`,
    [patientId],
  );
  return r.rows.map((x) => x.user_id);
}
