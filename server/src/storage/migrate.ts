/**
 * Versioned migrations, applied in order at start, each in its own transaction, safe to
 * re-run: applied versions are recorded and skipped. An advisory lock keeps two server
 * instances from migrating the same database at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Backend, Sql } from './sql.ts';

const DIR = new URL('./migrations/', import.meta.url);
const LOCK_KEY = 7_406_116; // arbitrary constant: "vitals" migrations

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Migration files are `NNN_name.sql` for every backend, or `NNN_name.timescaledb.sql` and
 * `NNN_name.plain.sql` (PostgreSQL without TimescaleDB, and PGlite) where they differ; one
 * version is one step either way.
 */
export function loadMigrations(backend: Backend): Migration[] {
  const variant = backend === 'timescaledb' ? 'timescaledb' : 'plain';
  return readdirSync(DIR)
    .map((f) => /^(\d{3})_([a-z0-9_]+)(?:\.(timescaledb|plain))?\.sql$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null && (m[3] === undefined || m[3] === variant))
    .sort((a, b) => a[1]!.localeCompare(b[1]!))
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(new URL(m[0], DIR), 'utf8') }));
}

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(sql: Sql, migrations = loadMigrations(sql.backend)): Promise<number[]> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version),
    );
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}
