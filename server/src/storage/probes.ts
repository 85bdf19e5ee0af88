/** Questions to the database itself: is it answering, and what time does it say it is. */
import type { Sql } from './sql.ts';

/** Resolves when the database answers a trivial query (health checks). */
export async function pingDatabase(sql: Sql): Promise<void> {
  await sql.query('SELECT 1');
}

/** The database's clock (received_at of readings is set by it). */
export async function databaseNow(sql: Sql): Promise<Date> {
  return (await sql.query<{ t: Date }>('SELECT now() AS t')).rows[0]!.t;
}
