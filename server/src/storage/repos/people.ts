/** Organisations, users, memberships and sessions. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export interface UserRow {
  id: string;
  email: string;
  display_name: string;
  profession: string;
  password_hash: string;
  locale: 'ja' | 'en';
  disabled_at: Date | null;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: string | number | null;
  /** `display`: a wall display's account (wall-displays.ts), never a person. */
  kind: 'person' | 'display';
}

export interface Membership {
  organisation_id: string;
  name: string;
  role: 'admin' | 'staff';
  require_mfa: boolean;
}

export async function countUsers(sql: Sql): Promise<number> {
  const r = await sql.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return r.rows[0]!.n;
}

export async function createOrganisation(
  sql: Sql,
  o: { name: string; kind: string; locale?: string; timezone?: string },
): Promise<string> {
  const id = randomUUID();
  await sql.query('INSERT INTO organisations (id, name, kind, locale, timezone) VALUES ($1,$2,$3,$4,$5)', [
    id,
    o.name,
    o.kind,
    o.locale ?? 'ja',
    o.timezone ?? 'Asia/Tokyo',
  ]);
  return id;
}

export async function createUser(
  sql: Sql,
  u: { email: string; displayName: string; profession?: string; passwordHash: string; locale?: string },
): Promise<string> {
  const id = randomUUID();
  await sql.query(
    'INSERT INTO users (id, email, display_name, profession, password_hash, locale) VALUES ($1,lower($2),$3,$4,$5,$6)',
    [id, u.email, u.displayName, u.profession ?? 'other', u.passwordHash, u.locale ?? 'ja'],
  );
  return id;
}

export async function addMembership(sql: Sql, userId: string, organisationId: string, role: 'admin' | 'staff') {
  await sql.query(
    'INSERT INTO memberships (user_id, organisation_id, role) VALUES ($1,$2,$3) ON CONFLICT (user_id, organisation_id) DO UPDATE SET role = excluded.role',
    [userId, organisationId, role],
  );
}

export async function findUserByEmail(sql: Sql, email: string): Promise<UserRow | undefined> {
  const r = await sql.query<UserRow>('SELECT * FROM users WHERE email = lower($1)', [email]);
  return r.rows[0];
}

export async function findUser(sql: Sql, id: string): Promise<UserRow | undefined> {
  const r = await sql.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return r.rows[0];
}

export async function membershipsOf(sql: Sql, userId: string): Promise<Membership[]> {
  const r = await sql.query<Membership>(
    `SELECT m.organisation_id, o.name, m.role, o.require_mfa
       FROM memberships m JOIN organisations o ON o.id = m.organisation_id
      WHERE m.user_id = $1 ORDER BY m.created_at`,
    [userId],
  );
  return r.rows;
}

/** A person invited by email: no usable password until they accept the invitation. */
export const NO_PASSWORD = '!';

export async function setPassword(sql: Sql, userId: string, passwordHash: string): Promise<void> {
  await sql.query('UPDATE users SET password_hash = $2, password_changed_at = now() WHERE id = $1', [
    userId,
    passwordHash,
  ]);
}

export async function disableUser(sql: Sql, userId: string): Promise<void> {
  await sql.query('UPDATE users SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1', [userId]);
}

export async function membershipRole(
  sql: Sql,
  userId: string,
  organisationId: string,
): Promise<'admin' | 'staff' | undefined> {
  const r = await sql.query<{ role: 'admin' | 'staff' }>(
    'SELECT role FROM memberships WHERE user_id = $1 AND organisation_id = $2',
    [userId, organisationId],
  );
  return r.rows[0]?.role;
}

/** The organisations a person belongs to (ids), to tell whether one administrator manages all of them. */
export async function organisationIdsOf(sql: Sql, userId: string): Promise<string[]> {
  const r = await sql.query<{ organisation_id: string }>('SELECT organisation_id FROM memberships WHERE user_id = $1', [
    userId,
  ]);
  return r.rows.map((x) => x.organisation_id);
}

