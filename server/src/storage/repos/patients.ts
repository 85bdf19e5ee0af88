/**
 * Patients and who may see them. Access to a patient's data is care-team membership (or an
 * active emergency access) with a clearance that reaches the patient's vitals sensitivity:
 * `visiblePatientIds` is that rule as SQL, the one fragment every list and check uses.
 */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export type Clearance = 'team' | 'clinical' | 'restricted';
export const CLEARANCE_ORDER: Record<Clearance, number> = { team: 0, clinical: 1, restricted: 2 };

/** What an active emergency access grants: the access core treats its holder as `clinical`. */
export const EMERGENCY_CLEARANCE: Clearance = 'clinical';

/**
 * Default clearance by profession (issue 13, DOMAIN.md): physicians and dentists `restricted`;
 * nurses, pharmacists, therapists and dietitians `clinical`; care managers, care workers and
 * everyone else `team`. The attending physician or lead changes it per member.
 */
export function defaultClearance(profession: string): Clearance {
  switch (profession) {
    case 'physician':
    case 'dentist':
      return 'restricted';
    case 'nurse':
    case 'pharmacist':
    case 'therapist':
    case 'dietitian':
      return 'clinical';
    default:
      return 'team';
  }
}

export function isClearance(s: string): s is Clearance {
  return Object.hasOwn(CLEARANCE_ORDER, s);
}

/** Whether `clearance` reaches `level` (the rule `clearanceReaches` writes as SQL). */
export function reaches(clearance: Clearance, level: Clearance): boolean {
  return CLEARANCE_ORDER[clearance] >= CLEARANCE_ORDER[level];
}

export interface PatientRow {
  id: string;
  display_name: string;
  birth_date: string | null;
  timezone: string;
  organisation_id: string;
  vitals_sensitivity: Clearance;
  spo2_scale: 1 | 2;
  /** Where the patient is, as the team names it (a district of the round, a room). */
  area: string | null;
  created_at: Date;
}

export async function createPatient(
  sql: Sql,
  p: {
    displayName: string;
    birthDate?: string;
    timezone?: string;
    area?: string;
    organisationId: string;
    createdBy: string;
  },
): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO patients (id, display_name, birth_date, timezone, organisation_id, created_by, area)
     VALUES ($1,$2,$3,$4,$5,$6,$7)`,
    [id, p.displayName, p.birthDate ?? null, p.timezone ?? 'Asia/Tokyo', p.organisationId, p.createdBy, p.area ?? null],
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

export const PATIENT_COLUMNS = `p.id, p.display_name, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.timezone,
  p.organisation_id, p.vitals_sensitivity, p.spo2_scale, p.area, p.created_at`;

/**
 * The ids of the patients a user may see, as a parenthesised subquery of one column
 * (`patient_id`) for `p.id IN ${visiblePatientIds('$1')}`: care-team membership whose clearance
 * reaches the patient's vitals sensitivity, or an active emergency access (EMERGENCY_CLEARANCE).
 * `userRef` is the placeholder of the user's id in the caller's parameters; `patientRef`, when
 * given, narrows it to that patient (a placeholder that may hold null for "any"), so a check of
 * one patient does not compute the whole set. Every list of patient data (patients, alerts,
 * deliveries, reports, the live stream) and the access core use this one.
 */
export function visiblePatientIds(userRef: string, patientRef?: string): string {
  const only = (col: string) => (patientRef ? ` AND (${patientRef} IS NULL OR ${col} = ${patientRef})` : '');
  return `(SELECT vc.patient_id FROM care_team_members vc JOIN patients vp ON vp.id = vc.patient_id
      WHERE vc.user_id = ${userRef}${only('vc.patient_id')} AND ${clearanceReaches('vc.clearance', 'vp.vitals_sensitivity')}
    UNION ALL
    SELECT ve.patient_id FROM emergency_access ve JOIN patients vp ON vp.id = ve.patient_id
      WHERE ve.user_id = ${userRef}${only('ve.patient_id')} AND ve.ended_at IS NULL AND ve.expires_at > now()
        AND ${clearanceReaches(`'${EMERGENCY_CLEARANCE}'`, 'vp.vitals_sensitivity')})`;
}

/** The patient if the user may see it (visiblePatientIds). */
export async function findVisiblePatient(sql: Sql, userId: string, patientId: string): Promise<PatientRow | undefined> {
  const r = await sql.query<PatientRow>(
    `SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = $2 AND p.id IN ${visiblePatientIds('$1::uuid', '$2::uuid')}`,
    [userId, patientId],
  );
  return r.rows[0];
}

/** What the access core needs to decide about one patient and one user, in one query. */
export interface PatientGrantRow extends PatientRow {
  visible: boolean;
  team_role: 'attending' | 'lead' | 'member' | null;
  clearance: Clearance | null;
  emergency_until: Date | null;
  /** The user belongs to the registering organisation or to one with someone on the team. */
  related_organisation: boolean;
}

/**
 * The patient (undefined when there is none) with the user's standing towards it.
 * `related_organisation` is computed only when asked (opening an emergency access), else false.
 */
export async function patientGrant(
  sql: Sql,
  userId: string,
  patientId: string,
  o: { relatedOrganisation?: boolean } = {},
): Promise<PatientGrantRow | undefined> {
  const related = o.relatedOrganisation
    ? `EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = $1 AND (m.organisation_id = p.organisation_id
         OR m.organisation_id IN (SELECT tm.organisation_id FROM care_team_members t
           JOIN memberships tm ON tm.user_id = t.user_id WHERE t.patient_id = p.id)))`
    : 'false';
  const r = await sql.query<PatientGrantRow>(
    `SELECT ${PATIENT_COLUMNS}, p.id IN ${visiblePatientIds('$1::uuid', '$2::uuid')} AS visible, c.team_role, c.clearance,
            (SELECT max(e.expires_at) FROM emergency_access e WHERE e.patient_id = p.id AND e.user_id = $1
                AND e.ended_at IS NULL AND e.expires_at > now()) AS emergency_until,
            ${related} AS related_organisation
       FROM patients p LEFT JOIN care_team_members c ON c.patient_id = p.id AND c.user_id = $1
      WHERE p.id = $2`,
    [userId, patientId],
    // Every patient-scoped request runs this: planned once per connection, it costs a quarter.
    { prepare: true },
  );
  return r.rows[0];
}

export async function patientExists(sql: Sql, patientId: string): Promise<boolean> {
  const r = await sql.query('SELECT 1 FROM patients WHERE id = $1', [patientId]);
  return r.rowCount > 0;
}

export async function listVisiblePatients(sql: Sql, userId: string): Promise<PatientRow[]> {
  const r = await sql.query<PatientRow>(
    `SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id IN ${visiblePatientIds('$1::uuid')}
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

