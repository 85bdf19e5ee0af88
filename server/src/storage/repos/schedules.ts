/** Measurement schedules and the once-a-day check of each. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';
import type { AlertPriority } from './alerts.ts';

export interface ScheduleRow {
  id: string;
  patient_id: string;
  metric: string;
  window_start: string;
  due_time: string;
  weekdays: number[];
  priority: AlertPriority;
  label: string | null;
  created_by: string | null;
  created_at: Date;
  removed_at: Date | null;
}

export async function createSchedule(
  sql: Sql,
  s: {
    patientId: string;
    metric: string;
    windowStart: string;
    dueTime: string;
    weekdays: number[];
    priority: AlertPriority;
    label?: string;
    userId: string;
  },
): Promise<ScheduleRow> {
  const r = await sql.query<ScheduleRow>(
    `INSERT INTO measurement_schedules (id, patient_id, metric, window_start, due_time, weekdays, priority, label, created_by)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) RETURNING *`,
    [randomUUID(), s.patientId, s.metric, s.windowStart, s.dueTime, s.weekdays, s.priority, s.label ?? null, s.userId],
  );
  return r.rows[0]!;
}

export async function removeSchedule(sql: Sql, patientId: string, id: string): Promise<ScheduleRow | undefined> {
  const r = await sql.query<ScheduleRow>(
    'UPDATE measurement_schedules SET removed_at = now() WHERE id = $1 AND patient_id = $2 AND removed_at IS NULL RETURNING *',
    [id, patientId],
  );
  return r.rows[0];
}

export async function listSchedules(sql: Sql, patientId?: string): Promise<(ScheduleRow & { timezone: string })[]> {
  const r = await sql.query<ScheduleRow & { timezone: string }>(
    `SELECT s.*, p.timezone FROM measurement_schedules s JOIN patients p ON p.id = s.patient_id
      WHERE s.removed_at IS NULL AND ($1::uuid IS NULL OR s.patient_id = $1) ORDER BY s.created_at`,
    [patientId ?? null],
  );
  return r.rows;
}

/** Claims the check of one schedule for one local day; false when it was already done. */
export async function claimScheduleCheck(
  sql: Sql,
  scheduleId: string,
  localDate: string,
  at: Date,
  missed: boolean,
): Promise<boolean> {
  const r = await sql.query(
    'INSERT INTO schedule_checks (schedule_id, local_date, checked_at, missed) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING',
    [scheduleId, localDate, at, missed],
  );
  return r.rowCount === 1;
}
