import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';
import { openPglite } from '../storage/pglite.ts';
import { recentBackupRuns } from '../storage/repos/backup-runs.ts';
import { digestTables } from '../storage/table-digest.ts';
import { writeKeyFile } from './archive.ts';
import { restoreFrom } from './backup.ts';
import { startBackupSchedule } from './schedule.ts';

const work = mkdtempSync(join(tmpdir(), 'vitals-backup-schedule-'));
const key = join(work, 'backup.key');
writeKeyFile(key);
const quiet = pino({ level: 'silent' });
const servers: TestServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.close();
  rmSync(work, { recursive: true, force: true });
});

async function server(backend: 'pglite' | 'postgres', dir: string): Promise<TestServer> {
  const dataDir = join(work, `data-${backend}`);
  const t = await startTestServer(backend, {
    ...(backend === 'pglite' ? { VITALS_DATA_DIR: dataDir } : {}),
    VITALS_BACKUP_DIR: dir,
    VITALS_BACKUP_KEY_FILE: key,
  });
  servers.push(t);
  await t.api('POST', '/api/v1/patients', { displayName: 'Schedule Hanako' });
  return t;
}

describe('scheduled backups', { timeout: 300_000 }, () => {
  it('backs up the running embedded database once a day, restorable and equal to it, and says so in /metrics', async () => {
    const dir = mkdtempSync(join(work, 'embedded-'));
    const t = await server('pglite', dir);
    const made = await t.server.backups!.tick();
    expect(made).toMatchObject({ file: expect.stringMatching(/vitals-\d{8}T\d{6}Z\.vbk$/) });
    expect(await t.server.backups!.tick()).toBeNull();
    expect(readdirSync(dir)).toHaveLength(1);

    const target = join(work, 'restored');
    await restoreFrom({ dataDir: target }, (made as { file: string }).file, key);
    const restored = await openPglite(join(target, 'db'));
    try {
      // The ledger row was finished after the dump: the backup holds it as started.
      const but = (d: Awaited<ReturnType<typeof digestTables>>) => d.filter((x) => x.table !== 'backup_runs');
      const before = await digestTables(t.server.sql);
      expect(before.find((x) => x.table === 'patients')?.rows).toBe(1);
      expect(but(await digestTables(restored))).toEqual(but(before));
    } finally {
      await restored.close();
    }
    const metrics = await (await fetch(`${t.base}/metrics`)).text();
    expect(metrics).toMatch(/^vitals_backup_scheduled 1$/m);
    const last = Number(/^vitals_backup_last_success_timestamp_seconds (\S+)$/m.exec(metrics)?.[1]);
    expect(Math.abs(last - Date.now() / 1000)).toBeLessThan(600);
  });

  it('makes one backup a day among several instances, takes over a run whose instance died, retries a failure later', async () => {
    const dir = mkdtempSync(join(work, 'postgres-'));
    const t = await server('postgres', dir);
    const location = { databaseUrl: process.env.VITALS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
    const schema = (await t.server.sql.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s;
    const schedule = { at: '03:00', timeZone: 'Asia/Tokyo', dir, keyFile: key, keep: 3 };
    const instance = (instanceId: string, now: number, keyFile = key) =>
      startBackupSchedule({
        sql: t.server.sql,
        location: { ...location, databaseSchema: schema, dataDir: work },
        schedule: { ...schedule, keyFile },
        instanceId,
        log: quiet,
        now: () => now,
        everyMs: 3_600_000,
      });

    const day1 = Date.parse('2026-01-10T12:00:00Z');
    const a = instance('a', day1);
    const b = instance('b', day1);
    const both = await Promise.all([a.tick(), b.tick()]);
    expect(both.filter((r) => r !== null)).toHaveLength(1);
    expect(both.find((r) => r !== null)).toMatchObject({ day: '2026-01-10', bytes: expect.any(Number) });

    // An instance that claimed the next day and died: after two hours another takes the run over.
    await t.server.sql.query(
      `INSERT INTO backup_runs (day, instance_id, started_at) VALUES ('2026-01-11', 'dead', now() - INTERVAL '3 hours')`,
    );
    const taken = await instance('c', day1 + 86_400_000).tick();
    expect(taken).toMatchObject({ day: '2026-01-11' });

    // A failure (the key file went missing) is recorded and not retried within the hour.
    const failing = instance('d', day1 + 2 * 86_400_000, join(work, 'missing.key'));
    expect(await failing.tick()).toMatchObject({ day: '2026-01-12', error: expect.stringMatching(/missing\.key/) });
    expect(await instance('e', day1 + 2 * 86_400_000).tick()).toBeNull();

    const runs = await recentBackupRuns(t.server.sql);
    expect(runs.map((r) => [r.day, r.instance_id, r.error === null])).toEqual([
      ['2026-01-12', 'd', false],
      ['2026-01-11', 'c', true],
      ['2026-01-10', both[0] ? 'a' : 'b', true],
    ]);
    expect(readdirSync(dir)).toHaveLength(2);
    for (const s of [a, b, failing]) await s.stop();
  });
});
