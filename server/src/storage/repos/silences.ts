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

const RANK = (col: string) => `(CASE ${col} WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)`;

/**
 * Firing alerts whose escalation still runs (a timer, or a page waiting in the outbox) though a
 * silence now covers them: the silence was set after they opened. Locked; others skip them.
 */
export async function escalationsToPause(
  tx: Sql,
  now: Date,
  limit: number,
): Promise<{ alert_id: string; silence_id: string; expires_at: Date }[]> {
  const r = await tx.query<{ alert_id: string; silence_id: string; expires_at: Date }>(
    `SELECT DISTINCT ON (a.id) a.id AS alert_id, s.id AS silence_id, s.expires_at
       FROM alerts a JOIN alert_silences s ON s.patient_id = a.patient_id AND (s.rule IS NULL OR s.rule = a.rule)
        AND s.ended_at IS NULL AND s.starts_at <= $1 AND s.expires_at > $1 AND ${RANK('s.priority')} >= ${RANK('a.priority')}
      WHERE a.state = 'firing' AND a.silenced_by IS NULL
        AND (a.next_escalation_at IS NOT NULL OR EXISTS (SELECT 1 FROM notification_deliveries d
              WHERE d.alert_id = a.id AND d.event = 'alert.page' AND d.status = 'pending'))
      ORDER BY a.id, s.expires_at DESC LIMIT $2`,
    [now, limit],
  );
  return r.rows;
}

/**
 * Firing alerts paused by a silence someone ended before its expiry: their timer is moved to
 * now, so escalation resumes at the next tick instead of at the old expiry.
 */
export async function resumeEndedSilences(tx: Sql, now: Date): Promise<number> {
  const r = await tx.query(
    `UPDATE alerts a SET next_escalation_at = $1, updated_at = $1 FROM alert_silences s
      WHERE s.id = a.silenced_by AND s.ended_at IS NOT NULL AND a.state = 'firing' AND a.next_escalation_at > $1`,
    [now],
  );
  return r.rowCount;
}

/**
 * Silences that ran out and whose expiry nobody recorded yet, claimed: an UPDATE takes each
 * row once, however many instances run it at the same time (audit `silence.expired` once).
 */
export async function claimExpiredSilences(tx: Sql, now: Date): Promise<SilenceRow[]> {
  const r = await tx.query<SilenceRow>(
    `UPDATE alert_silences SET expiry_recorded_at = $1
      WHERE expiry_recorded_at IS NULL AND ended_at IS NULL AND expires_at <= $1 RETURNING *`,
    [now],
  );
  return r.rows;
}
