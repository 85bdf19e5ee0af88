/**
 * Periodic storage work, one place per backend:
 * - PostgreSQL / PGlite: fold readings that arrived since the watermark into the rollup tables.
 * - TimescaleDB: refresh the continuous aggregates, compress chunks older than a week, and drop
 *   chunks past retention. (TimescaleDB's own background policies would do this on a server;
 *   running it here works the same everywhere, including the embedded TimescaleDB build.)
 * - Every backend: raw readings past their metric's retention are deleted (whole UTC days), the
 *   rollups are kept (retention-policy.ts).
 */
import type { Logger } from 'pino';
import { horizons, type RetentionPolicy, uniformDays } from './retention-policy.ts';
import type { Sql } from './sql.ts';

/** Rows younger than this are left for the next run: a commit still in flight may hold older ones. */
const SAFETY_LAG_SECONDS = 5;

export interface MaintenanceOptions {
  sql: Sql;
  log: Logger;
  intervalMs?: number;
  /** How long raw readings are kept per metric; left out keeps them forever. */
  retention?: RetentionPolicy;
  /** Retention runs at most this often (default hourly, and at the first run). */
  retentionEveryMs?: number;
  compressAfterDays?: number;
  /** Rows younger than this are left for the next run (tests and benchmarks use 0). */
  rollupLagSeconds?: number;
  /** What ingest stored since the last run (TimescaleDB: only those minutes are refreshed). */
  arrivals?: ArrivalLog;
  /** TimescaleDB: every this many runs (and at the first) everything is refreshed. */
  fullRefreshEvery?: number;
}

/**
 * Raw rows folded per transaction, roughly: on the embedded database each slice holds the
 * only connection (about 50 ms for 5,000 rows on the reference machine).
 */
const SLICE_ROWS = 5_000;
const ORIGIN = "TIMESTAMPTZ '2000-01-01T00:00:00Z'";
const upsert = (table: string) => `ON CONFLICT (patient_id, metric, bucket) DO UPDATE SET
           min = LEAST(${table}.min, excluded.min), max = GREATEST(${table}.max, excluded.max),
           sum = ${table}.sum + excluded.sum, n = ${table}.n + excluded.n`;
const coarser = (table: string, seconds: number) => `INSERT INTO ${table} (patient_id, metric, bucket, min, max, sum, n)
         SELECT patient_id, metric, date_bin(make_interval(secs => ${seconds}), bucket, ${ORIGIN}),
                min(min), max(max), sum(sum), sum(n)
           FROM minutes GROUP BY 1, 2, 3
         ${upsert(table)}`;

/**
 * Folds the readings that arrived in (watermark, watermark + sliceMs] (or up to now less the
 * lag) into the 1m/1h/1d rollups in one transaction: the raw rows are read once, the hour and
 * day buckets are built from the new minute buckets.
 */
async function rollUpSlice(
  sql: Sql,
  lagSeconds: number,
  sliceMs: number,
): Promise<{ buckets: number; rows: number; done: boolean }> {
  return sql.transaction(async (tx) => {
    const wm = await tx.query<{ from: Date | null; to: Date | null; done: boolean }>(
      `WITH s AS (
         SELECT CASE WHEN watermark = '-infinity'
                     THEN (SELECT min(received_at) - INTERVAL '1 microsecond' FROM readings)
                     ELSE watermark END AS "from",
                clock_timestamp() - make_interval(secs => $1) AS now
           FROM rollup_state FOR UPDATE)
       SELECT "from", LEAST("from" + make_interval(secs => $2), now) AS "to",
              "from" IS NULL OR "from" + make_interval(secs => $2) >= now AS done FROM s`,
      [lagSeconds, sliceMs / 1000],
    );
    const { from, to, done } = wm.rows[0]!;
    if (!from || !to || to <= from) return { buckets: 0, rows: 0, done: true };
    const r = await tx.query<{ buckets: number; rows: number }>(
      `WITH minutes AS MATERIALIZED (
         SELECT patient_id, metric, date_bin(INTERVAL '1 minute', time, ${ORIGIN}) AS bucket,
                min(value) AS min, max(value) AS max, sum(value) AS sum, count(*) AS n
           FROM readings WHERE received_at > $1 AND received_at <= $2 AND patient_id IS NOT NULL AND value IS NOT NULL
          GROUP BY 1, 2, 3
       ), m AS (
         INSERT INTO readings_1m (patient_id, metric, bucket, min, max, sum, n) SELECT * FROM minutes
         ${upsert('readings_1m')}
       ), h AS (
         ${coarser('readings_1h', 3600)}
       ), d AS (
         ${coarser('readings_1d', 86400)}
       )
       SELECT count(*)::int AS buckets, COALESCE(sum(n), 0)::int AS rows FROM minutes`,
      [from, to],
    );
    await tx.query('UPDATE rollup_state SET watermark = $1', [to]);
    return { ...r.rows[0]!, done };
  });
}

