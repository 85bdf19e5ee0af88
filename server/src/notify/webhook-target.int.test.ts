/**
 * Issue 11, item 8: webhook and push addresses inside the server's network are refused again
 * when a page would go out (when a person saves them: api/contacts/contacts.int.test.ts); what
 * the API shows of a refused or unreachable target says nothing about the internal network.
 * Real server, broker, database and a real HTTP sink on loopback, with the development setting off.
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
    // A page that joined a message already waiting for the same person is 'grouped': it went out
    // (or failed) as part of that one.
    const pages = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${alert!.id}/deliveries`)).body.filter(
      (d) => d.event === 'alert.page' && d.channel === 'webhook' && d.status !== 'grouped',
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
