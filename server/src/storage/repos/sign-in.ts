/**
 * What sign-in keeps between requests (issue 13): the soft lock-out per account, the challenge
 * between password and second factor, TOTP enrolment and recovery codes. All in the database,
 * so that several server instances enforce one lock and one single-use rule.
 */
import type { Sql } from '../sql.ts';

/** Failures in a row before an account locks, and the first lock's length (doubling after, ≤ 24 h). */
export const LOCK_AFTER_FAILURES = 5;
export const FIRST_LOCK_MINUTES = 15;
const MAX_LOCK_MINUTES = 24 * 60;

/** When the account of this email is locked, until when. */
export async function lockedUntil(sql: Sql, email: string): Promise<Date | null> {
  const r = await sql.query<{ locked_until: Date }>(
    'SELECT locked_until FROM login_failures WHERE email = lower($1) AND locked_until > now()',
    [email],
  );
  return r.rows[0]?.locked_until ?? null;
}

/**
 * Counts a failed sign-in of an email (known or not). Every LOCK_AFTER_FAILURES-th failure in a
 * row locks the account, for FIRST_LOCK_MINUTES and twice as long each time after.
 */
export async function recordLoginFailure(
  sql: Sql,
  email: string,
): Promise<{ failures: number; lockedUntil: Date | null; lockedNow: boolean }> {
  const r = await sql.query<{ failures: number; locked_until: Date | null }>(
    `INSERT INTO login_failures AS f (email, failures, last_failure_at) VALUES (lower($1), 1, now())
     ON CONFLICT (email) DO UPDATE SET failures = f.failures + 1, last_failure_at = now()
     RETURNING failures, locked_until`,
    [email],
  );
  const row = r.rows[0]!;
  if (row.failures % LOCK_AFTER_FAILURES !== 0)
    return { failures: row.failures, lockedUntil: row.locked_until, lockedNow: false };
  const minutes = Math.min(MAX_LOCK_MINUTES, FIRST_LOCK_MINUTES * 2 ** (row.failures / LOCK_AFTER_FAILURES - 1));
  const l = await sql.query<{ locked_until: Date }>(
    `UPDATE login_failures SET locked_until = now() + make_interval(mins => $2) WHERE email = lower($1)
     RETURNING locked_until`,
    [email, minutes],
  );
  return { failures: row.failures, lockedUntil: l.rows[0]!.locked_until, lockedNow: true };
}

/** A successful sign-in, or an administrator's reset, clears the count. */
export async function clearLoginFailures(sql: Sql, email: string): Promise<void> {
  await sql.query('DELETE FROM login_failures WHERE email = lower($1)', [email]);
}

export async function createMfaChallenge(
  sql: Sql,
  c: { tokenHash: string; userId: string; ttlSeconds: number; ip?: string },
): Promise<void> {
  await sql.query(
    `INSERT INTO mfa_challenges (token_hash, user_id, expires_at, ip)
     VALUES ($1, $2, now() + make_interval(secs => $3), $4)`,
    [c.tokenHash, c.userId, c.ttlSeconds, c.ip ?? null],
  );
}

export async function findMfaChallenge(sql: Sql, tokenHash: string): Promise<{ user_id: string } | undefined> {
  const r = await sql.query<{ user_id: string }>(
    'SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > now()',
    [tokenHash],
  );
  return r.rows[0];
}

export async function deleteMfaChallenge(sql: Sql, tokenHash: string): Promise<void> {
  await sql.query('DELETE FROM mfa_challenges WHERE token_hash = $1 OR expires_at < now()', [tokenHash]);
}

/** A new, not yet confirmed TOTP secret; an enrolled one is never replaced here. */
export async function setPendingTotpSecret(sql: Sql, userId: string, secret: string): Promise<boolean> {
  const r = await sql.query('UPDATE users SET totp_secret = $2 WHERE id = $1 AND totp_enabled_at IS NULL', [
    userId,
    secret,
  ]);
  return r.rowCount === 1;
}

/** Enrols a TOTP secret at once (the first administrator's, from VITALS_ADMIN_TOTP_SECRET). */
export async function enrolTotp(sql: Sql, userId: string, secret: string): Promise<void> {
  await sql.query('UPDATE users SET totp_secret = $2, totp_enabled_at = now() WHERE id = $1', [userId, secret]);
}

/**
 * Records the time step of an accepted code, only if it is later than the last accepted one: of
 * two requests with the same code, exactly one wins. Confirms a pending enrolment too.
 */
export async function acceptTotpStep(sql: Sql, userId: string, step: number): Promise<boolean> {
  const r = await sql.query(
    `UPDATE users SET totp_last_step = $2, totp_enabled_at = coalesce(totp_enabled_at, now())
      WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [userId, step],
  );
  return r.rowCount === 1;
}

/**
 * Removes a user's second factor and recovery codes (an administrator's reset after a lost phone):
 * the next sign-in asks them to enrol again where a second factor is required.
 */
export async function removeSecondFactor(sql: Sql, userId: string): Promise<boolean> {
  const r = await sql.query(
    `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL
      WHERE id = $1 AND (totp_secret IS NOT NULL OR totp_enabled_at IS NOT NULL)`,
    [userId],
  );
  await sql.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  return r.rowCount > 0;
}

/** Replaces a user's recovery codes with new ones (hashes only). */
export async function replaceRecoveryCodes(sql: Sql, userId: string, codeHashes: string[]): Promise<void> {
  await sql.query('DELETE FROM recovery_codes WHERE user_id = $1', [userId]);
  await sql.query('INSERT INTO recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])', [
    userId,
    codeHashes,
  ]);
}

/** Uses a recovery code: true once per code. */
export async function useRecoveryCode(sql: Sql, userId: string, codeHash: string): Promise<boolean> {
  const r = await sql.query(
    'UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL',
    [userId, codeHash],
  );
  return r.rowCount === 1;
}

export async function unusedRecoveryCodes(sql: Sql, userId: string): Promise<number> {
  const r = await sql.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL',
    [userId],
  );
  return r.rows[0]!.n;
}
