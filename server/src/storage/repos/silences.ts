/** Alert silences: a patient's rule (or all rules) silenced up to a priority until a time. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';
import type { AlertPriority } from './alerts.ts';

export interface SilenceRow {
  id: string;
  patient_id: string;
  rule: string | null;
  priority: AlertPriority;
  reason: string;
  starts_at: Date;
  expires_at: Date;
  created_by: string | null;
  created_at: Date;
  ended_at: Date | null;
}

export async function createSilence(
  sql: Sql,
  s: {
    patientId: string;
    rule?: string | null;
    priority: AlertPriority;
    reason: string;
    startsAt: Date;
    expiresAt: Date;
    userId: string;
  },
): Promise<SilenceRow> {
  const r = await sql.query<SilenceRow>(
    `INSERT INTO alert_silences (id, patient_id, rule, priority, reason, starts_at, expires_at, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *`,
    [randomUUID(), s.patientId, s.rule ?? null, s.priority, s.reason, s.startsAt, s.expiresAt, s.userId],
  );
  return r.rows[0]!;
}

export async function endSilence(sql: Sql, id: string, at: Date): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>(
    'UPDATE alert_silences SET ended_at = $2 WHERE id = $1 AND ended_at IS NULL RETURNING *',
    [id, at],
  );
  return r.rows[0];
}

export async function findSilence(sql: Sql, id: string): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>('SELECT * FROM alert_silences WHERE id = $1', [id]);
  return r.rows[0];
}

export async function listSilences(sql: Sql, patientId: string): Promise<SilenceRow[]> {
  const r = await sql.query<SilenceRow>(
    'SELECT * FROM alert_silences WHERE patient_id = $1 ORDER BY created_at DESC LIMIT 200',
    [patientId],
  );
  return r.rows;
}

/** The silence covering a rule at a priority now, if any (never one set for a lower priority). */
export async function activeSilence(
  sql: Sql,
  patientId: string,
  rule: string,
  priority: AlertPriority,
  now: Date,
): Promise<SilenceRow | undefined> {
  const r = await sql.query<SilenceRow>(
    `SELECT * FROM alert_silences WHERE patient_id = $1 AND (rule IS NULL OR rule = $2) AND ended_at IS NULL
        AND starts_at <= $3 AND expires_at > $3
        AND (CASE priority WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END) >= (CASE $4::text WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
      ORDER BY expires_at DESC LIMIT 1`,
    [patientId, rule, now, priority],
  );
  return r.rows[0];
}
