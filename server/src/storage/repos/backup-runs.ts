/** The scheduled backups' ledger: which instance runs a day's backup, and how it ended. */
import type { Sql } from '../sql.ts';

/** A claim older than this without an end is taken to belong to an instance that died. */
const STALE_CLAIM = '2 hours';
/** A failed run is tried again after this. */
const RETRY_AFTER = '1 hour';

/**
 * Claims `day`'s backup for `instanceId`: true when this instance should run it now. Taken over
 * from an instance that died mid-backup, and retried after a failure.
 */
export async function claimBackupRun(sql: Sql, day: string, instanceId: string): Promise<boolean> {
  const r = await sql.query(
    `INSERT INTO backup_runs (day, instance_id) VALUES ($1, $2)
     ON CONFLICT (day) DO UPDATE SET instance_id = excluded.instance_id, started_at = now(),
            finished_at = NULL, file = NULL, bytes = NULL, error = NULL
      WHERE (backup_runs.finished_at IS NULL AND backup_runs.started_at < now() - INTERVAL '${STALE_CLAIM}')
         OR (backup_runs.error IS NOT NULL AND backup_runs.finished_at < now() - INTERVAL '${RETRY_AFTER}')
     RETURNING day`,
    [day, instanceId],
  );
  return r.rows.length === 1;
}

export async function finishBackupRun(
  sql: Sql,
  day: string,
  instanceId: string,
  end: { file: string; bytes: number } | { error: string },
): Promise<void> {
  await sql.query(
    `UPDATE backup_runs SET finished_at = now(), file = $3, bytes = $4, error = $5
      WHERE day = $1 AND instance_id = $2`,
    [
      day,
      instanceId,
      'file' in end ? end.file : null,
      'bytes' in end ? end.bytes : null,
      'error' in end ? end.error : null,
    ],
  );
}

export interface BackupRunRow {
  day: string;
  instance_id: string;
  started_at: Date;
  finished_at: Date | null;
  file: string | null;
  bytes: string | null;
  error: string | null;
}

export async function recentBackupRuns(sql: Sql, limit = 14): Promise<BackupRunRow[]> {
  const r = await sql.query<BackupRunRow>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, instance_id, started_at, finished_at, file, bytes::text AS bytes, error
       FROM backup_runs ORDER BY day DESC LIMIT $1`,
    [limit],
  );
  return r.rows;
}

/** When the newest successful scheduled backup finished (metrics), or null. */
export async function lastBackupSuccess(sql: Sql): Promise<Date | null> {
  const r = await sql.query<{ at: Date | null }>(
    'SELECT max(finished_at) AS at FROM backup_runs WHERE error IS NULL AND finished_at IS NOT NULL',
  );
  return r.rows[0]?.at ?? null;
}
