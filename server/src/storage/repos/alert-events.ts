/** The timeline of an alert: one row per transition, naming the user when one acted. */
import type { Sql } from '../sql.ts';

export async function addAlertEvent(
  sql: Sql,
  e: { alertId: string; at: Date; type: string; userId?: string | null; detail?: unknown },
): Promise<number> {
  const r = await sql.query<{ id: number }>(
    'INSERT INTO alert_events (alert_id, at, type, user_id, detail) VALUES ($1,$2,$3,$4,$5) RETURNING id',
    [e.alertId, e.at, e.type, e.userId ?? null, e.detail === undefined ? null : JSON.stringify(e.detail)],
  );
  return Number(r.rows[0]!.id);
}

export async function alertEvents(sql: Sql, alertId: string) {
  const r = await sql.query<{
    id: number;
    at: Date;
    type: string;
    user_id: string | null;
    user_name: string | null;
    detail: unknown;
  }>(
    `SELECT e.id, e.at, e.type, e.user_id, u.display_name AS user_name, e.detail
       FROM alert_events e LEFT JOIN users u ON u.id = e.user_id WHERE e.alert_id = $1 ORDER BY e.id`,
    [alertId],
  );
  return r.rows;
}
