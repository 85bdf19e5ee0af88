/**
 * `pnpm -s run server audit verify` (issue 13): exit 0 on an intact chain, 1 naming the first
 * changed row after a row was tampered with behind the database's triggers. Run as a real
 * process on PostgreSQL (the command an operator types), and as a function on an embedded
 * database directory.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { migrate } from '../storage/migrate.ts';
import { openPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import { audit } from '../storage/repos/audit.ts';
import type { Sql } from '../storage/sql.ts';
import { auditCommand } from './audit.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

async function writeRows(sql: Sql): Promise<string> {
  await migrate(sql);
  for (let i = 0; i < 20; i++) await audit(sql, { action: `cli.row.${i}`, ip: '192.0.2.7' });
  return (await sql.query<{ id: string }>("SELECT id::text FROM audit_log WHERE action = 'cli.row.7'")).rows[0]!.id;
}

async function tamper(sql: Sql, id: string) {
  await sql.transaction(async (tx) => {
    await tx.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only');
    await tx.query("UPDATE audit_log SET ip = '203.0.113.66' WHERE id = $1", [id]);
    await tx.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only');
  });
}

async function verifyProcess(env: Record<string, string>) {
  try {
    const r = await promisify(execFile)('pnpm', ['-s', 'run', 'server', 'audit', 'verify'], {
      cwd: ROOT,
      env: { ...process.env, VITALS_LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const f = e as { code: number; stdout: string; stderr: string };
    return { code: f.code, stdout: f.stdout, stderr: f.stderr };
  }
}

describe('audit verify', () => {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'vitals-audit-'));

  afterAll(async () => {
    await dropTestSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on an intact chain and 1 naming the changed row once a row was tampered with (PostgreSQL, as a process)', async () => {
    const sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
    const env = { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema };
    try {
      const id = await writeRows(sql);
      const intact = await verifyProcess(env);
      expect(intact).toMatchObject({ code: 0 });
      expect(intact.stdout).toMatch(/audit log intact: 20 rows checked/);
      await tamper(sql, id);
      const broken = await verifyProcess(env);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(new RegExp(`BROKEN at row id ${id} \\(chain position 8, written \\d{4}-`));
      expect(broken.stderr).toMatch(/changed after it was written/);
    } finally {
      await sql.close();
    }
  }, 240_000);

  it('says the same of an embedded database directory', async () => {
    const sql = await openPglite(join(dir, 'db'));
    const id = await writeRows(sql);
    await tamper(sql, id);
    await sql.close();
    const out: string[] = [];
    const err: string[] = [];
    const code = await auditCommand(
      ['verify'],
      { VITALS_DATA_DIR: dir },
      (s) => out.push(s),
      (s) => err.push(s),
    );
    expect(code).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`BROKEN at row id ${id} `));
  }, 240_000);
});
