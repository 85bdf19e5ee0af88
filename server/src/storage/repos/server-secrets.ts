/** Named server secrets shared by every instance on the database (the ack-link key). */
import { randomBytes } from 'node:crypto';
import type { Sql } from '../sql.ts';

/** A named server secret, generated on first use (the same for every instance sharing the database). */
export async function serverSecret(sql: Sql, name: string): Promise<string> {
  await sql.query('INSERT INTO alert_secrets (name, value) VALUES ($1,$2) ON CONFLICT DO NOTHING', [
    name,
    randomBytes(32).toString('base64url'),
  ]);
  const r = await sql.query<{ value: string }>('SELECT value FROM alert_secrets WHERE name = $1', [name]);
  return r.rows[0]!.value;
}
