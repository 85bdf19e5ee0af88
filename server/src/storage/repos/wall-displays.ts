/** Wall displays (migration 015): accounts of kind `display` and their device credentials. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';
import { NO_PASSWORD } from './people.ts';

export interface WallDisplayRow {
  id: string;
  organisation_id: string;
  display_name: string;
  initials_only: boolean;
  created_by: string;
  created_by_name: string;
  created_at: Date;
  rotated_at: Date | null;
  disabled_at: Date | null;
  last_seen_at: Date | null;
  patients: number;
}

const SELECT = `SELECT u.id, w.organisation_id, u.display_name, w.initials_only, w.created_by,
       c.display_name AS created_by_name, w.created_at, w.rotated_at, u.disabled_at,
       (SELECT max(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at,
       (SELECT count(*)::int FROM care_team_members t WHERE t.user_id = u.id) AS patients
  FROM wall_displays w JOIN users u ON u.id = w.user_id JOIN users c ON c.id = w.created_by`;

/** A new display account in the organisation (a staff membership, so its organisation is known). */
export async function createWallDisplay(
  sql: Sql,
  d: { organisationId: string; displayName: string; initialsOnly: boolean; tokenHash: string; createdBy: string },
): Promise<string> {
  const id = randomUUID();
  // The address is never used: a display signs in with its credential, never with a password.
  await sql.query(
    `INSERT INTO users (id, email, display_name, profession, password_hash, kind)
     VALUES ($1, $2, $3, 'other', $4, 'display')`,
    [id, `display-${id}@wall-display.invalid`, d.displayName, NO_PASSWORD],
  );
  await sql.query(`INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1, $2, 'staff')`, [
    id,
    d.organisationId,
  ]);
  await sql.query(
    `INSERT INTO wall_displays (user_id, organisation_id, token_hash, initials_only, created_by)
     VALUES ($1, $2, $3, $4, $5)`,
    [id, d.organisationId, d.tokenHash, d.initialsOnly, d.createdBy],
  );
  return id;
}

export async function listWallDisplays(sql: Sql, organisationId: string): Promise<WallDisplayRow[]> {
  const r = await sql.query<WallDisplayRow>(`${SELECT} WHERE w.organisation_id = $1 ORDER BY w.created_at, u.id`, [
    organisationId,
  ]);
  return r.rows;
}

export async function findWallDisplay(
  sql: Sql,
  organisationId: string,
  id: string,
): Promise<WallDisplayRow | undefined> {
  const r = await sql.query<WallDisplayRow>(`${SELECT} WHERE w.organisation_id = $1 AND u.id = $2`, [
    organisationId,
    id,
  ]);
  return r.rows[0];
}

/** The display a credential belongs to, when it is not revoked. */
export async function wallDisplayByToken(
  sql: Sql,
  tokenHash: string,
): Promise<{ id: string; organisation_id: string } | undefined> {
  const r = await sql.query<{ id: string; organisation_id: string }>(
    `SELECT u.id, w.organisation_id FROM wall_displays w JOIN users u ON u.id = w.user_id
      WHERE w.token_hash = $1 AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  return r.rows[0];
}

/** Whether a display shows patients by their initials. */
export async function wallDisplaySettings(sql: Sql, userId: string): Promise<{ initials_only: boolean } | undefined> {
  const r = await sql.query<{ initials_only: boolean }>('SELECT initials_only FROM wall_displays WHERE user_id = $1', [
    userId,
  ]);
  return r.rows[0];
}

export async function updateWallDisplay(
  sql: Sql,
  id: string,
  d: { displayName?: string; initialsOnly?: boolean },
): Promise<void> {
  if (d.initialsOnly !== undefined)
    await sql.query('UPDATE wall_displays SET initials_only = $2 WHERE user_id = $1', [id, d.initialsOnly]);
  if (d.displayName !== undefined)
    await sql.query('UPDATE users SET display_name = $2 WHERE id = $1', [id, d.displayName]);
}

export async function rotateWallDisplayToken(sql: Sql, id: string, tokenHash: string): Promise<void> {
  await sql.query('UPDATE wall_displays SET token_hash = $2, rotated_at = now() WHERE user_id = $1', [id, tokenHash]);
}
