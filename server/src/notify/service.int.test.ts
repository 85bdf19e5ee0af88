/**
 * The notify service hears the alert lifecycle's transitions (issue 12): a page still waiting
 * for its next attempt is cancelled as soon as its alert is acknowledged or resolves, and never
 * sent afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  setupHome,
  startAlertServer,
  type TestGateway,
  WebhookReceiver,
} from '../../test-support/alert-server.ts';

const T0 = Date.parse('2026-11-24T00:00:00.000Z');
const CUFF = 'ble:c4:7c:8d:6a:3f:12';

interface ApiDelivery {
  event: string;
  status: string;
  attempts: number;
}

describe.each(['pglite', 'postgres'] as const)('notifications following alert transitions on %s', (backend) => {
  let t: AlertTestServer;
  let pager: WebhookReceiver;
  let gw: TestGateway;
  let patientId: string;

  beforeAll(async () => {
    pager = await new WebhookReceiver('pager-secret-0123456789').start();
    // Pages go out at once here (no grouping wait): these cases are about retries.
    t = await startAlertServer({
      backend,
      env: { VITALS_PUBLIC_URL: 'http://vitals.test', VITALS_PAGE_GROUP_SECONDS: '0' },
    });
    t.clock.set(T0);
    const home = await setupHome(t, { gatewayId: 'gw-notify-01', patientName: 'Kato Ren', devices: [CUFF] });
    gw = home.gateway;
    patientId = home.patientId;
    const c = await t.api('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: pager.url,
      secret: 'pager-secret-0123456789',
    });
    expect(c.status).toBe(201);
  });
  afterAll(async () => {
    await gw?.close();
    await t?.close();
    await pager?.close();
  });

  /** Opens a medium systolic alert whose first page fails (HTTP 500), so it waits for a retry. */
  async function alertWithWaitingPage(at: number): Promise<ApiAlert> {
    t.clock.set(at);
    pager.failWith = [500];
    await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at, v: 165 }]));
    await t.settle();
    const a = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}&state=firing`)).body[0]!;
    expect(a).toMatchObject({ rule: 'systolic_high', priority: 'medium' });
    expect(await pages(a)).toEqual([{ event: 'alert.page', status: 'pending', attempts: 1 }]);
    return a;
  }

  async function pages(a: ApiAlert) {
    const all = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body;
    return all
      .filter((d) => d.event === 'alert.page')
      .map(({ event, status, attempts }) => ({ event, status, attempts }));
  }

  it('cancels a page waiting for its retry when the alert is acknowledged, and never sends it', async () => {
    const a = await alertWithWaitingPage(T0 + 3_600_000);
    expect((await t.api<ApiAlert>('POST', `/api/v1/alerts/${a.id}/ack`, {})).body.state).toBe('acknowledged');
    expect(await pages(a)).toEqual([{ event: 'alert.page', status: 'cancelled', attempts: 1 }]);
    await t.advance(10 * 60_000);
    expect(pager.received.filter((r) => r.body.alert.id === a.id)).toEqual([]);
    // The condition clears after the acknowledgement: the alert resolves.
    await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: T0 + 3_600_000 + 60_000, v: 120 }]));
    await t.settle();
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a.id}`)).body.state).toBe('resolved');
  });

  it('cancels a page waiting for its retry when a medium alert resolves on its own, and never sends it', async () => {
    const at = T0 + 7_200_000;
    const a = await alertWithWaitingPage(at);
    await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at + 60_000, v: 120 }]));
    await t.settle();
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a.id}`)).body).toMatchObject({
      state: 'resolved',
      resolution: 'cleared',
    });
    expect(await pages(a)).toEqual([{ event: 'alert.page', status: 'cancelled', attempts: 1 }]);
    await t.advance(10 * 60_000);
    expect(pager.received.filter((r) => r.body.alert.id === a.id)).toEqual([]);
  });
});
