/** How each person is reached: webhook, email, Web Push subscription. */
import { randomUUID } from 'node:crypto';
import type { Sql } from '../sql.ts';

export interface ContactRow {
  id: string;
  user_id: string;
  channel: 'webhook' | 'email' | 'webpush';
  address: string;
  secret: string | null;
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } } | null;
  label: string | null;
  created_at: Date;
  disabled_at: Date | null;
}

export async function addContact(
  sql: Sql,
  c: {
    userId: string;
    channel: ContactRow['channel'];
    address: string;
    secret?: string | null;
    subscription?: unknown;
    label?: string;
  },
): Promise<ContactRow> {
  const r = await sql.query<ContactRow>(
    `INSERT INTO notification_contacts (id, user_id, channel, address, secret, subscription, label)
     VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *`,
    [
      randomUUID(),
      c.userId,
      c.channel,
      c.address,
      c.secret ?? null,
      c.subscription === undefined ? null : JSON.stringify(c.subscription),
      c.label ?? null,
    ],
  );
  return r.rows[0]!;
}

export async function contactsOf(sql: Sql, userIds: string[]): Promise<ContactRow[]> {
  if (userIds.length === 0) return [];
  const r = await sql.query<ContactRow>(
    'SELECT * FROM notification_contacts WHERE user_id = ANY($1::uuid[]) AND disabled_at IS NULL ORDER BY created_at, id',
    [userIds],
  );
  return r.rows;
}

export async function disableContact(sql: Sql, userId: string, id: string): Promise<boolean> {
  const r = await sql.query(
    'UPDATE notification_contacts SET disabled_at = now() WHERE id = $1 AND user_id = $2 AND disabled_at IS NULL',
    [id, userId],
  );
  return r.rowCount === 1;
}

/** The signing secrets of webhook contacts (those that have one), by contact id. */
export async function contactSecrets(sql: Sql, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const r = await sql.query<{ id: string; secret: string | null }>(
    'SELECT id, secret FROM notification_contacts WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return new Map(r.rows.flatMap((x) => (x.secret ? [[x.id, x.secret] as [string, string]] : [])));
}
