/**
 * Issue 11, item 4: a PostgreSQL connection lost while the server holds it (terminated by an
 * administrator, or a TCP connection cut) must fail the transaction that used it, never the
 * process, and the pool must serve the next transaction on a fresh connection.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { TcpProxy } from '../../test-support/tcp-proxy.ts';
import { classifyDatabaseError } from './db-errors.ts';
import { openPostgres } from './postgres.ts';
import type { Sql } from './sql.ts';

async function terminate(pid: number) {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    await c.query('SELECT pg_terminate_backend($1)', [pid]);
  } finally {
    await c.end();
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a PostgreSQL connection lost while checked out', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let sql: Sql;

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    sql = await openPostgres({ url: viaProxy.toString(), schema, max: 2 });
    await sql.exec('CREATE TABLE t (n int PRIMARY KEY)');
  });
  afterAll(async () => {
    proxy.restore();
    await sql?.close();
    await proxy.stop();
    await dropTestSchema(schema);
  });

  it('fails the transaction when the backend is terminated between its statements, and the next one commits', async () => {
    const failed = sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      const pid = (await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      await terminate(pid);
      // The client sits idle in the transaction while its connection goes away.
      await pause(300);
      await tx.query('INSERT INTO t VALUES (2)');
    });
    const e = await failed.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeDefined();
    expect(classifyDatabaseError(e)).toBe('unavailable');
    await sql.transaction((tx) => tx.query('INSERT INTO t VALUES (3)'));
    expect((await sql.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows).toEqual([{ n: 3 }]);
  });

  it('fails the transaction when the TCP connection is cut during it, and recovers when it is restored', async () => {
    const failed = sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (4)');
      proxy.cut();
      await pause(300);
      await tx.query('INSERT INTO t VALUES (5)');
    });
    const e = await failed.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(classifyDatabaseError(e)).toBe('unavailable');
    await pause(2000);
    proxy.restore();
    await expect
      .poll(
        () =>
          sql
            .transaction((tx) => tx.query('INSERT INTO t VALUES (6) ON CONFLICT DO NOTHING'))
            .then(
              () => true,
              () => false,
            ),
        { timeout: 15_000 },
      )
      .toBe(true);
    expect((await sql.query<{ n: number }>('SELECT n FROM t ORDER BY n')).rows).toEqual([{ n: 3 }, { n: 6 }]);
  });
});