/** Users who may see a patient's vitals (for live fan-out): the reverse of visiblePatientIds. */
export async function patientViewers(sql: Sql, patientId: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    `SELECT c.user_id FROM care_team_members c JOIN patients p ON p.id = c.patient_id
      WHERE c.patient_id = $1 AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}
     UNION
     SELECT e.user_id FROM emergency_access e JOIN patients p ON p.id = e.patient_id
      WHERE e.patient_id = $1 AND e.ended_at IS NULL AND e.expires_at > now()
        AND ${clearanceReaches(`'${EMERGENCY_CLEARANCE}'`, 'p.vitals_sensitivity')}`,
    [patientId],
  );
  return r.rows.map((x) => x.user_id);
}

/** What PATCH /patients/{id} may change. */
export interface PatientChanges {
  displayName?: string;
  timezone?: string;
  spo2Scale?: 1 | 2;
  vitalsSensitivity?: Clearance;
  /** null clears it. */
  area?: string | null;
}

const PATIENT_CHANGE_COLUMNS = {
  displayName: 'display_name',
  timezone: 'timezone',
  spo2Scale: 'spo2_scale',
  vitalsSensitivity: 'vitals_sensitivity',
  area: 'area',
} as const satisfies Record<keyof PatientChanges, string>;

/** Changes the given fields; the row is locked by the caller's transaction until it ends. */
export async function updatePatient(sql: Sql, patientId: string, c: PatientChanges): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [patientId];
  for (const [field, column] of Object.entries(PATIENT_CHANGE_COLUMNS)) {
    const v = c[field as keyof PatientChanges];
    if (v === undefined) continue;
    params.push(v);
    sets.push(`${column} = $${params.length}`);
  }
  if (sets.length === 0) return;
  await sql.query(`UPDATE patients SET ${sets.join(', ')} WHERE id = $1`, params);
}

/** The row as it is now, locked for the rest of the transaction. */
export async function lockPatient(sql: Sql, patientId: string): Promise<PatientRow | undefined> {
  const r = await sql.query<PatientRow>(`SELECT ${PATIENT_COLUMNS} FROM patients p WHERE p.id = $1 FOR UPDATE`, [
    patientId,
  ]);
  return r.rows[0];
}

/** The NEWS2 SpO2 scale of each patient (1 when not prescribed otherwise). */
export async function spo2ScalesOf(sql: Sql, patientIds: string[]): Promise<Map<string, 1 | 2>> {
  const out = new Map<string, 1 | 2>();
  if (patientIds.length === 0) return out;
  const r = await sql.query<{ id: string; spo2_scale: number }>(
    'SELECT id, spo2_scale FROM patients WHERE id = ANY($1::uuid[]) AND spo2_scale <> 1',
    [patientIds],
  );
  for (const x of r.rows) out.set(x.id, x.spo2_scale === 2 ? 2 : 1);
  return out;
}
