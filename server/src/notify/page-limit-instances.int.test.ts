/**
 * Issue 18, "rate limits … correct with any number of instances": the per-person page limit
 * (VITALS_PAGE_LIMIT) counts the pages in the database, so a page that instance A sent counts
 * on instance B. A pages the administrator for a high blood pressure ingested by A; B then
 * judges a medium pulse ingested by B and, the limit of one page reached, records its page as
 * suppressed with the reason instead of sending it.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiAlert, type ApiDelivery, WebhookReceiver } from '../../test-support/alert-server.ts';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';
import { batchOf, startSecondInstance, until } from '../../test-support/second-instance.ts';
import type { Services } from '../server.ts';

describe('the per-person page limit across two instances on one database', () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const limits = { VITALS_PAGE_LIMIT: '1', VITALS_PAGE_GROUP_SECONDS: '0', VITALS_ALERT_TICK_MS: '100' };
  let a: TestServer;
  let b: Services;
  let pager: WebhookReceiver;

  beforeAll(async () => {
    pager = await new WebhookReceiver(null).start();
    a = await startTestServer('postgres', { VITALS_DATABASE_SCHEMA: schema, ...limits });
    b = await startSecondInstance(schema, limits);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await pager?.close();
  });

  it("holds back a medium page on B once A's page reached the person's limit", async () => {
    expect((await a.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: pager.url })).status).toBe(201);
    const homes: { gatewayId: string; device: string; patientId: string }[] = [];
    for (const [i, name] of ['Limit Ichiro', 'Limit Jiro'].entries()) {
      const gatewayId = `gw-limit-0${i}`;
      const device = `ble:00:1c:05:98:00:0${i}`;
      expect((await a.api('POST', '/api/v1/gateways', { id: gatewayId })).status).toBe(201);
      const p = await a.api<{ id: string }>('POST', '/api/v1/patients', { displayName: name });
      const bound = await a.api('POST', '/api/v1/bindings', {
        deviceId: device,
        patientId: p.body.id,
        gatewayId,
        from: '2020-01-01T00:00:00Z',
      });
      expect(bound.status).toBe(201);
      const policy = await a.api('PUT', `/api/v1/patients/${p.body.id}/escalation-policy`, {
        reason: 'page limit test',
        steps: [{ targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 }],
      });
      expect(policy.status).toBe(200);
      homes.push({ gatewayId, device, patientId: p.body.id });
    }
    const [first, second] = homes as [(typeof homes)[0], (typeof homes)[0]];
    const alertOf = async (patientId: string) =>
      (await a.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}`)).body[0];
    const deliveriesOf = async (alertId: string) =>
      (await a.api<ApiDelivery[]>('GET', `/api/v1/alerts/${alertId}/deliveries`)).body;

    // A ingests and judges the high blood pressure: one page, delivered.
    a.server.ingest.submit(
      `vitals/v1/gw/${first.gatewayId}/readings`,
      batchOf(first.gatewayId, first.device, 1, [{ metric: 'bp_systolic', value: 196, unit: 'mm[Hg]' }]),
    );
    await pager.waitFor((r) => r.length === 1);
    const high = await until('the high alert', () => alertOf(first.patientId));
    await until('its page recorded as delivered', async () =>
      (await deliveriesOf(high.id)).some((d) => d.status === 'delivered') ? true : undefined,
    );

    // B ingests and judges a medium pulse (a spot check alarms at once): the limit holds it back.
    b.ingest.submit(
      `vitals/v1/gw/${second.gatewayId}/readings`,
      batchOf(second.gatewayId, second.device, 1, [{ metric: 'pulse_rate', value: 120, unit: '/min' }]),
    );
    const medium = await until('the medium alert', () => alertOf(second.patientId));
    expect(medium).toMatchObject({ rule: 'pulse_high', priority: 'medium', state: 'firing' });
    const held = await until('its page recorded', async () => {
      const ds = await deliveriesOf(medium.id);
      return ds.length > 0 ? ds : undefined;
    });
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ event: 'alert.page', status: 'suppressed' });
    expect(held[0]!.lastError).toMatch(/^rate limit: 1 pages to this person in the last 60 minutes \(at most 1\)/);
    await new Promise((r) => setTimeout(r, 500));
    expect(pager.received).toHaveLength(1);
  }, 60_000);
});
