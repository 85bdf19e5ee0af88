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

export interface CareTeamMemberRow {
  user_id: string;
  display_name: string;
  profession: string;
  /** The member's organisation: the patient's when they belong to it, else their first. */
  organisation_id: string | null;
  team_role: 'attending' | 'lead' | 'member';
  clearance: 'team' | 'clinical' | 'restricted';
  kind: 'person' | 'display';
}

const MEMBER_COLUMNS = `c.user_id, u.display_name, u.profession, u.kind, c.team_role, c.clearance,
  COALESCE((SELECT m.organisation_id FROM memberships m WHERE m.user_id = c.user_id AND m.organisation_id = p.organisation_id),
           (SELECT m.organisation_id FROM memberships m WHERE m.user_id = c.user_id ORDER BY m.created_at, m.organisation_id LIMIT 1))
    AS organisation_id`;

/** A patient's care team, attending physicians first. */
export async function careTeamOf(sql: Sql, patientId: string): Promise<CareTeamMemberRow[]> {
  const r = await sql.query<CareTeamMemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM care_team_members c JOIN users u ON u.id = c.user_id JOIN patients p ON p.id = c.patient_id
      WHERE c.patient_id = $1
      ORDER BY CASE c.team_role WHEN 'attending' THEN 0 WHEN 'lead' THEN 1 ELSE 2 END, c.added_at, c.user_id`,
    [patientId],
  );
  return r.rows;
}

export async function careTeamMember(
  sql: Sql,
  patientId: string,
  userId: string,
): Promise<CareTeamMemberRow | undefined> {
  const r = await sql.query<CareTeamMemberRow>(
    `SELECT ${MEMBER_COLUMNS} FROM care_team_members c JOIN users u ON u.id = c.user_id JOIN patients p ON p.id = c.patient_id
      WHERE c.patient_id = $1 AND c.user_id = $2`,
    [patientId, userId],
  );
  return r.rows[0];
}

/**
 * Locks the patient's team for a change (the patient row, FOR UPDATE), so two removals at once
 * cannot both pass the "one attending physician stays" check.
 */
export async function lockCareTeam(tx: Sql, patientId: string): Promise<void> {
  await tx.query('SELECT id FROM patients WHERE id = $1 FOR UPDATE', [patientId]);
}

export async function removeCareTeamMember(sql: Sql, patientId: string, userId: string): Promise<boolean> {
  const r = await sql.query('DELETE FROM care_team_members WHERE patient_id = $1 AND user_id = $2', [
    patientId,
    userId,
  ]);
  // Their unread timeline posts of this patient go too: if they join again, they start afresh.
  await sql.query('DELETE FROM timeline_unread WHERE patient_id = $1 AND user_id = $2', [patientId, userId]);
  return r.rowCount > 0;
}

/** An active user by id with their profession, for adding to a team. */
export async function activeUser(
  sql: Sql,
  userId: string,
): Promise<{ id: string; display_name: string; profession: string; kind: 'person' | 'display' } | undefined> {
  const r = await sql.query<{ id: string; display_name: string; profession: string; kind: 'person' | 'display' }>(
    'SELECT id, display_name, profession, kind FROM users WHERE id = $1 AND disabled_at IS NULL',
    [userId],
  );
  return r.rows[0];
}
