/** How far alert evaluation has got through the readings received (restart recovery). */
import type { Sql } from '../sql.ts';

export async function getCursor(sql: Sql): Promise<Date | null> {
  const r = await sql.query<{ received_at: Date }>('SELECT received_at FROM alert_cursor WHERE id = 1');
  return r.rows[0]?.received_at ?? null;
}

export async function setCursor(sql: Sql, at: Date) {
  await sql.query(
    `INSERT INTO alert_cursor (id, received_at) VALUES (1, $1)
     ON CONFLICT (id) DO UPDATE SET received_at = GREATEST(alert_cursor.received_at, excluded.received_at)`,
    [at],
  );
}
