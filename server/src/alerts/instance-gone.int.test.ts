/**
 * Issue 18: the rules judge a reading on the instance that ingested it, after the commit. Two
 * instances on one PostgreSQL schema; B commits a high blood pressure but never judges it (its
 * alert service is stopped, as a process killed between the commit and the judgement would
 * leave it); A does not judge B's readings while B lives, and judges them once B is gone.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiAlert } from '../../test-support/alert-server.ts';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';
import { batchOf, startSecondInstance, until } from '../../test-support/second-instance.ts';
import type { Services } from '../server.ts';

describe('an instance that goes away with readings it committed but never judged', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let a: TestServer;
  let b: Services | undefined;

  beforeAll(async () => {
    a = await startTestServer('postgres', { VITALS_DATABASE_SCHEMA: schema, VITALS_ALERT_TICK_MS: '100' });
    b = await startSecondInstance(schema, { VITALS_ALERT_TICK_MS: '100' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('has the instance left judge them: the alert opens once the other is gone', async () => {
    const gatewayId = 'gw-gone-01';
    const device = 'ble:00:1c:05:99:00:01';
    expect((await a.api('POST', '/api/v1/gateways', { id: gatewayId })).status).toBe(201);
    const p = await a.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Gone Taro' });
    const bound = await a.api('POST', '/api/v1/bindings', {
      deviceId: device,
      patientId: p.body.id,
      gatewayId,
      from: '2020-01-01T00:00:00Z',
    });
    expect(bound.status).toBe(201);
    const alerts = async () =>
      (await a.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${p.body.id}`)).body.filter(
        (x) => x.rule === 'systolic_high',
      );

    // A has seen B alive before B's commit (A looks every 2 s).
    await new Promise((r) => setTimeout(r, 2500));
    await b!.alerts.stop();
    b!.ingest.submit(
      `vitals/v1/gw/${gatewayId}/readings`,
      batchOf(gatewayId, device, 1, [{ metric: 'bp_systolic', value: 196, unit: 'mm[Hg]' }]),
    );
    await b!.ingest.drained();
    const stored = await a.server.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
    expect(stored.rows[0]!.n).toBe(1);
    // While B lives, its readings are its own to judge: A opens nothing over two of its looks.
    await new Promise((r) => setTimeout(r, 4500));
    expect(await alerts()).toEqual([]);

    await b!.close();
    b = undefined;
    const opened = await until('the alert opened by A', async () => {
      const list = await alerts();
      return list.length > 0 ? list : undefined;
    });
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ rule: 'systolic_high', priority: 'high', state: 'firing', lastValue: 196 });
  }, 60_000);
});