/**
 * Folds newly arrived readings into the 1m/1h/1d rollup tables (PostgreSQL, PGlite), in
 * slices of arrival time sized to about SLICE_ROWS rows each, so that ingest commits run in
 * between (on the embedded database a long rollup would otherwise hold every commit back).
 * Returns the minute buckets written.
 */
export async function rollUp(
  sql: Sql,
  lagSeconds = SAFETY_LAG_SECONDS,
  opts: { firstSliceMs?: number } = {},
): Promise<number> {
  let sliceMs = opts.firstSliceMs ?? 500;
  let buckets = 0;
  for (let n = 0; ; n++) {
    if (n % 20 === 0) {
      // Unsummarised BRIN ranges are scanned by every slice: summarise what arrived since the
      // last run first (and now and then while catching up), or slices cost as much as the backlog.
      await breathe(() => summarizeArrivalIndex(sql));
      // Statistics from when the table was much smaller make the planner read all of it for
      // each slice, and the embedded database has no autovacuum to refresh them.
      if (await grownSinceAnalyze(sql)) await breathe(() => sql.exec('ANALYZE readings'));
    }
    const t0 = performance.now();
    const r = await rollUpSlice(sql, lagSeconds, sliceMs);
    buckets += r.buckets;
    if (r.done) return buckets;
    // Next slice sized from this one's arrival rate, growing at most fourfold a step.
    sliceMs = Math.min(Math.max((sliceMs * SLICE_ROWS) / Math.max(r.rows, 1), 10), sliceMs * 4, 3_600_000);
    await pause(performance.now() - t0);
  }
}

/** Whether the readings table grew by a tenth (and at least 1 MB) since its last ANALYZE. */
async function grownSinceAnalyze(sql: Sql): Promise<boolean> {
  const r = await sql.query<{ analysed: number; now: number }>(
    `SELECT relpages::float8 AS analysed, (pg_relation_size(oid) / current_setting('block_size')::int)::float8 AS now
       FROM pg_class WHERE oid = 'readings'::regclass`,
  );
  const x = r.rows[0];
  return !!x && x.now > Math.max(x.analysed * 1.1, x.analysed + 128);
}

/**
 * A pause as long as the step before it took: catching up after a backlog takes at most half
 * of the database's time, and waiting ingest commits take the connection meanwhile.
 */
const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(5, ms)));

async function breathe(step: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  await step();
  await pause(performance.now() - t0);
}

/**
 * New pages of the readings table are not in the BRIN index on arrival time until summarised;
 * unsummarised ranges are always scanned. Summarising after each rollup keeps the chart's
 * "arrived since the rollup" part to the newest few pages.
 */
export async function summarizeArrivalIndex(sql: Sql): Promise<void> {
  await sql.query(`SELECT brin_summarize_new_values('readings_received_brin')`);
}

/**
 * Refreshes everything newer than `from` (default: all). With per-metric retention `from` is the
 * deletion boundary: a refresh over minutes whose raw rows of one metric were deleted would
 * recompute those minutes without them and lose that metric's rollups.
 */
