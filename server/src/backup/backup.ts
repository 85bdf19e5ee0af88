/**
 * Backups and restores of the whole database, encrypted with a key file (archive.ts):
 * PostgreSQL/TimescaleDB through pg_dump's custom format and pg_restore, the embedded database as
 * an image of its data dir. A restore only goes into an empty place: it never merges into or
 * overwrites a database that holds data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from '../storage/data-dir-lock.ts';
import { openPglite, wrapPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import type { Sql } from '../storage/sql.ts';
import { appliedMigration } from '../storage/table-digest.ts';
import { BackupError, type BackupHeader, decryptTo, readKeyFile, writeEncrypted } from './archive.ts';

export interface DatabaseLocation {
  /** PostgreSQL/TimescaleDB; unset = the embedded database in `dataDir`. */
  databaseUrl?: string;
  databaseSchema?: string;
  dataDir: string;
}

export async function backupTo(loc: DatabaseLocation, out: string, keyFile: string): Promise<BackupHeader> {
  const key = readKeyFile(keyFile);
  try {
    return loc.databaseUrl ? await backupPostgres(loc, out, key) : await backupEmbedded(loc.dataDir, out, key);
  } catch (e) {
    rmSync(out, { force: true });
    throw e;
  }
}

export async function restoreFrom(loc: DatabaseLocation, from: string, keyFile: string): Promise<BackupHeader> {
  const key = readKeyFile(keyFile);
  const scratch = mkdtempSync(join(tmpdir(), 'vitals-restore-'));
  try {
    const plain = join(scratch, 'content');
    const header = await decryptTo(from, key, plain);
    if (loc.databaseUrl) {
      if (header.format !== 'pg_dump-custom')
        throw new BackupError(`${from} holds an embedded database; restore it with VITALS_DATABASE_URL unset`);
      await restorePostgres(loc, header, plain);
    } else {
      if (header.format !== 'pglite-datadir')
        throw new BackupError(`${from} holds a PostgreSQL dump; restore it with VITALS_DATABASE_URL set`);
      await restoreEmbedded(loc.dataDir, plain);
    }
    return header;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * A backup taken by the running server (the schedule): the embedded database is dumped from the
 * open instance (its data dir is locked while the server runs); PostgreSQL through pg_dump.
 */
export async function backupRunning(
  sql: Sql,
  loc: DatabaseLocation,
  out: string,
  keyFile: string,
): Promise<BackupHeader> {
  const key = readKeyFile(keyFile);
  try {
    if (loc.databaseUrl) return await backupPostgres(loc, out, key);
    if (!sql.dumpImage) throw new BackupError('this database cannot be dumped while it runs');
    const migration = await appliedMigration(sql);
    const header: BackupHeader = {
      format: 'pglite-datadir',
      createdAt: new Date().toISOString(),
      ...(migration !== undefined ? { migration } : {}),
    };
    await writeEncrypted(out, header, key, Readable.from([await sql.dumpImage()]));
    return header;
  } catch (e) {
    rmSync(out, { force: true });
    throw e;
  }
}

const BACKUP_NAME = /^vitals-\d{8}T\d{6}Z\.vbk$/;

/**
 * A new backup in `dir` named by its UTC time, keeping the newest `keep` generations (at least 3,
 * as the MHLW guideline asks); returns the new file and the ones removed.
 */
export async function backupGeneration(
  loc: DatabaseLocation,
  dir: string,
  keyFile: string,
  keep: number,
  now = new Date(),
  write: (out: string) => Promise<unknown> = (out) => backupTo(loc, out, keyFile),
): Promise<{ file: string; removed: string[] }> {
  if (!Number.isInteger(keep) || keep < 3)
    throw new BackupError(`--keep ${keep}: keep at least 3 generations (MHLW guideline 6.0)`);
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `vitals-${stamp}.vbk`);
  if (existsSync(file)) throw new BackupError(`${file} exists already`);
  await write(file);
  const all = readdirSync(dir)
    .filter((f) => BACKUP_NAME.test(f))
    .sort()
    .reverse();
  const removed = all.slice(keep).map((f) => join(dir, f));
  for (const f of removed) rmSync(f);
  return { file, removed };
}

async function withSql<T>(open: () => Promise<Sql>, f: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = await open();
  try {
    return await f(sql);
  } finally {
    await sql.close();
  }
}

function openPg(loc: DatabaseLocation): Promise<Sql> {
  return openPostgres({ url: loc.databaseUrl!, ...(loc.databaseSchema ? { schema: loc.databaseSchema } : {}), max: 1 });
}

async function backupPostgres(loc: DatabaseLocation, out: string, key: Buffer): Promise<BackupHeader> {
  const migration = await withSql(() => openPg(loc), appliedMigration);
  if (migration === undefined)
    throw new BackupError('the database at VITALS_DATABASE_URL holds no vitals database (no migrations applied)');
  const header: BackupHeader = {
    format: 'pg_dump-custom',
    createdAt: new Date().toISOString(),
    migration,
    ...(loc.databaseSchema ? { schema: loc.databaseSchema } : {}),
  };
  const args = ['--format=custom', '--no-owner', '--no-privileges'];
  if (loc.databaseSchema) args.push(`--schema=${loc.databaseSchema}`);
  args.push(`--dbname=${loc.databaseUrl}`);
  const child = spawn('pg_dump', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = exitOf(child, 'pg_dump');
  await Promise.all([writeEncrypted(out, header, key, child.stdout!), exited]);
  return header;
}

async function restorePostgres(loc: DatabaseLocation, header: BackupHeader, dump: string): Promise<void> {
  const target: DatabaseLocation = { ...loc, ...(header.schema ? { databaseSchema: header.schema } : {}) };
  const existing = await withSql(() => openPg(target), appliedMigration);
  if (existing !== undefined)
    throw new BackupError(
      `the target database${header.schema ? ` (schema ${header.schema})` : ''} already holds a vitals database (migration ${existing}); restore into an empty database, or drop it first`,
    );
  const child = spawn(
    'pg_restore',
    ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${loc.databaseUrl}`, dump],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  await exitOf(child, 'pg_restore');
}

async function backupEmbedded(dataDir: string, out: string, key: Buffer): Promise<BackupHeader> {
  const dbDir = join(dataDir, 'db');
  if (!existsSync(dbDir) || readdirSync(dbDir).length === 0)
    throw new BackupError(`there is no embedded database in ${dataDir} (VITALS_DATA_DIR)`);
  const release = lockDataDir(dataDir, 'backup');
  try {
    const db = await PGlite.create(dbDir);
    try {
      const migration = await appliedMigration(wrapPglite(db));
      const header: BackupHeader = {
        format: 'pglite-datadir',
        createdAt: new Date().toISOString(),
        ...(migration !== undefined ? { migration } : {}),
      };
      const image = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      await writeEncrypted(out, header, key, Readable.from([image]));
      return header;
    } finally {
      await db.close();
    }
  } finally {
    release();
  }
}

async function restoreEmbedded(dataDir: string, image: string): Promise<void> {
  const dbDir = join(dataDir, 'db');
  if (existsSync(dbDir) && readdirSync(dbDir).length > 0)
    throw new BackupError(
      `${dbDir} already holds a database; move it away (or point VITALS_DATA_DIR at an empty directory) before restoring`,
    );
  const release = lockDataDir(dataDir, 'restore');
  try {
    if (statSync(image).size === 0) throw new BackupError('the backup is empty');
    const sql = await openPglite(dbDir, { seed: image });
    try {
      if ((await appliedMigration(sql)) === undefined)
        throw new BackupError('the restored database holds no vitals data');
    } finally {
      await sql.close();
    }
  } catch (e) {
    rmSync(dbDir, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
}

function exitOf(child: ReturnType<typeof spawn>, name: string): Promise<void> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', (e) =>
      reject(
        new BackupError(
          `cannot run ${name}: ${e.message}; install the PostgreSQL client tools (version ≥ the server's)`,
        ),
      ),
    );
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new BackupError(`${name} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
}
