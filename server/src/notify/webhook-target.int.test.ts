/**
 * Issue 11, item 8: webhook and push addresses inside the server's network are refused when a
 * person saves them and again when a page would go out; what the API shows of a refused or
 * unreachable target says nothing about the internal network. Real server, broker, database
 * and a real HTTP sink on loopback, with the development setting off.
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
import { addContact } from '../storage/repos/contacts.ts';
import { TARGET_REFUSED } from './channels.ts';
import { NOT_PUBLIC_TARGET } from './webhook-target.ts';

type Err = { error: { code: string; message: string } };
type ApiDelivery = { event: string; channel: string; status: string; lastError?: string; target: string };

describe.each(['pglite', 'postgres'] as const)('webhook targets on %s', (backend) => {
  let t: AlertTestServer;
  let sink: WebhookReceiver;
  let gateway: TestGateway | undefined;

  beforeAll(async () => {
    sink = await new WebhookReceiver(null).start();
    t = await startAlertServer({ backend, env: { VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'false' } });
    t.clock.set(Date.parse('2026-11-24T03:00:00.000Z'));
  });
  afterAll(async () => {
    await gateway?.close();
    await t?.close();
    await sink?.close();
  });

  const internal = () => [
    sink.url, // http://127.0.0.1:port, the development setting off
    sink.url.replace('http://127.0.0.1', 'https://localhost'), // a name resolving to loopback (/etc/hosts)
    sink.url.replace('127.0.0.1', '[::1]'),
    'https://169.254.169.254/latest/meta-data/',
    'https://10.1.2.3/hook',
    'https://[::ffff:192.168.0.10]/hook',
  ];

  it('refuses webhook and push addresses inside the network when they are saved', async () => {
    for (const address of [...internal(), 'http://93.184.216.34/hook']) {
      const r = await t.api<Err>('POST', '/api/v1/me/contacts', { channel: 'webhook', address });
      expect([address, r.status]).toEqual([address, 400]);
      expect(r.body.error.message).toMatch(/^webhook address refused: /);
    }
    const viaName = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: sink.url.replace('http://127.0.0.1', 'https://localhost'),
    });
    expect(viaName.body.error.message).toBe(`webhook address refused: ${NOT_PUBLIC_TARGET}`);
    const plain = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: 'http://93.184.216.34/hook',
    });
    expect(plain.body.error.message).toBe('webhook address refused: use an https URL');
    const push = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webpush',
      subscription: { endpoint: 'https://169.254.169.254/push/abc', keys: { p256dh: 'BCx', auth: 'abc' } },
    });
    expect(push.status).toBe(400);
    const pub = await t.api<{ id: string }>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: 'https://93.184.216.34/hook',
    });
    expect(pub.status).toBe(201);
    expect(sink.received).toEqual([]);
    // Removed again: no test reaches out to the internet.
    expect((await t.api('DELETE', `/api/v1/me/contacts/${pub.body.id}`)).status).toBe(204);
  });

  it('refuses internal targets stored earlier when a page goes out, with a generic error', async () => {
    const me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    // Contacts saved before addresses were checked.
    for (const address of internal()) await addContact(t.server.sql, { userId: me, channel: 'webhook', address });
    const cuff = 'ble:00:11:22:55:00:02';
    const home = await setupHome(t, { gatewayId: `gw-ssrf-${backend}`, patientName: 'Ssrf Patient', devices: [cuff] });
    gateway = home.gateway;
    const at = Date.parse('2026-11-24T04:00:00.000Z');
    t.clock.set(at);
    await gateway.send(gateway.readings(cuff, 'bp_systolic', 'mm[Hg]', [{ t: at - 1000, v: 192 }]));
    await t.settle();
    const [alert] = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${home.patientId}`)).body;
    expect(alert!.rule).toBe('systolic_high');
    const pages = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${alert!.id}/deliveries`)).body.filter(
      (d) => d.event === 'alert.page' && d.channel === 'webhook',
    );
    // Each failed page moves escalation on, so a target may be tried more than once.
    expect(new Set(pages.map((d) => d.target)).size).toBe(internal().length);
    for (const d of pages) expect([d.target, d.status, d.lastError]).toEqual([d.target, 'failed', TARGET_REFUSED]);
    expect(sink.received).toEqual([]);
    // The technical alert about the failed pages repeats only the generic reason.
    const all = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${home.patientId}`)).body;
    const technical = all.find((a) => a.rule === 'delivery_failed') as ApiAlert & { detail: { error: string } };
    expect(technical.detail.error).toBe(TARGET_REFUSED);
    expect(JSON.stringify(technical)).not.toMatch(/ECONNREFUSED|ENOTFOUND|resolves to|timeout/i);
  });
});
