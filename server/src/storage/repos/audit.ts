/** The append-only audit log: who saw and changed what, when and from where. */
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

export async function audit(sql: Sql, e: AuditEntry) {
  await sql.query(
    'INSERT INTO audit_log (user_id, organisation_id, patient_id, action, target, detail, ip) VALUES ($1,$2,$3,$4,$5,$6,$7)',
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
  }>('SELECT at, user_id, action, target, ip FROM audit_log WHERE patient_id = $1 ORDER BY id DESC LIMIT $2', [
    patientId,
    limit,
  ]);
  return r.rows;
}

/** One entry per patient for one action of a user (a wall display reads many patients at once). */
export async function auditPatients(
  sql: Sql,
  e: { userId: string; patientIds: string[]; action: string; ip?: string },
): Promise<void> {
  if (e.patientIds.length === 0) return;
  await sql.query('INSERT INTO audit_log (user_id, patient_id, action, ip) SELECT $1, unnest($2::uuid[]), $3, $4', [
    e.userId,
    e.patientIds,
    e.action,
    e.ip ?? null,
  ]);
}
