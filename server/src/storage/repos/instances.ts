/**
 * Which server instances are alive on this database (issue 18): each holds one connection that
 * listens for the event bus, named `vitals events <origin> <schema>` (events/postgres-transport.ts).
 * PostgreSQL ends that connection the moment the instance's process dies (its socket closes),
 * so the names in pg_stat_activity are the instances alive now.
 */
import type { Sql } from '../sql.ts';

/**
 * The application names of the event listeners on this database that share the listener
 * `ownPid`'s suffix (the schema), `ownPid`'s own included; null when `ownPid` is not connected.
 */
export async function eventListenerNames(sql: Sql, ownPid: number): Promise<{ own: string; all: string[] } | null> {
  const r = await sql.query<{ own: string; names: string[] }>(
    `SELECT me.application_name AS own,
            array(SELECT application_name FROM pg_stat_activity a
                   WHERE a.datname = me.datname AND a.application_name LIKE 'vitals events %') AS names
       FROM pg_stat_activity me WHERE me.pid = $1`,
    [ownPid],
  );
  const row = r.rows[0];
  return row ? { own: row.own, all: row.names } : null;
}
