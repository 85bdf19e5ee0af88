/**
 * The PostgreSQL transport between two buses on two connection pools to one schema, as two
 * server instances have: an event crosses, a payload far above one notification's limit crosses
 * whole, and a LISTEN connection terminated by an administrator comes back and keeps delivering.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { openPostgres } from '../storage/postgres.ts';
import type { Sql } from '../storage/sql.ts';
import { createEventBus, type EventBus } from './bus.ts';
import type { DomainEvents } from './domain-events.ts';
import { type PostgresTransport, postgresTransport } from './postgres-transport.ts';

const log = pino({ level: 'silent' });

async function until(what: string, ok: () => boolean, ms = 10_000) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readings(n: number): DomainEvents['readings.stored'] {
  return {
    rows: Array.from({ length: n }, (_, i) => ({
      id: `gw-big:a:${String(i).padStart(12, '0')}`,
      patient_id: i % 2 ? '7f0d7a0e-4c53-4d4f-9d0a-5b2f0e0f6a11' : null,
      device_id: 'ble:00:1c:05:ee:ee:01',
      gateway_id: 'gw-big',
      flags: i % 7 ? null : ['battery_low'],
      metric: 'spo2',
      time: new Date(Date.UTC(2026, 11, 1) + i * 1000),
      value: 90 + (i % 9),
      unit: '%',
    })),
  };
}

describe('the PostgreSQL event transport', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let sqlA: Sql;
  let sqlB: Sql;
  let a: EventBus;
  let b: EventBus;
  let transportB: PostgresTransport;
  const heardOnB: DomainEvents['readings.stored'][] = [];
  const sessionsOnB: string[] = [];
  const localOnB: string[] = [];

  beforeAll(async () => {
    sqlA = await openPostgres({ url: TEST_DATABASE_URL, schema, max: 2 });
    sqlB = await openPostgres({ url: TEST_DATABASE_URL, schema, max: 2 });
    a = await createEventBus({ log, transport: postgresTransport({ sql: sqlA, log })! });
    transportB = postgresTransport({ sql: sqlB, log })!;
    b = await createEventBus({ log, transport: transportB });
    b.subscribe('readings.stored', (e) => void heardOnB.push(e), { scope: 'cluster' });
    b.subscribe('session.ended', (e) => void sessionsOnB.push(e.sessionId), { scope: 'cluster' });
    b.subscribe('session.ended', (e) => void localOnB.push(e.sessionId), { scope: 'local' });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sqlA?.close();
    await sqlB?.close();
    await dropTestSchema(schema);
  });

  it('carries an event published on one bus to the cluster subscribers of the other, not to its local ones', async () => {
    a.publish('session.ended', { sessionId: 'ended-on-a' });
    await until('the event on B', () => sessionsOnB.length > 0);
    expect(sessionsOnB).toStrictEqual(['ended-on-a']);
    expect(localOnB).toStrictEqual([]);
  });

  it('carries a payload far above one notification (8000 bytes) whole', async () => {
    const big = readings(5000);
    expect(JSON.stringify(big).length).toBeGreaterThan(100_000);
    heardOnB.length = 0;
    a.publish('readings.stored', big);
    await until('the big event on B', () => heardOnB.length > 0);
    expect(heardOnB).toHaveLength(1);
    expect(heardOnB[0]).toStrictEqual(big);
  });

  it('keeps events in the order they were published', async () => {
    sessionsOnB.length = 0;
    for (let i = 0; i < 50; i++) a.publish('session.ended', { sessionId: `s${i}` });
    await until('fifty events on B', () => sessionsOnB.length === 50);
    expect(sessionsOnB).toStrictEqual(Array.from({ length: 50 }, (_, i) => `s${i}`));
  });

  it('listens again after its LISTEN connection is terminated, and keeps delivering', async () => {
    const pid = transportB.listenerPid;
    expect(pid).toBeTypeOf('number');
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    try {
      const r = await admin.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
      expect(r.rows[0]!.ok).toBe(true);
    } finally {
      await admin.end();
    }
    await until('a new listener', () => transportB.listenerPid !== null && transportB.listenerPid !== pid);
    sessionsOnB.length = 0;
    a.publish('session.ended', { sessionId: 'after-reconnect' });
    await until('the event after the reconnect', () => sessionsOnB.length > 0);
    expect(sessionsOnB).toStrictEqual(['after-reconnect']);
  });

  it('delivers an event sent inside a transaction at its commit, once, and never one whose transaction rolled back', async () => {
    sessionsOnB.length = 0;
    const localOnA: string[] = [];
    const off = a.subscribe('session.ended', (e) => void localOnA.push(e.sessionId), { scope: 'local' });
    try {
      await expect(
        sqlA.transaction(async (tx) => {
          expect(await a.sendInTransaction(tx, 'session.ended', { sessionId: 'rolled-back' })).toBe(true);
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await sqlA.transaction(async (tx) => {
        expect(await a.sendInTransaction(tx, 'session.ended', { sessionId: 'committed' })).toBe(true);
        // Not before the commit: B hears nothing while the transaction is open.
        await new Promise((r) => setTimeout(r, 200));
        expect(sessionsOnB).toStrictEqual([]);
        a.publish('session.ended', { sessionId: 'committed' }, { tx, sentToCluster: true });
      });
      await until('the committed event on B', () => sessionsOnB.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(sessionsOnB).toStrictEqual(['committed']);
      expect(localOnA).toStrictEqual(['committed']);
    } finally {
      off();
    }
  });

  it('never hears the events of another schema on the same database', async () => {
    const otherSchema = `t_${randomBytes(6).toString('hex')}`;
    const sqlC = await openPostgres({ url: TEST_DATABASE_URL, schema: otherSchema, max: 1 });
    const c = await createEventBus({ log, transport: postgresTransport({ sql: sqlC, log })! });
    try {
      sessionsOnB.length = 0;
      c.publish('session.ended', { sessionId: 'other-deployment' });
      a.publish('session.ended', { sessionId: 'same-deployment' });
      await until('the event of the same schema', () => sessionsOnB.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(sessionsOnB).toStrictEqual(['same-deployment']);
    } finally {
      await c.close();
      await sqlC.close();
      await dropTestSchema(otherSchema);
    }
  });
});
