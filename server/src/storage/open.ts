/** Opens the configured database and brings its schema up to date. */
import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.ts';
import { migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import type { Sql } from './sql.ts';

export interface DatabaseSettings {
  /** PostgreSQL/TimescaleDB URL; unset means the embedded database under `dataDir`. */
  url?: string;
  dataDir: string;
  schema?: string;
  /** Embedded database with the TimescaleDB extension (tests and benchmarks of that path). */
  embeddedTimescaledb?: boolean;
  /** A data-dir image a new embedded database starts from (see pglite.ts). */
  embeddedSeed?: string;
}

export async function openDatabase(s: DatabaseSettings): Promise<Sql> {
  const release = !s.url && !s.dataDir.startsWith('memory://') ? lockDataDir(s.dataDir, 'start') : () => {};
  let sql: Sql;
  try {
    sql = await openUnlocked(s);
  } catch (e) {
    release();
    throw e;
  }
  const close = sql.close.bind(sql);
  sql.close = async () => {
    try {
      await close();
    } finally {
      release();
    }
  };
  try {
    await migrate(sql);
  } catch (e) {
    await sql.close().catch(() => {});
    throw e;
  }
  return sql;
}

function openUnlocked(s: DatabaseSettings): Promise<Sql> {
  return s.url
    ? openPostgres({ url: s.url, ...(s.schema ? { schema: s.schema } : {}) })
    : openPglite(s.dataDir.startsWith('memory://') ? s.dataDir : join(s.dataDir, 'db'), {
        timescaledb: s.embeddedTimescaledb ?? false,
        ...(s.embeddedSeed ? { seed: s.embeddedSeed } : {}),
      });
}
