/**
 * One-time tokens that let a person set their password (an invitation or an administrator's
 * reset) or confirm a membership of another organisation (`join`). Only the token's hash is stored.
 */
import type { Sql } from '../sql.ts';

export type InvitationPurpose = 'invite' | 'reset' | 'join';

export async function createInvitation(
  sql: Sql,
  i: {
    tokenHash: string;
    userId: string;
    organisationId: string;
    purpose: InvitationPurpose;
    createdBy: string;
    /**
     * `ttlHours`: a new invitation, replacing the person's earlier unused ones (only the latest
     * link works). `copyOf`: the e-mailed copy of an open invitation, ending when that one does
     * and leaving it valid (the administrator's link and the mail's both work until one is used).
     */
    ends: { ttlHours: number } | { copyOf: { expiresAt: Date } };
  },
): Promise<Date> {
  const copyOf = 'copyOf' in i.ends ? i.ends.copyOf.expiresAt : null;
  const ttlHours = 'ttlHours' in i.ends ? i.ends.ttlHours : null;
  if (!copyOf)
    await sql.query('UPDATE invitations SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [i.userId]);
  const r = await sql.query<{ expires_at: Date }>(
    `INSERT INTO invitations (token_hash, user_id, organisation_id, purpose, expires_at, created_by)
     VALUES ($1, $2, $3, $4, COALESCE($7, now() + make_interval(hours => $5)), $6) RETURNING expires_at`,
    [i.tokenHash, i.userId, i.organisationId, i.purpose, ttlHours, i.createdBy, copyOf],
  );
  return r.rows[0]!.expires_at;
}

/** The person's newest open invitation from an organisation (an e-mail about to go out checks it). */
export async function openInvitation(
  sql: Sql,
  userId: string,
  organisationId: string,
): Promise<{ purpose: InvitationPurpose; expires_at: Date; created_by: string } | undefined> {
  const r = await sql.query<{ purpose: InvitationPurpose; expires_at: Date; created_by: string }>(
    `SELECT purpose, expires_at, created_by FROM invitations
      WHERE user_id = $1 AND organisation_id = $2 AND used_at IS NULL AND expires_at > now()
      ORDER BY expires_at DESC LIMIT 1`,
    [userId, organisationId],
  );
  return r.rows[0];
}

/**
 * Uses a token: its row when it was unused and not expired (marked used in the same statement,
 * so two requests with one token cannot both succeed); otherwise undefined.
 */
export async function useInvitation(
  sql: Sql,
  tokenHash: string,
): Promise<{ user_id: string; organisation_id: string; purpose: InvitationPurpose } | undefined> {
  const r = await sql.query<{ user_id: string; organisation_id: string; purpose: InvitationPurpose }>(
    `UPDATE invitations SET used_at = now()
      WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
      RETURNING user_id, organisation_id, purpose`,
    [tokenHash],
  );
  const used = r.rows[0];
  // Its copies (the e-mailed link and the administrator's) end with it.
  if (used)
    await sql.query('UPDATE invitations SET used_at = now() WHERE user_id = $1 AND used_at IS NULL', [used.user_id]);
  return used;
}

/** A token's state and person without using it: to check the new password first, or to say why it no longer works. */
export async function invitationState(
  sql: Sql,
  tokenHash: string,
): Promise<{ state: 'used' | 'expired' | 'open'; user_id: string; purpose: InvitationPurpose } | undefined> {
  const r = await sql.query<{ used: boolean; expired: boolean; user_id: string; purpose: InvitationPurpose }>(
    `SELECT used_at IS NOT NULL AS used, expires_at <= now() AS expired, user_id, purpose
       FROM invitations WHERE token_hash = $1`,
    [tokenHash],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  return { state: row.used ? 'used' : row.expired ? 'expired' : 'open', user_id: row.user_id, purpose: row.purpose };
}
