import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMigrations, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { ensureEmbeddedSeed } from './seed.ts';

describe('embedded database seed image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-seed-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts a new database with every migration applied and leaves an existing one as it is', async () => {
    const seed = await ensureEmbeddedSeed(dir);
    expect(await ensureEmbeddedSeed(dir)).toBe(seed); // made once per set of migrations

    const dbDir = join(dir, 'db');
    let sql = await openPglite(dbDir, { seed });
    expect(await migrate(sql)).toEqual([]); // nothing left to apply
    const applied = await sql.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(applied.rows.map((r) => r.version)).toEqual(loadMigrations('pglite').map((m) => m.version));
    await sql.query(`INSERT INTO organisations (id, name, kind) VALUES (gen_random_uuid(), 'kept', 'clinic')`);
    await sql.close();

    sql = await openPglite(dbDir, { seed });
    const kept = await sql.query<{ name: string }>(`SELECT name FROM organisations WHERE name = 'kept'`);
    expect(kept.rows).toHaveLength(1);
    await sql.close();
  }, 180_000); // makes a seed and opens two databases: minutes on a loaded 2-core machine
});
