/**
 * The append-only audit log: who saw and changed what, when and from where (issue 13).
 *
 * The database keeps it append-only and chained (migration 009): a trigger refuses UPDATE,
 * DELETE and TRUNCATE, and the insert trigger gives every row its place in one hash chain
 * (`seq`, `prev_hash`, `hash`). `verifyAuditChain` walks the chain.
 *
 * Every row carries an organisation where there is one. When the caller names none it is, for a
 * user, the organisation that registered the patient if the user is a member of it, otherwise the
 * user's oldest membership; with no user, the patient's registering organisation.
 */
import type { Sql } from '../sql.ts';

export interface AuditEntry {
  userId?: string | null;
  organisationId?: string | null;
  patientId?: string | null;
  action: string;
  target?: string;
  detail?: unknown;
  ip?: string;
}

/** The organisation of a row from ($1 user, $2 patient): see the module comment. */
const ORGANISATION_OF = (user: string, patient: string) => `(
  SELECT coalesce(
    (SELECT m.organisation_id FROM memberships m
       LEFT JOIN patients p ON p.id = ${patient}
      WHERE m.user_id = ${user}
      ORDER BY (m.organisation_id = p.organisation_id) DESC NULLS LAST, m.created_at, m.organisation_id
      LIMIT 1),
    (SELECT organisation_id FROM patients WHERE id = ${patient})))`;

export async function audit(sql: Sql, e: AuditEntry) {
  await sql.query(
    `INSERT INTO audit_log (user_id, organisation_id, patient_id, action, target, detail, ip)
     VALUES ($1, coalesce($2::uuid, ${ORGANISATION_OF('$1::uuid', '$3::uuid')}), $3, $4, $5, $6, $7)`,
    [
      e.userId ?? null,
      e.organisationId ?? null,
      e.patientId ?? null,
      e.action,
      e.target ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail),
      e.ip ?? null,
    ],
  );
}

export async function auditTrail(sql: Sql, patientId: string, limit = 100) {
  const r = await sql.query<{
    at: Date;
    user_id: string | null;
    action: string;
    target: string | null;
    ip: string | null;
  }>('SELECT at, user_id, action, target, ip FROM audit_log WHERE patient_id = $1 ORDER BY seq DESC LIMIT $2', [
    patientId,
    limit,
  ]);
  return r.rows;
}

/** One entry per patient for one action of a user (a wall display reads many patients at once). */
export async function auditPatients(
  sql: Sql,
  e: { userId: string; patientIds: string[]; action: string; ip?: string; organisationId?: string | null },
): Promise<void> {
  if (e.patientIds.length === 0) return;
  await sql.query(
    `INSERT INTO audit_log (user_id, organisation_id, patient_id, action, ip)
     SELECT $1, coalesce($5::uuid, ${ORGANISATION_OF('$1::uuid', 'pid')}), pid, $3, $4
       FROM unnest($2::uuid[]) WITH ORDINALITY AS t(pid, n) ORDER BY n`,
    [e.userId, e.patientIds, e.action, e.ip ?? null, e.organisationId ?? null],
  );
}

export interface AuditRow {
  id: string;
  seq: string;
  at: Date;
  user_id: string | null;
  organisation_id: string | null;
  patient_id: string | null;
  action: string;
  target: string | null;
  detail: unknown;
  ip: string | null;
}

export interface AuditQuery {
  /** The organisations whose rows the reader may see (see `auditScope`). */
  organisations: string[];
  patientId?: string;
  userId?: string;
  from?: Date;
  to?: Date;
  /** Rows with a smaller id only (paging, newest first). */
  before?: string;
  limit: number;
}

/**
 * The rows an administrator of `organisations` may read: those written for one of these
 * organisations, and those about a patient one of them registered or has a member on the care
 * team of today (the "scope patients"). Rows with neither (a failed sign-in of an unknown email)
 * are for the operator only. A row of the organisation's own staff about a patient outside the
 * scope (a refused attempt, `access.denied`) comes without its patient, target and detail, so
 * the log never tells an administrator which patients exist elsewhere; the patientId filter
 * matches scope patients only.
 */
