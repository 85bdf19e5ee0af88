/**
 * Periodic storage work, one place per backend:
 * - PostgreSQL / PGlite: fold readings that arrived since the watermark into the rollup tables.
 * - TimescaleDB: refresh the continuous aggregates, compress chunks older than a week, and drop
 *   chunks past retention. (TimescaleDB's own background policies would do this on a server;
 *   running it here works the same everywhere, including the embedded TimescaleDB build.)
 */
import type { Logger } from 'pino';
import type { Sql } from './sql.ts';

/** Rows younger than this are left for the next run: a commit still in flight may hold older ones. */
const SAFETY_LAG_SECONDS = 5;
/** Minute buckets touched by one rollup above which the readings' statistics are refreshed. */
const BULK_MINUTE_BUCKETS = 10_000;

export interface MaintenanceOptions {
  sql: Sql;
  log: Logger;
  intervalMs?: number;
  /** Raw readings older than this are dropped (TimescaleDB); null keeps them forever. */
  retentionDays?: number | null;
  compressAfterDays?: number;
  /** Rows younger than this are left for the next run (tests and benchmarks use 0). */
  rollupLagSeconds?: number;
}

/** Folds newly arrived readings into the 1m/1h/1d rollup tables (PostgreSQL, PGlite). */
export async function rollUp(sql: Sql, lagSeconds = SAFETY_LAG_SECONDS): Promise<number> {
  return sql.transaction(async (tx) => {
    const wm = await tx.query<{ from: Date; to: Date }>(
      `SELECT watermark AS "from", clock_timestamp() - make_interval(secs => $1) AS "to" FROM rollup_state FOR UPDATE`,
      [lagSeconds],
    );
    const { from, to } = wm.rows[0]!;
    if (to <= from) return 0;
    let rows = 0;
    for (const [table, seconds] of [
      ['readings_1m', 60],
      ['readings_1h', 3600],
      ['readings_1d', 86400],
    ] as const) {
      const r = await tx.query(
        `INSERT INTO ${table} (patient_id, metric, bucket, min, max, sum, n)
         SELECT patient_id, metric, date_bin(make_interval(secs => ${seconds}), time, TIMESTAMPTZ '2000-01-01T00:00:00Z'),
                min(value), max(value), sum(value), count(*)
           FROM readings WHERE received_at > $1 AND received_at <= $2 AND patient_id IS NOT NULL AND value IS NOT NULL
          GROUP BY 1, 2, 3
         ON CONFLICT (patient_id, metric, bucket) DO UPDATE SET
           min = LEAST(${table}.min, excluded.min), max = GREATEST(${table}.max, excluded.max),
           sum = ${table}.sum + excluded.sum, n = ${table}.n + excluded.n`,
        [from, to],
      );
      if (seconds === 60) rows = r.rowCount;
    }
    await tx.query('UPDATE rollup_state SET watermark = $1', [to]);
    return rows;
  });
}

/**
 * New pages of the readings table are not in the BRIN index on arrival time until summarised;
 * unsummarised ranges are always scanned. Summarising after each rollup keeps the chart's
 * "arrived since the rollup" part to the newest few pages.
 */
export async function summarizeArrivalIndex(sql: Sql): Promise<void> {
  await sql.query(`SELECT brin_summarize_new_values('readings_received_brin')`);
}

export async function refreshAggregates(sql: Sql): Promise<void> {
  for (const view of ['readings_1m', 'readings_1h', 'readings_1d'])
    await sql.exec(`CALL refresh_continuous_aggregate('${view}', NULL, now() - INTERVAL '1 minute')`);
}

export async function compressOldChunks(sql: Sql, afterDays: number): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(compress_chunk(c, if_not_compressed => true))::int AS n
       FROM show_chunks('readings', older_than => make_interval(days => $1)) c`,
    [afterDays],
  );
  return r.rows[0]!.n;
}

export async function dropExpiredChunks(sql: Sql, retentionDays: number): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM drop_chunks('readings', older_than => make_interval(days => $1))`,
    [retentionDays],
  );
  return r.rows[0]!.n;
}

/**
 * Runs one round of the backend's maintenance; returns what it did. Safe with several server
 * instances: the rollup serialises on its watermark row, and refresh/compress are idempotent.
 */
export async function maintainOnce(o: MaintenanceOptions): Promise<Record<string, number>> {
  const { sql } = o;
  if (sql.backend !== 'timescaledb') {
    const rolledUp = await rollUp(sql, o.rollupLagSeconds);
    await summarizeArrivalIndex(sql);
    // After a bulk arrival (a restore, a long backlog) the planner's statistics lag behind
    // autovacuum; without them it cannot see that few rows are newer than the watermark.
    if (rolledUp > BULK_MINUTE_BUCKETS) await sql.exec('ANALYZE readings');
    return { rolledUp };
  }
  await refreshAggregates(sql);
  const compressed = await compressOldChunks(sql, o.compressAfterDays ?? 7);
  const dropped = o.retentionDays ? await dropExpiredChunks(sql, o.retentionDays) : 0;
  return { compressed, dropped };
}

export function startMaintenance(o: MaintenanceOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = () => {
    if (running || stopped) return;
    running = maintainOnce(o)
      .catch((e) => o.log.warn({ err: e }, 'storage maintenance failed; will retry'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, o.intervalMs ?? 10_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
