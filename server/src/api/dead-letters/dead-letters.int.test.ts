/**
 * Dead letters through inject(): administrators only, newest first, paged, every read audited.
 * Letters of other organisations' gateways, sent over MQTT, are in ../organisation-scope.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { recordDeadLetters } from '../../storage/repos/dead-letters.ts';

interface Letter {
  id: number;
  gatewayId?: string;
  reason: string;
  payload: string;
  payloadBytes: number;
}

describe('dead-letter routes', () => {
  let t: TestApp;
  let staffToken: string;

  beforeAll(async () => {
    t = await buildTestApp();
    staffToken = (
      await addColleague(t, { email: 'staff@station.test', displayName: '看護師 山田', profession: 'nurse' })
    ).token;
    expect((await t.api('POST', '/api/v1/gateways', { id: 'gw-letters-1' })).status).toBe(201);
    await recordDeadLetters(t.sql, [
      { gatewayId: 'gw-letters-1', topic: 'vitals/v1/gw/gw-letters-1/readings', reason: 'not JSON', payload: 'one' },
      { gatewayId: 'gw-letters-1', batchId: 'gw-letters-1:b-2', reason: 'bad reading', payload: 'two' },
      { gatewayId: 'gw-letters-1', reason: 'binary', payload: new Uint8Array([0, 1, 2]) },
      { topic: 'vitals/v1/gw/unknown-gw/readings', reason: 'unknown gateway', payload: 'nobody' },
    ]);
  });
  afterAll(async () => t?.close());

  it("lists the gateways' dead letters newest first, in pages, without the letters of no known gateway", async () => {
    const all = await t.api<Letter[]>('GET', '/api/v1/dead-letters');
    expect(all.status).toBe(200);
    expect(all.body.map((l) => [l.reason, l.payload, l.payloadBytes])).toEqual([
      ['binary', 'hex:000102', 3],
      ['bad reading', 'two', 3],
      ['not JSON', 'one', 3],
    ]);
    expect(all.body[1]).toEqual({
      id: expect.any(Number),
      receivedAt: expect.any(String),
      gatewayId: 'gw-letters-1',
      batchId: 'gw-letters-1:b-2',
      reason: 'bad reading',
      payload: 'two',
      payloadBytes: 3,
    });
    const page = await t.api<Letter[]>('GET', `/api/v1/dead-letters?limit=1&before=${all.body[0]!.id}`);
    expect(page.body.map((l) => l.reason)).toEqual(['bad reading']);
  });

  it('audits every read, and lets no staff member read them', async () => {
    const reads = async () =>
      (await t.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'dead_letters.read'`))
        .rows[0]!.n;
    const before = await reads();
    await t.api('GET', '/api/v1/dead-letters');
    expect(await reads()).toBe(before + 1);
    const staff = await t.api<{ error: { code: string } }>('GET', '/api/v1/dead-letters', undefined, staffToken);
    expect(staff.status).toBe(403);
    expect(staff.body.error.code).toBe('forbidden');
    expect(await reads()).toBe(before + 1);
  });

  it.each(['limit=0', 'limit=1001', 'limit=ten', 'before=0', 'before=9223372036854775808', 'offset=5'])(
    'refuses the query %s with 400',
    async (query) => {
      const r = await t.api<{ error: { code: string } }>('GET', `/api/v1/dead-letters?${query}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('bad_request');
    },
  );
});
