import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { setupHome, startAlertServer } from '../../test-support/alert-server.ts';
import { TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { openPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import type { Sql } from '../storage/sql.ts';
import { digestTables } from '../storage/table-digest.ts';
import { readHeader, writeKeyFile } from './archive.ts';
import { backupGeneration, backupTo, restoreFrom } from './backup.ts';

const CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const PATIENT = 'Backup Hanako';
const work = mkdtempSync(join(tmpdir(), 'vitals-backup-'));
const databases: string[] = [];

function cli(args: string[], env: Record<string, string>) {
  const { VITALS_DATABASE_URL: _u, VITALS_DATABASE_SCHEMA: _s, ...base } = process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...base, VITALS_LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * The commands' work called in this process, with the exit code and message the CLI would give:
 * each spawned command costs seconds of start-up, so the CLI itself is spawned only for the main path.
 */
async function attempt(f: () => unknown): Promise<{ code: number; err: string }> {
  try {
    await f();
    return { code: 0, err: '' };
  } catch (e) {
    return { code: 1, err: (e as Error).message };
  }
}

async function freshDatabase(): Promise<string> {
  const name = `vitals_bk_${Math.random().toString(16).slice(2, 10)}`;
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  databases.push(name);
  return TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
}

/** A home: organisation, people, gateway, device, binding, readings and what alerting made of them. */
async function populate(env: Record<string, string>) {
  const t = await startAlertServer({ backend: 'pglite', env });
  try {
    const home = await setupHome(t, {
      gatewayId: 'gw-backup-01',
      patientName: PATIENT,
      devices: ['ble:aa:bb:cc:00:00:01'],
    });
    const base = Date.parse('2026-11-23T00:00:00Z');
    const points = Array.from({ length: 300 }, (_, i) => ({ t: base + i * 60_000, v: i < 290 ? 96 : 84 }));
    const acks = await home.gateway.send(home.gateway.readings('ble:aa:bb:cc:00:00:01', 'spo2', '%', points));
    expect(acks.reduce((n, a) => n + a.accepted, 0)).toBe(300);
    await home.gateway.close();
  } finally {
    await t.close({ keepDatabase: true });
  }
}

async function digest(open: () => Promise<Sql>) {
  const sql = await open();
  try {
    return await digestTables(sql);
  } finally {
    await sql.close();
  }
}

afterAll(async () => {
  rmSync(work, { recursive: true, force: true });
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  for (const d of databases) await c.query(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  await c.end();
});

describe('backup and restore drill', { timeout: 600_000 }, () => {
  const key = join(work, 'backup.key');

  it('makes a key file that only its owner can read, and never overwrites one', async () => {
    expect(cli(['backup-key', '--out', key], {}).code).toBe(0);
    expect(Buffer.from(readFileSync(key, 'utf8').trim(), 'base64')).toHaveLength(32);
    const again = await attempt(() => writeKeyFile(key));
    expect(again.code).not.toBe(0);
  });

  let src = '';
  const file = join(work, 'pg.vbk');

  it('restores a PostgreSQL database with every table, row count and checksum equal to the original', async () => {
    src = await freshDatabase();
    const dst = await freshDatabase();
    await populate({ VITALS_DATABASE_URL: src });
    const made = cli(['backup', '--key', key, '--out', file], { VITALS_DATABASE_URL: src });
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(readHeader(file).header).toMatchObject({ format: 'pg_dump-custom' });
    expect(readFileSync(file).includes(Buffer.from(PATIENT))).toBe(false); // encrypted

    const restored = cli(['restore', '--key', key, '--from', file], { VITALS_DATABASE_URL: dst });
    expect(restored.err).toBe('');
    expect(restored.code).toBe(0);
    const before = await digest(() => openPostgres({ url: src }));
    const after = await digest(() => openPostgres({ url: dst }));
    expect(before.find((t) => t.table === 'readings')?.rows).toBe(300);
    expect(after).toEqual(before);

    const again = await attempt(() => restoreFrom({ databaseUrl: dst, dataDir: 'memory://' }, file, key));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already holds a vitals database/);
  });

  it('refuses a wrong key and a damaged file without touching the target', async () => {
    const dst = await freshDatabase();
    const otherKey = join(work, 'other.key');
    writeKeyFile(otherKey);
    const wrong = await attempt(() => restoreFrom({ databaseUrl: dst, dataDir: 'memory://' }, file, otherKey));
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/cannot be decrypted/);
    const bytes = readFileSync(file);
    bytes[bytes.length - 40]! ^= 0x01;
    const damaged = join(work, 'damaged.vbk');
    writeFileSync(damaged, bytes);
    const bad = await attempt(() => restoreFrom({ databaseUrl: dst, dataDir: 'memory://' }, damaged, key));
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/cannot be decrypted/);
    expect(await digest(() => openPostgres({ url: dst }))).toEqual([]);
  });

  it('keeps the newest generations in a backup directory and refuses to keep fewer than three', async () => {
    const dir = mkdtempSync(join(work, 'gens-'));
    const loc = { databaseUrl: src, dataDir: 'memory://' };
    for (const day of ['01', '02', '03', '04'])
      await backupGeneration(loc, dir, key, 3, new Date(`2026-12-${day}T03:00:00Z`));
    expect(readdirSync(dir).sort()).toEqual([
      'vitals-20261202T030000Z.vbk',
      'vitals-20261203T030000Z.vbk',
      'vitals-20261204T030000Z.vbk',
    ]);
    await expect(backupGeneration(loc, dir, key, 2)).rejects.toThrow(/at least 3 generations/);
  });

  it('restores the embedded database into an empty data dir, equal to the original, and refuses while a server uses it', async () => {
    const dataDir = join(work, 'embedded');
    await populate({ VITALS_DATA_DIR: dataDir });
    const file = join(work, 'embedded.vbk');
    const made = await attempt(() => backupTo({ dataDir }, file, key));
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(readHeader(file).header).toMatchObject({ format: 'pglite-datadir' });

    const target = join(work, 'embedded-restored');
    const restored = cli(['restore', '--key', key, '--from', file], { VITALS_DATA_DIR: target });
    expect(restored.err).toBe('');
    expect(restored.code).toBe(0);
    const before = await digest(() => openPglite(join(dataDir, 'db')));
    const after = await digest(() => openPglite(join(target, 'db')));
    expect(before.find((t) => t.table === 'readings')?.rows).toBe(300);
    expect(after).toEqual(before);

    const running = await startAlertServer({ backend: 'pglite', env: { VITALS_DATA_DIR: dataDir } });
    try {
      // Another process: the lock belongs to the server's process (this one).
      const busy = cli(['backup', '--key', key, '--out', join(work, 'busy.vbk')], { VITALS_DATA_DIR: dataDir });
      expect(busy.code).toBe(1);
      expect(busy.err).toMatch(/in use by process \d+/);
    } finally {
      await running.close();
    }
  });
});