export async function listAudit(sql: Sql, q: AuditQuery): Promise<AuditRow[]> {
  const r = await sql.query<AuditRow>(
    `WITH scope AS (
       SELECT p.id FROM patients p WHERE p.organisation_id = ANY($1::uuid[])
       UNION
       SELECT c.patient_id FROM care_team_members c JOIN memberships m ON m.user_id = c.user_id
        WHERE m.organisation_id = ANY($1::uuid[]))
     SELECT a.id::text, a.seq::text, a.at, a.user_id, a.organisation_id,
            CASE WHEN shown THEN a.patient_id END AS patient_id, a.action,
            CASE WHEN shown THEN a.target END AS target,
            CASE WHEN shown THEN a.detail END AS detail, a.ip
       FROM audit_log a
       CROSS JOIN LATERAL (SELECT a.patient_id IS NULL OR a.patient_id IN (SELECT id FROM scope) AS shown) v
      WHERE (a.organisation_id = ANY($1::uuid[]) OR a.patient_id IN (SELECT id FROM scope))
        AND ($2::uuid IS NULL OR (a.patient_id = $2 AND $2 IN (SELECT id FROM scope)))
        AND ($3::uuid IS NULL OR a.user_id = $3)
        AND ($4::timestamptz IS NULL OR a.at >= $4)
        AND ($5::timestamptz IS NULL OR a.at < $5)
        AND ($6::bigint IS NULL OR a.id < $6)
      ORDER BY a.id DESC
      LIMIT $7`,
    [q.organisations, q.patientId ?? null, q.userId ?? null, q.from ?? null, q.to ?? null, q.before ?? null, q.limit],
  );
  return r.rows;
}

export type AuditVerification =
  | { ok: true; rows: number; lastSeq: number; lastHash: string }
  | {
      ok: false;
      rows: number;
      /** The first row that does not fit the chain. */
      broken: { id: string; seq: number; at: Date };
      reason: string;
    };

const VERIFY_BATCH = 5000;

/**
 * Walks the chain in order: each row's seq follows the previous one, its prev_hash is the
 * previous row's hash and its hash is the one its fields give now. Reports the first row that
 * breaks it. Rows removed from the end leave no trace in the rows themselves: compare `lastSeq`
 * and `lastHash` with a value recorded earlier (docs/security.md).
 */
export async function verifyAuditChain(sql: Sql): Promise<AuditVerification> {
  const base = (
    await sql.query<{ base_seq: string; base_hash: string }>(
      'SELECT base_seq::text, base_hash FROM audit_chain WHERE id = 1',
    )
  ).rows[0] ?? { base_seq: '0', base_hash: '0'.repeat(64) };
  let seq = Number(base.base_seq);
  let hash = base.base_hash;
  let rows = 0;
  for (;;) {
    const batch = await sql.query<{ id: string; seq: string; at: Date; prev_hash: string; hash: string; now: string }>(
      `SELECT a.id::text, a.seq::text, a.at, a.prev_hash, a.hash, audit_log_hash(a) AS now
         FROM audit_log a WHERE a.seq > $1 ORDER BY a.seq LIMIT $2`,
      [seq, VERIFY_BATCH],
    );
    for (const r of batch.rows) {
      const broken = { id: r.id, seq: Number(r.seq), at: r.at };
      if (Number(r.seq) !== seq + 1)
        return { ok: false, rows, broken, reason: `rows ${seq + 1} to ${Number(r.seq) - 1} of the chain are missing` };
      if (r.prev_hash !== hash)
        return {
          ok: false,
          rows,
          broken,
          reason: 'its previous-row hash does not match the row before it (that row, or this link, was changed)',
        };
      if (r.now !== r.hash) return { ok: false, rows, broken, reason: 'its fields were changed after it was written' };
      seq += 1;
      hash = r.hash;
      rows += 1;
    }
    if (batch.rows.length < VERIFY_BATCH) break;
  }
  return { ok: true, rows, lastSeq: seq, lastHash: hash };
}
