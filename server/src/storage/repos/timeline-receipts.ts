/**
 * Read receipts ("確認しました") and "my unread" across a member's patients (issue 15).
 *
 * Unread is a post of the team (not a system item: alerts have their own acknowledgement) by
 * someone else, not withdrawn, within the member's clearance, written since the member joined
 * the care team, with no receipt of the member. It is counted as posts are written and read
 * (timeline_unread, migration 016): reading the counts is one index range per member.
 */
import type { Sql } from '../sql.ts';
import { type Clearance, clearanceReaches } from './patients.ts';

/** What the counts need of an item. */
export interface CountedItem {
  id: string;
  patient_id: string;
  kind: string;
  sensitivity: Clearance;
  author_id: string | null;
  created_at: Date;
  withdrawn_at: Date | null;
  reply_to: string | null;
}

/** Members counted for a post: on the care team when it was written, not its author. */
const COUNTED = (item: string, created: string, author: string) => `EXISTS (SELECT 1 FROM care_team_members c
    WHERE c.patient_id = t.patient_id AND c.user_id = t.user_id AND c.added_at <= ${created})
  AND t.user_id IS DISTINCT FROM ${author}
  AND NOT EXISTS (SELECT 1 FROM timeline_receipts r WHERE r.item_id = ${item} AND r.user_id = t.user_id)`;

/** A new post: one more unread for every member of the care team but its author; a reply counts on its post. */
export async function countNewPost(tx: Sql, item: Omit<CountedItem, 'kind' | 'withdrawn_at'>): Promise<void> {
  await tx.query(
    `INSERT INTO timeline_unread (user_id, patient_id, sensitivity, unread, newest)
     SELECT c.user_id, $1, $2, 1, $4 FROM care_team_members c WHERE c.patient_id = $1 AND c.user_id IS DISTINCT FROM $3
     ON CONFLICT (user_id, patient_id, sensitivity)
       DO UPDATE SET unread = timeline_unread.unread + 1, newest = greatest(timeline_unread.newest, excluded.newest)`,
    [item.patient_id, item.sensitivity, item.author_id, item.created_at],
  );
  if (item.reply_to)
    await tx.query('UPDATE timeline_items SET reply_count = reply_count + 1 WHERE id = $1', [item.reply_to]);
}

/**
 * Records that `userId` read the item (a second read keeps the first time); the first read
 * counts on the item and takes one off the member's unread. True when it is new.
 */
export async function markRead(tx: Sql, item: CountedItem, userId: string, at: Date): Promise<boolean> {
  const r = await tx.query(
    'INSERT INTO timeline_receipts (item_id, user_id, at) VALUES ($1,$2,$3) ON CONFLICT (item_id, user_id) DO NOTHING',
    [item.id, userId, at],
  );
  if (r.rowCount === 0) return false;
  await tx.query('UPDATE timeline_items SET read_count = read_count + 1 WHERE id = $1', [item.id]);
  if (item.kind === 'post' && !item.withdrawn_at)
    await tx.query(
      `UPDATE timeline_unread t SET unread = greatest(t.unread - 1, 0)
        WHERE t.user_id = $1 AND t.patient_id = $2 AND t.sensitivity = $3 AND t.user_id IS DISTINCT FROM $5
          AND EXISTS (SELECT 1 FROM care_team_members c WHERE c.patient_id = t.patient_id AND c.user_id = t.user_id
                        AND c.added_at <= $4)`,
      [userId, item.patient_id, item.sensitivity, item.created_at, item.author_id],
    );
  return true;
}

/** A post withdrawn: off the unread of everyone who had it unread, off its post's replies. */
export async function uncountPost(tx: Sql, item: CountedItem): Promise<void> {
  await tx.query(
    `UPDATE timeline_unread t SET unread = greatest(t.unread - 1, 0)
      WHERE t.patient_id = $2 AND t.sensitivity = $3 AND ${COUNTED('$1::uuid', '$4::timestamptz', '$5::uuid')}`,
    [item.id, item.patient_id, item.sensitivity, item.created_at, item.author_id],
  );
  if (item.reply_to)
    await tx.query('UPDATE timeline_items SET reply_count = reply_count - 1 WHERE id = $1', [item.reply_to]);
}

/** A post's level changed: its unread moves from the old level to the new for everyone who had it unread. */
export async function moveUnread(tx: Sql, item: CountedItem, to: Clearance): Promise<void> {
  if (item.sensitivity === to) return;
  const r = await tx.query<{ user_id: string }>(
    `UPDATE timeline_unread t SET unread = greatest(t.unread - 1, 0)
      WHERE t.patient_id = $2 AND t.sensitivity = $3 AND ${COUNTED('$1::uuid', '$4::timestamptz', '$5::uuid')}
      RETURNING t.user_id`,
    [item.id, item.patient_id, item.sensitivity, item.created_at, item.author_id],
  );
  if (r.rows.length === 0) return;
  await tx.query(
    `INSERT INTO timeline_unread (user_id, patient_id, sensitivity, unread, newest)
     SELECT u, $2, $3, 1, $4 FROM unnest($1::uuid[]) u
     ON CONFLICT (user_id, patient_id, sensitivity)
       DO UPDATE SET unread = timeline_unread.unread + 1, newest = greatest(timeline_unread.newest, excluded.newest)`,
    [r.rows.map((x) => x.user_id), item.patient_id, to, item.created_at],
  );
}

/**
 * Counts every member's unread posts afresh from the items, receipts and care teams (after a
 * bulk load, or to repair counts): posts by others, not withdrawn, written since they joined.
 */
export async function recountUnread(sql: Sql): Promise<void> {
  await sql.query('DELETE FROM timeline_unread');
  await sql.query(
    `INSERT INTO timeline_unread (user_id, patient_id, sensitivity, unread, newest)
     SELECT c.user_id, i.patient_id, i.sensitivity, count(*), max(i.created_at)
       FROM care_team_members c
       JOIN timeline_items i ON i.patient_id = c.patient_id AND i.kind = 'post' AND i.withdrawn_at IS NULL
        AND i.created_at >= c.added_at AND i.author_id IS DISTINCT FROM c.user_id
      WHERE NOT EXISTS (SELECT 1 FROM timeline_receipts r WHERE r.item_id = i.id AND r.user_id = c.user_id)
      GROUP BY c.user_id, i.patient_id, i.sensitivity`,
  );
  await sql.query(
    `UPDATE timeline_items i SET read_count = r.n
       FROM (SELECT item_id, count(*)::int AS n FROM timeline_receipts GROUP BY item_id) r WHERE r.item_id = i.id`,
  );
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

/**
 * Unread posts per patient of the member's care teams (patients with none are left out): the
 * counts of the levels the member's clearance reaches now, of patients they may still see.
 */
export async function unreadOf(sql: Sql, userId: string): Promise<UnreadRow[]> {
  const r = await sql.query<UnreadRow>(
    `SELECT p.id AS patient_id, p.display_name, sum(t.unread)::int AS unread, max(t.newest) AS newest
       FROM timeline_unread t
       JOIN care_team_members c ON c.user_id = t.user_id AND c.patient_id = t.patient_id
       JOIN patients p ON p.id = t.patient_id
      WHERE t.user_id = $1 AND t.unread > 0
        AND ${clearanceReaches('c.clearance', 'p.vitals_sensitivity')}
        AND ${clearanceReaches('c.clearance', 't.sensitivity')}
      GROUP BY p.id, p.display_name
      ORDER BY max(t.newest) DESC, p.id`,
    [userId],
  );
  return r.rows;
}
