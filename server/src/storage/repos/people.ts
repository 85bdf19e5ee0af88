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
}

export interface Membership {
  organisation_id: string;
  role: 'admin' | 'staff';
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
    'SELECT organisation_id, role FROM memberships WHERE user_id = $1 ORDER BY created_at',
    [userId],
  );
  return r.rows;
}

export async function createSession(sql: Sql, tokenHash: string, userId: string, ttlSeconds: number, ip?: string) {
  await sql.query(
    `INSERT INTO sessions (token_hash, user_id, expires_at, ip) VALUES ($1, $2, now() + make_interval(secs => $3), $4)`,
    [tokenHash, userId, ttlSeconds, ip ?? null],
  );
}

export async function findSessionUser(sql: Sql, tokenHash: string): Promise<UserRow | undefined> {
  const r = await sql.query<UserRow>(
    `SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [tokenHash],
  );
  return r.rows[0];
}

export async function deleteSession(sql: Sql, tokenHash: string) {
  await sql.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}