export async function countAdmins(sql: Sql, organisationId: string): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND m.role = 'admin' AND u.disabled_at IS NULL`,
    [organisationId],
  );
  return r.rows[0]!.n;
}

export interface StaffRow {
  id: string;
  email: string;
  display_name: string;
  profession: string;
  role: 'admin' | 'staff';
  disabled_at: Date | null;
  totp_enabled_at: Date | null;
  invited: boolean;
}

const STAFF_COLUMNS = `u.id, u.email, u.display_name, u.profession, m.role, u.disabled_at, u.totp_enabled_at,
  u.password_hash = '${NO_PASSWORD}' AS invited`;

/** The staff (people; wall displays are listed by wall-displays.ts) of one organisation. */
export async function staffOf(sql: Sql, organisationId: string, userId?: string): Promise<StaffRow[]> {
  const r = await sql.query<StaffRow>(
    `SELECT ${STAFF_COLUMNS} FROM memberships m JOIN users u ON u.id = m.user_id
      WHERE m.organisation_id = $1 AND u.kind = 'person' AND ($2::uuid IS NULL OR u.id = $2)
      ORDER BY u.display_name, u.id`,
    [organisationId, userId ?? null],
  );
  return r.rows;
}

export async function organisationExists(sql: Sql, id: string): Promise<boolean> {
  const r = await sql.query('SELECT 1 FROM organisations WHERE id = $1', [id]);
  return r.rows.length === 1;
}

export async function setOrganisationPolicy(
  sql: Sql,
  id: string,
  p: { requireMfa?: boolean; name?: string },
): Promise<{ id: string; name: string; kind: string; require_mfa: boolean }> {
  const r = await sql.query<{ id: string; name: string; kind: string; require_mfa: boolean }>(
    `UPDATE organisations SET require_mfa = coalesce($2, require_mfa), name = coalesce($3, name)
      WHERE id = $1 RETURNING id, name, kind, require_mfa`,
    [id, p.requireMfa ?? null, p.name ?? null],
  );
  return r.rows[0]!;
}

export interface PersonRow {
  id: string;
  display_name: string;
  profession: string;
  email: string | null;
  organisations: { organisationId: string; name: string }[];
  kind: 'person' | 'display';
}

/**
 * People of every organisation whose name or email matches, for adding to a care team across
 * organisations (issue 13). The email only of people who share an organisation with the caller:
 * a nurse station finds the clinic's doctor by name and profession, not their address. Wall
 * displays are found only by members of their own organisation (who put them on teams).
 */
export async function searchPeople(sql: Sql, callerId: string, q: string, limit: number): Promise<PersonRow[]> {
  const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const r = await sql.query<PersonRow>(
    `SELECT u.id, u.display_name, u.profession, u.kind,
            CASE WHEN EXISTS (SELECT 1 FROM memberships a JOIN memberships b ON a.organisation_id = b.organisation_id
                               WHERE a.user_id = u.id AND b.user_id = $1) THEN u.email END AS email,
            coalesce((SELECT json_agg(json_build_object('organisationId', o.id, 'name', o.name) ORDER BY o.name)
                        FROM memberships m JOIN organisations o ON o.id = m.organisation_id
                       WHERE m.user_id = u.id), '[]'::json) AS organisations
       FROM users u
      WHERE u.disabled_at IS NULL
        AND (u.kind = 'person' OR EXISTS (
              SELECT 1 FROM memberships a JOIN memberships b ON a.organisation_id = b.organisation_id
               WHERE a.user_id = u.id AND b.user_id = $1))
        AND (u.display_name ILIKE $2 OR (u.email ILIKE $2 AND EXISTS (
              SELECT 1 FROM memberships a JOIN memberships b ON a.organisation_id = b.organisation_id
               WHERE a.user_id = u.id AND b.user_id = $1)))
      ORDER BY u.display_name, u.id LIMIT $3`,
    [callerId, pattern, limit],
  );
  return r.rows;
}
