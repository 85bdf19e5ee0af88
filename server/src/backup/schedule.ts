/**
 * Daily backups taken by the server itself (MHLW guideline: daily, at least three generations).
 * Every instance runs the timer; the day's run is claimed in the database, so a region's
 * instances make one backup a day between them, and a run an instance died in is taken over.
 * A missed day (the server was down at the time) is made up at the next start.
 */
import { statSync } from 'node:fs';
import { wallTimeAt, wallTimeToUtc } from '@vitals/contract';
import type { Logger } from 'pino';
import { claimBackupRun, finishBackupRun } from '../storage/repos/backup-runs.ts';
import type { Sql } from '../storage/sql.ts';
import { backupGeneration, backupRunning, type DatabaseLocation } from './backup.ts';

export interface BackupSchedule {
  /** Local time of day, "HH:MM". */
  at: string;
  timeZone: string;
  dir: string;
  keyFile: string;
  keep: number;
}

const AT = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function backupAtProblem(at: string): string | null {
  return AT.test(at) ? null : `"${at}" is not a time of day as HH:MM (e.g. 03:00)`;
}

/**
 * The local date (YYYY-MM-DD) whose backup is due at `now`: today's once today's time has come,
 * else yesterday's.
 */
export function dueDay(now: number, at: string, timeZone: string): string {
  const [, hh, mm] = AT.exec(at) as unknown as [string, string, string];
  const local = wallTimeAt(now, timeZone);
  const todayAt = wallTimeToUtc(
    { year: local.year, month: local.month, day: local.day, hours: Number(hh), minutes: Number(mm), seconds: 0 },
    timeZone,
  )!;
  const day = now >= todayAt.getTime() ? local : wallTimeAt(now - 86_400_000, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.year}-${pad(day.month)}-${pad(day.day)}`;
}

export type BackupOutcome =
  | { day: string; file: string; bytes: number; removed: string[] }
  | { day: string; error: string };

export interface BackupScheduler {
  /** Runs the due backup if this instance claims it; null when there was nothing to do. */
  tick(): Promise<BackupOutcome | null>;
  stop(): Promise<void>;
}

export function startBackupSchedule(o: {
  sql: Sql;
  location: DatabaseLocation;
  schedule: BackupSchedule;
  instanceId: string;
  log: Logger;
  now?: () => number;
  /** How often the timer looks (default a minute). */
  everyMs?: number;
}): BackupScheduler {
  const now = o.now ?? Date.now;
  const { schedule: s } = o;
  let done: string | undefined;
  let running: Promise<BackupOutcome | null> | undefined;

  const run = async (): Promise<BackupOutcome | null> => {
    const day = dueDay(now(), s.at, s.timeZone);
    if (done === day) return null;
    // Not claimed: another instance has it, made it, or failed less than an hour ago.
    if (!(await claimBackupRun(o.sql, day, o.instanceId))) return null;
    o.log.info({ day, dir: s.dir }, 'scheduled backup started');
    try {
      const r = await backupGeneration(o.location, s.dir, s.keyFile, s.keep, new Date(now()), (out) =>
        backupRunning(o.sql, o.location, out, s.keyFile),
      );
      const bytes = statSync(r.file).size;
      await finishBackupRun(o.sql, day, o.instanceId, { file: r.file, bytes });
      done = day;
      o.log.info({ day, file: r.file, bytes, removed: r.removed.length }, 'scheduled backup written');
      return { day, file: r.file, bytes, removed: r.removed };
    } catch (e) {
      const error = (e as Error).message;
      await finishBackupRun(o.sql, day, o.instanceId, { error }).catch(() => {});
      o.log.error(
        { day, err: e },
        'scheduled backup failed; tried again in an hour (vitals_backup_last_success_seconds)',
      );
      return { day, error };
    }
  };
  const tick = () => {
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => {
    tick().catch((e) => o.log.warn({ err: e }, 'backup schedule check failed; will retry'));
  }, o.everyMs ?? 60_000);
  timer.unref();
  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
