/**
 * `publish(…, { tx })` (issue 12): subscribers hear of a transaction's writes once it committed,
 * and never when it rolled back, on both kinds of database.
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { openPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import type { Sql } from '../storage/sql.ts';
import { createEventBus, type EventBus } from './bus.ts';

describe.each(['pglite', 'postgres'] as const)('publishing with a transaction (%s)', (backend) => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let sql: Sql;
  let bus: EventBus;
  const heard: string[] = [];

  beforeAll(async () => {
    sql = backend === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await sql.exec('CREATE TABLE t (n int PRIMARY KEY)');
    bus = await createEventBus({ log: pino({ level: 'silent' }) });
    bus.subscribe('session.ended', (e) => void heard.push(e.sessionId), { scope: 'local' });
  });
  afterAll(async () => {
    await bus?.close();
    await sql?.close();
    if (backend === 'postgres') await dropTestSchema(schema);
  });

  it('delivers once the transaction committed, not while it runs', async () => {
    heard.length = 0;
    let inside: string[] = [];
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      // A nested transaction joins the outer one: its events wait for the outer commit too.
      await tx.transaction(async (inner) => bus.publish('session.ended', { sessionId: 'committed' }, { tx: inner }));
      inside = [...heard];
    });
    expect(inside).toStrictEqual([]);
    expect(heard).toStrictEqual(['committed']);
  });

  it('never delivers what a rolled-back transaction published', async () => {
    heard.length = 0;
    await expect(
      sql.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2)');
        bus.publish('session.ended', { sessionId: 'rolled back' }, { tx });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    bus.publish('session.ended', { sessionId: 'outside' }, { tx: sql });
    expect(heard).toStrictEqual(['outside']);
  });
});
