import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';

describe('prepared statements (the access check planned once per connection)', () => {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  afterAll(() => dropTestSchema(schema));

  it('on PostgreSQL names one statement per text, reused by later calls with other values', async () => {
    const sql = await openPostgres({ url: TEST_DATABASE_URL, schema, max: 1 });
    try {
      const text = 'SELECT $1::int + 1 AS n';
      expect((await sql.query<{ n: number }>(text, [1], { prepare: true })).rows).toEqual([{ n: 2 }]);
      expect((await sql.query<{ n: number }>(text, [41], { prepare: true })).rows).toEqual([{ n: 42 }]);
      await sql.query('SELECT $1::int * 2 AS n', [3], { prepare: true });
      const p = await sql.query<{ statement: string }>(
        'SELECT statement FROM pg_prepared_statements WHERE name LIKE $1 ORDER BY statement',
        ['vitals_%'],
      );
      expect(p.rows.map((r) => r.statement)).toEqual(['SELECT $1::int * 2 AS n', text]);
      // Inside a transaction the statement is the connection's too.
      const inTx = await sql.transaction((tx) => tx.query<{ n: number }>(text, [9], { prepare: true }));
      expect(inTx.rows).toEqual([{ n: 10 }]);
    } finally {
      await sql.close();
    }
  });

  it('on the embedded database runs the query as it is', async () => {
    const sql = await openPglite('memory://');
    try {
      expect((await sql.query<{ n: number }>('SELECT $1::int + 1 AS n', [1], { prepare: true })).rows).toEqual([
        { n: 2 },
      ]);
    } finally {
      await sql.close();
    }
  });
});