export async function refreshAggregates(sql: Sql, from?: Date | null): Promise<void> {
  const start = from ? `'${from.toISOString()}'::timestamptz` : 'NULL';
  for (const view of ['readings_1m', 'readings_1h', 'readings_1d'])
    await sql.exec(`CALL refresh_continuous_aggregate('${view}', ${start}, now() - INTERVAL '1 minute')`);
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * The measurement-time minutes this server stored readings in since the last refresh, with
 * how many (TimescaleDB). Refreshing just those minutes, in windows of about SLICE_ROWS rows,
 * keeps each refresh short; refreshing everything at once after a backlog drain held the
 * embedded database for half a second.
 */
export class ArrivalLog {
  private minutes = new Map<number, number>();

  note(rows: readonly { time: Date }[]): void {
    for (const r of rows) {
      const m = Math.floor(r.time.getTime() / MINUTE) * MINUTE;
      this.minutes.set(m, (this.minutes.get(m) ?? 0) + 1);
    }
  }

  /** Takes the minutes that ended before `until` as windows of about `maxRows` rows, oldest first. */
  take(until: number, maxRows = SLICE_ROWS): { from: number; to: number }[] {
    const keys = [...this.minutes.keys()].filter((m) => m + MINUTE <= until).sort((a, b) => a - b);
    const windows: { from: number; to: number }[] = [];
    let rows = 0;
    for (const m of keys) {
      const last = windows.at(-1);
      if (last && rows < maxRows) last.to = m + MINUTE;
      else {
        windows.push({ from: m, to: m + MINUTE });
        rows = 0;
      }
      rows += this.minutes.get(m)!;
      this.minutes.delete(m);
    }
    return windows;
  }
}

const at = (ms: number) => `'${new Date(ms).toISOString()}'::timestamptz`;

/**
 * Refreshes the minutes that received readings, window by window with pauses in between, then
 * the hours and days around them (built from the minutes, so cheap). Returns the windows.
 */
export async function refreshArrivals(sql: Sql, arrivals: ArrivalLog): Promise<number> {
  const now = (await sql.query<{ now: Date }>('SELECT now()')).rows[0]!.now.getTime();
  const windows = arrivals.take(now - MINUTE);
  if (windows.length === 0) return 0;
  for (const w of windows)
    await breathe(() => sql.exec(`CALL refresh_continuous_aggregate('readings_1m', ${at(w.from)}, ${at(w.to)})`));
  const from = windows[0]!.from;
  const to = windows.at(-1)!.to;
  for (const [view, size] of [
    ['readings_1h', HOUR],
    ['readings_1d', DAY],
  ] as const) {
    // Whole buckets only: a bucket still in progress is answered in real time from the minutes.
    const start = Math.floor(from / size) * size;
    const end = Math.min(Math.ceil(to / size) * size, Math.floor((now - MINUTE) / size) * size);
    if (end > start) await sql.exec(`CALL refresh_continuous_aggregate('${view}', ${at(start)}, ${at(end)})`);
  }
  return windows.length;
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
 * Where raw readings of each metric end at `now`: the start of the UTC day its retention reaches
 * back to. Whole days keep the deleted range apart from the minutes ingest may still fill.
 */
export function deletionBoundaries(p: RetentionPolicy, now: number): { metric: string; before: Date }[] {
  return horizons(p, now).map(({ metric, before }) => ({
    metric,
    before: new Date(Math.floor(before.getTime() / DAY) * DAY),
  }));
}

/**
 * The latest deletion boundary in force (the shortest retention's): before it some metric's raw
 * rows are gone, so aggregates are never refreshed there; ingest refuses readings before it too.
 */
function refreshFloor(p: RetentionPolicy | undefined, now: number): Date | null {
  if (!p || p.days.size === 0 || uniformDays(p) !== null) return null;
  return new Date(Math.max(...deletionBoundaries(p, now).map((b) => b.before.getTime())));
}

const DELETE_SLICE = 5_000;

/**
 * Deletes raw readings past their metric's retention (PostgreSQL, PGlite), only rows already
 * folded into the rollup tables, in slices so ingest commits run in between. Each patient's
 * rows are found through the (patient, metric, time) index, never by scanning the table.
 */
async function expireRawPlain(sql: Sql, p: RetentionPolicy, now: number): Promise<number> {
  const b = deletionBoundaries(p, now);
  if (b.length === 0) return 0;
  const metrics = b.map((x) => x.metric);
  const befores = b.map((x) => x.before);
  let deleted = 0;
  for (;;) {
    const t0 = performance.now();
    const r = await sql.query<{ n: number }>(
      `WITH wm AS (SELECT watermark FROM rollup_state),
       doomed AS (
         SELECT r.ctid AS row FROM (SELECT id FROM patients) p
           CROSS JOIN unnest($1::text[], $2::timestamptz[]) AS h(metric, before)
           CROSS JOIN LATERAL (
             SELECT ctid FROM readings r WHERE r.patient_id = p.id AND r.metric = h.metric AND r.time < h.before
                AND r.received_at <= (SELECT watermark FROM wm) LIMIT $3) r
         UNION ALL
         SELECT r.ctid FROM readings r JOIN unnest($1::text[], $2::timestamptz[]) AS h(metric, before)
             ON r.metric = h.metric AND r.time < h.before
          WHERE r.patient_id IS NULL AND r.received_at <= (SELECT watermark FROM wm)
         LIMIT $3),
       gone AS (DELETE FROM readings WHERE ctid IN (SELECT row FROM doomed) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [metrics, befores, DELETE_SLICE],
    );
    deleted += r.rows[0]!.n;
    if (r.rows[0]!.n < DELETE_SLICE) return deleted;
    await pause(performance.now() - t0);
  }
}

/**
 * TimescaleDB: one retention for every metric drops whole chunks; otherwise each metric's rows
 * are deleted (chunks outside the range are skipped by their time constraint), after a refresh
 * has put them into the aggregates.
 */
async function expireRawTimescale(sql: Sql, p: RetentionPolicy, now: number): Promise<number> {
  const uniform = uniformDays(p);
  if (uniform !== null) return dropExpiredChunks(sql, uniform);
  const b = deletionBoundaries(p, now);
  if (b.length === 0) return 0;
  // The day before the boundary may hold rows not yet in the aggregates; nothing there is deleted yet.
  await refreshAggregates(sql, new Date(refreshFloor(p, now)!.getTime() - DAY));
  let deleted = 0;
  for (const { metric, before } of b) {
    const r = await sql.query<{ n: number }>(
      `WITH gone AS (DELETE FROM readings WHERE metric = $1 AND time < $2 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [metric, before],
    );
    deleted += r.rows[0]!.n;
  }
  return deleted;
}

/** Deletes raw readings past retention on any backend; returns how many (or chunks dropped). */
export async function expireRawReadings(sql: Sql, p: RetentionPolicy, now = Date.now()): Promise<number> {
  return sql.backend === 'timescaledb' ? expireRawTimescale(sql, p, now) : expireRawPlain(sql, p, now);
}

/**
 * Runs one round of the backend's maintenance; returns what it did. Safe with several server
 * instances: the rollup serialises on its watermark row, and refresh/compress/delete are idempotent.
 */
export async function maintainOnce(
  o: MaintenanceOptions,
  run = 0,
  withRetention = true,
): Promise<Record<string, number>> {
  const { sql } = o;
  const retain = withRetention && o.retention && o.retention.days.size > 0 ? o.retention : null;
  if (sql.backend !== 'timescaledb') {
    const rolledUp = await rollUp(sql, o.rollupLagSeconds);
    await summarizeArrivalIndex(sql);
    const expired = retain ? await expireRawPlain(sql, retain, Date.now()) : 0;
    return { rolledUp, expired };
  }
  // Another instance's arrivals, and those of a server that stopped before refreshing, are
  // caught by the full refresh now and then.
  if (!o.arrivals || run % (o.fullRefreshEvery ?? 30) === 0)
    await refreshAggregates(sql, refreshFloor(o.retention, Date.now()));
  else await refreshArrivals(sql, o.arrivals);
  const compressed = await compressOldChunks(sql, o.compressAfterDays ?? 7);
  const expired = retain ? await expireRawTimescale(sql, retain, Date.now()) : 0;
  return { compressed, expired };
}

export function startMaintenance(o: MaintenanceOptions): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  let stopped = false;
  let run = 0;
  let lastRetention = 0;
  const tick = () => {
    if (running || stopped) return;
    const t0 = Date.now();
    const retention = Date.now() - lastRetention >= (o.retentionEveryMs ?? HOUR);
    if (retention) lastRetention = Date.now();
    running = maintainOnce(o, run++, retention)
      .then((r) => {
        // A long run means a backlog was folded in (a restore, a drained outage): say so.
        if (Date.now() - t0 > 5_000)
          o.log.info({ ...r, ms: Date.now() - t0 }, 'storage maintenance caught up a backlog');
        // What retention deleted is said every time: an operator looking for old data finds why.
        if (r.expired)
          o.log.info(
            { removed: r.expired, backend: o.sql.backend },
            'raw readings past their retention removed, rollups kept (rows; whole chunks on TimescaleDB with one retention)',
          );
      })
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
