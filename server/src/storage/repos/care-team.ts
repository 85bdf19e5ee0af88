/** Care-team membership as alerting and paging read it: roles, organisations, active people. */
import type { Sql } from '../sql.ts';

/** The user's role on the patient's care team, if a member. */
export async function teamRoleOf(
  sql: Sql,
  patientId: string,
  userId: string,
): Promise<'attending' | 'lead' | 'member' | undefined> {
  const r = await sql.query<{ team_role: 'attending' | 'lead' | 'member' }>(
    'SELECT team_role FROM care_team_members WHERE patient_id = $1 AND user_id = $2',
    [patientId, userId],
  );
  return r.rows[0]?.team_role;
}

/** Care-team members of a patient in a team role. */
export async function teamMembersInRole(sql: Sql, patientId: string, role: string): Promise<string[]> {
  const r = await sql.query<{ user_id: string }>(
    'SELECT user_id FROM care_team_members WHERE patient_id = $1 AND team_role = $2 ORDER BY added_at',
    [patientId, role],
  );
  return r.rows.map((x) => x.user_id);
}

/** Organisations with at least one member on the patient's care team. */
export async function organisationsOnCareTeam(sql: Sql, patientId: string): Promise<Set<string>> {
  const r = await sql.query<{ organisation_id: string }>(
    `SELECT DISTINCT m.organisation_id FROM care_team_members c JOIN memberships m ON m.user_id = c.user_id
      WHERE c.patient_id = $1`,
    [patientId],
  );
  return new Set(r.rows.map((x) => x.organisation_id));
}

/** Which of `userIds` are active members of the organisation. */
export async function activeMembersOf(sql: Sql, organisationId: string, userIds: string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const r = await sql.query<{ user_id: string }>(
    `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND m.user_id = ANY($2::uuid[]) AND u.disabled_at IS NULL`,
    [organisationId, userIds],
  );
  return new Set(r.rows.map((x) => x.user_id));
}

export async function usersByIds(sql: Sql, ids: string[]) {
  if (ids.length === 0)
    return new Map<string, { id: string; display_name: string; locale: 'ja' | 'en'; email: string }>();
  const r = await sql.query<{ id: string; display_name: string; locale: 'ja' | 'en'; email: string }>(
    'SELECT id, display_name, locale, email FROM users WHERE id = ANY($1::uuid[]) AND disabled_at IS NULL',
    [ids],
  );
  return new Map(r.rows.map((u) => [u.id, u]));
}
