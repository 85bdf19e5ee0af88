/**
 * What a restore drill compares: every table of the database's schema with its row count and a
 * digest of its rows (md5 over the rows' text in a fixed order), so that any row lost, added or
 * changed between the original and the restored copy shows.
 */
import type { Sql } from './sql.ts';

export interface TableDigest {
  table: string;
  rows: number;
  md5: string;
}

export async function digestTables(sql: Sql): Promise<TableDigest[]> {
  const tables = await sql.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: TableDigest[] = [];
  for (const { name } of tables.rows) {
    const ident = `"${name.replaceAll('"', '""')}"`;
    const r = await sql.query<{ n: number; d: string }>(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS d FROM ${ident} t`,
    );
    out.push({ table: name, rows: r.rows[0]!.n, md5: r.rows[0]!.d });
  }
  return out;
}

/** The highest migration applied, or undefined in a database vitals has not set up. */
export async function appliedMigration(sql: Sql): Promise<number | undefined> {
  const t = await sql.query<{ present: boolean }>(`SELECT to_regclass('schema_migrations') IS NOT NULL AS present`);
  if (!t.rows[0]!.present) return undefined;
  const r = await sql.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return r.rows[0]!.v ?? undefined;
}
