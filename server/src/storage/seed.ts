/**
 * A seed image of the embedded database: a fresh PGlite cluster with every migration applied,
 * saved with dumpDataDir. A new embedded database started from it (VITALS_EMBEDDED_SEED) skips
 * initdb, which dominates the cost of opening one; the test run makes one per set of migrations.
 */
import { createHash } from 'node:crypto';
import { existsSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { loadMigrations, migrate } from './migrate.ts';
import { wrapPglite } from './pglite.ts';

/** Where the seed for today's migrations and PGlite version lives (made if missing). */
export async function ensureEmbeddedSeed(dir = tmpdir()): Promise<string> {
  // pnpm's store path of the package names its version: a PGlite upgrade makes a new seed.
  const pglitePath = realpathSync(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  const h = createHash('sha256').update(pglitePath);
  for (const m of loadMigrations('pglite')) h.update(`${m.version}\n${m.sql}\n`);
  const path = join(dir, `vitals-embedded-seed-${h.digest('hex').slice(0, 16)}.tar.gz`);
  if (existsSync(path)) return path;
  const db = await PGlite.create('memory://');
  try {
    await migrate(wrapPglite(db));
    const image = await db.dumpDataDir('gzip');
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await image.arrayBuffer()));
    renameSync(tmp, path);
  } finally {
    await db.close();
  }
  return path;
}
