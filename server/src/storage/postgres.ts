/** PostgreSQL (and TimescaleDB) through node-postgres, with a connection pool. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { type QueryOptions, type QueryResult, runCommitHooks, type Sql } from './sql.ts';

// timestamptz and bigint come back as strings/Dates; we want Dates and numbers where safe.
pg.types.setTypeParser(20, (v) => Number(v)); // int8: counts and ids stay far below 2^53

export interface PostgresOptions {
  url: string;
  /** Schema to use (tests isolate themselves in their own schema). */
  schema?: string;
  max?: number;
}

type Queryable = pg.Pool | pg.PoolClient;

const statementNames = new Map<string, string>();

/** One name per statement text: node-postgres refuses a name reused for another text. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `vitals_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

function wrap(q: Queryable, backend: Sql['backend'], pool: pg.Pool, commitHooks?: (() => void)[]): Sql {
  return {
    backend,
    afterCommit(f: () => void) {
      if (commitHooks) commitHooks.push(f);
      else f();
    },
    async query<T>(text: string, params?: readonly unknown[], o?: QueryOptions): Promise<QueryResult<T>> {
      const values = params as unknown[] | undefined;
      const r = await (o?.prepare
        ? q.query({ name: statementName(text), text, ...(values ? { values } : {}) })
        : q.query(text, values));
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (q !== pool) return fn(this); // nested: join the outer transaction
      const client = await pool.connect();
      // A connection lost while checked out (pg_terminate_backend, a TCP reset) is noted here;
      // the listener attached on 'connect' keeps the error from crashing the process.
      let lost: Error | undefined;
      const onLost = (e: Error) => {
        lost ??= e;
      };
      client.on('error', onLost);
      const hooks: (() => void)[] = [];
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client, backend, pool, hooks));
        await client.query('COMMIT');
        runCommitHooks(hooks);
        return result;
      } catch (e) {
        if (!lost)
          await client.query('ROLLBACK').catch((r: Error) => {
            lost = r;
          });
        throw e;
      } finally {
        client.off('error', onLost);
        // Released with the error, a broken client is destroyed instead of going back to the pool.
        client.release(lost);
      }
    },
    async exec(script: string): Promise<void> {
      await q.query(script);
    },
    async close(): Promise<void> {
      if (q === pool) await pool.end();
    },
  };
}

export async function openPostgres(opts: PostgresOptions): Promise<Sql> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: 10_000,
    // Names the server (and its schema) in pg_stat_activity.
    application_name: opts.schema ? `vitals ${opts.schema}`.slice(0, 63) : 'vitals',
    ...(opts.schema ? { options: `-c search_path=${opts.schema},public` } : {}),
  });
  // A client that loses its connection must not crash the server (issue 11, item 4): idle in
  // the pool, pg-pool reports it here and drops it; checked out, node-postgres emits `error` on
  // the client itself, outside any query's promise, and an EventEmitter without a listener
  // throws. Every client gets a listener from birth; the query or transaction that was using
  // it fails on its own and the caller retries.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const client = await pool.connect();
  try {
    if (opts.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
    const ts = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
    const backend = ts.rowCount ? 'timescaledb' : 'postgres';
    return Object.assign(wrap(pool, backend, pool), {
      async dedicatedClient(applicationName: string): Promise<pg.Client> {
        const c = new pg.Client({
          connectionString: opts.url,
          connectionTimeoutMillis: 10_000,
          application_name: (opts.schema ? `${applicationName} ${opts.schema}` : applicationName).slice(0, 63),
          ...(opts.schema ? { options: `-c search_path=${opts.schema},public` } : {}),
        });
        c.on('error', () => {}); // as for pooled clients: a lost connection must not crash the process
        await c.connect();
        return c;
      },
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    });
  } finally {
    client.release();
  }
}
