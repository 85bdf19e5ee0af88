/**
 * Read receipts ("確認しました") and "my unread" across a member's patients (issue 15).
 *
 * Unread is a post of the team (not a system item: alerts have their own acknowledgement) by
 * someone else, not withdrawn, within the member's clearance, newer than both the member's
 * joining of the care team and the unread window, with no receipt of the member.
 */
import type { Sql } from '../sql.ts';
import { type Clearance, clearanceReaches } from './patients.ts';

/** Records that `userId` read the item; a second read keeps the first time. True when it is new. */
export async function markRead(sql: Sql, itemId: string, userId: string, at: Date): Promise<boolean> {
  const r = await sql.query(
    'INSERT INTO timeline_receipts (item_id, user_id, at) VALUES ($1,$2,$3) ON CONFLICT (item_id, user_id) DO NOTHING',
    [itemId, userId, at],
  );
  return r.rowCount > 0;
}

export interface ReceiptRow {
  user_id: string;
  display_name: string;
  at: Date;
}

export async function receiptsOf(sql: Sql, itemId: string): Promise<ReceiptRow[]> {
  const r = await sql.query<ReceiptRow>(
    `SELECT r.user_id, u.display_name, r.at FROM timeline_receipts r JOIN users u ON u.id = r.user_id
      WHERE r.item_id = $1 ORDER BY r.at, r.user_id`,
    [itemId],
  );
  return r.rows;
}

/** Members of the care team whose clearance reaches `sensitivity` and who have not read the item. */
export async function notYetReadBy(
  sql: Sql,
  itemId: string,
  patientId: string,
  sensitivity: Clearance,
): Promise<{ user_id: string; display_name: string }[]> {
  const r = await sql.query<{ user_id: string; display_name: string }>(
    `SELECT c.user_id, u.display_name FROM care_team_members c JOIN users u ON u.id = c.user_id
      WHERE c.patient_id = $2 AND ${clearanceReaches('c.clearance', '$3::text')}
        AND NOT EXISTS (SELECT 1 FROM timeline_receipts r WHERE r.item_id = $1 AND r.user_id = c.user_id)
      ORDER BY u.display_name, c.user_id`,
    [itemId, patientId, sensitivity],
  );
  return r.rows;
}

export interface UnreadRow {
  patient_id: string;
  display_name: string;
  unread: number;
  newest: Date;
}

/** Unread posts per patient of the member's care teams (patients with none are left out). */
export async function unreadOf(sql: Sql, userId: string, since: Date): Promise<UnreadRow[]> {
  const r = await sql.query<UnreadRow>(
    `SELECT p.id AS patient_id, p.display_name, count(*)::int AS unread, max(i.time) AS newest
       FROM care_team_members c
       JOIN patients p ON p.id = c.patient_id
       JOIN timeline_items i ON i.patient_id = c.patient_id AND i.kind = 'post' AND i.withdrawn_at IS NULL
        AND i.time > greatest(c.added_at, $2::timestamptz)
      WHERE c.user_id = $1 AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}
        AND ${clearanceReaches('c.clearance', 'i.sensitivity')}
        AND i.author_id IS DISTINCT FROM $1
        AND NOT EXISTS (SELECT 1 FROM timeline_receipts r WHERE r.item_id = i.id AND r.user_id = $1)
      GROUP BY p.id, p.display_name
      ORDER BY max(i.time) DESC, p.id`,
    [userId, since],
  );
  return r.rows;
}
