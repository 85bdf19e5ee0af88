/**
 * Login sessions (issue 13): an absolute lifetime (expires_at), an idle timeout measured from
 * last_seen_at, and sessions limited to enrolling a second factor. Sessions live in the database so
 * that every server instance sees a revocation at once.
 */
import type { Sql } from '../sql.ts';
import type { UserRow } from './people.ts';

export interface SessionRow {
  id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  ip: string | null;
  user_agent: string | null;
  enrol_only: boolean;
}

// last_seen_at is written at most once a minute per session: a wall display polling every few
// seconds would otherwise write on every request. The idle timeout is in minutes, so this is exact enough.
const TOUCH_AFTER_SECONDS = 60;

export async function createSession(
  sql: Sql,
  s: {
    tokenHash: string;
    userId: string;
    ttlSeconds: number;
    ip?: string;
    userAgent?: string;
    enrolOnly?: boolean;
    /** A wall display's session: watched, not used, so the idle timeout does not end it. */
    idleExempt?: boolean;
  },
): Promise<string> {
  const r = await sql.query<{ id: string }>(
    `INSERT INTO sessions (token_hash, user_id, expires_at, ip, user_agent, enrol_only, idle_exempt)
     VALUES ($1, $2, now() + make_interval(secs => $3), $4, $5, $6, $7) RETURNING id`,
    [
      s.tokenHash,
      s.userId,
      s.ttlSeconds,
      s.ip ?? null,
      s.userAgent?.slice(0, 300) ?? null,
      s.enrolOnly ?? false,
      s.idleExempt ?? false,
    ],
  );
  return r.rows[0]!.id;
}

/**
 * The live session of a token hash with its user: not past its absolute lifetime, not idle for
 * longer than `idleMinutes`, the user not disabled. Marks the session as used unless `touch` is
 * false (a live stream's periodic check: an open stream is not a person using the dashboard).
 */
export async function findLiveSession(
  sql: Sql,
  tokenHash: string,
  idleMinutes: number,
  touch = true,
): Promise<{ session: SessionRow; user: UserRow } | undefined> {
  const r = await sql.query<
    UserRow & {
      s_id: string;
      s_created_at: Date;
      s_last_seen_at: Date;
      s_expires_at: Date;
      s_ip: string | null;
      s_user_agent: string | null;
      s_enrol_only: boolean;
      stale: boolean;
    }
  >(
    `SELECT u.*, s.id AS s_id, s.created_at AS s_created_at, s.last_seen_at AS s_last_seen_at,
            s.expires_at AS s_expires_at, s.ip AS s_ip, s.user_agent AS s_user_agent, s.enrol_only AS s_enrol_only,
            s.last_seen_at < now() - make_interval(secs => $3) AS stale
       FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = $1 AND s.expires_at > now()
        AND (s.idle_exempt OR s.last_seen_at > now() - make_interval(mins => $2)) AND u.disabled_at IS NULL`,
    [tokenHash, idleMinutes, TOUCH_AFTER_SECONDS],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  if (row.stale && touch)
    await sql.query('UPDATE sessions SET last_seen_at = now() WHERE token_hash = $1', [tokenHash]);
  const { s_id, s_created_at, s_last_seen_at, s_expires_at, s_ip, s_user_agent, s_enrol_only, stale: _, ...user } = row;
  return {
    session: {
      id: s_id,
      created_at: s_created_at,
      last_seen_at: s_last_seen_at,
      expires_at: s_expires_at,
      ip: s_ip,
      user_agent: s_user_agent,
      enrol_only: s_enrol_only,
    },
    user,
  };
}

export async function listSessions(sql: Sql, userId: string): Promise<(SessionRow & { token_hash: string })[]> {
  const r = await sql.query<SessionRow & { token_hash: string }>(
    `SELECT id, token_hash, created_at, last_seen_at, expires_at, ip, user_agent, enrol_only
       FROM sessions WHERE user_id = $1 AND expires_at > now() ORDER BY last_seen_at DESC`,
    [userId],
  );
  return r.rows;
}

export async function deleteSession(sql: Sql, tokenHash: string): Promise<void> {
  await sql.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
}

/** Ends one of a user's sessions by its id; the token hash of the ended session, if there was one. */
export async function deleteSessionOfUser(sql: Sql, userId: string, id: string): Promise<string | undefined> {
  const r = await sql.query<{ token_hash: string }>(
    'DELETE FROM sessions WHERE user_id = $1 AND id = $2 RETURNING token_hash',
    [userId, id],
  );
  return r.rows[0]?.token_hash;
}

/** Ends every session of a user except the one kept; the token hashes ended. */
export async function deleteSessionsOfUser(sql: Sql, userId: string, keepTokenHash?: string): Promise<string[]> {
  const r = await sql.query<{ token_hash: string }>(
    'DELETE FROM sessions WHERE user_id = $1 AND token_hash IS DISTINCT FROM $2 RETURNING token_hash',
    [userId, keepTokenHash ?? null],
  );
  return r.rows.map((x) => x.token_hash);
}

/** A session limited to enrolment becomes a full one once the second factor is confirmed. */
export async function liftEnrolmentLimit(sql: Sql, tokenHash: string): Promise<void> {
  await sql.query('UPDATE sessions SET enrol_only = false WHERE token_hash = $1', [tokenHash]);
}
