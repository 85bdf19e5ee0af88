import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  setupHome,
  startAlertServer,
  type TestGateway,
  WebhookReceiver,
} from '../../test-support/alert-server.ts';

/**
 * These cases are about the single-parameter rules. SpO2 alone can also open a NEWS2 alert (a
 * single red parameter surfaces as low-medium, priority low, never paged); NEWS2 has its own cases.
 */
const notNews2 = (a: { rule: string }) => a.rule !== 'news2';

const T0 = Date.parse('2026-11-24T00:00:00.000Z');
const OX = 'ble:c4:7c:8d:6a:3f:01';
const CUFF = 'ble:c4:7c:8d:6a:3f:02';

describe.each(['pglite', 'postgres'] as const)(
  'alert lifecycle through the real broker and database on %s',
  (backend) => {
    let t: AlertTestServer;
    let site: WebhookReceiver;
    let pager: WebhookReceiver;
    let gw: TestGateway;
    let patientId: string;

    beforeAll(async () => {
      site = await new WebhookReceiver('site-secret-0123456789').start();
      pager = await new WebhookReceiver('pager-secret-0123456789').start();
      t = await startAlertServer({
        backend,
        env: {
          VITALS_ALERT_WEBHOOK_URL: site.url,
          VITALS_ALERT_WEBHOOK_SECRET: 'site-secret-0123456789',
          VITALS_PUBLIC_URL: 'http://vitals.test',
        },
      });
      t.clock.set(T0 + 3_600_000);
      const home = await setupHome(t, { gatewayId: 'gw-alerts-01', patientName: 'Yamada Hanako', devices: [OX, CUFF] });
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
      await site?.close();
      await pager?.close();
    });

    it('pages once for a 4-minute SpO2 dip on a continuous oximeter and latches the high alert after recovery', async () => {
      const start = T0 + 3_600_000;
      const pts = Array.from({ length: 360 }, (_, i) => ({
        t: start + i * 1000,
        v: i >= 60 && i < 300 ? 88 : 97,
        flags: ['continuous'],
      }));
      t.clock.set(start);
      for (let i = 0; i < pts.length; i += 30) {
        t.clock.set(pts[i]!.t);
        await gw.send(gw.readings(OX, 'spo2', '%', pts.slice(i, i + 30)));
        await t.settle();
      }
      const alerts = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}`)).body.filter(notNews2);
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({
        rule: 'spo2_low',
        metric: 'spo2',
        priority: 'high',
        state: 'firing',
        late: false,
        worstValue: 88,
        lastValue: 88,
      });
      expect(alerts[0]!.openedAt).toBe(new Date(start + 180_000).toISOString());
      expect(alerts[0]!.conditionClearedAt).toBe(new Date(start + 300_000).toISOString());
      await pager.waitFor((r) => r.length >= 1);
      expect(pager.received).toHaveLength(1);
      expect(pager.received[0]!.signatureValid).toBe(true);
      expect(pager.received[0]!.headers['idempotency-key']).toBe(pager.received[0]!.body.idempotencyKey);
      const ofSpo2 = (type: string) => site.of(type).filter((r) => r.body.alert?.id === alerts[0]!.id);
      await site.waitFor(() => ofSpo2('alert.opened').length === 1 && ofSpo2('alert.condition_cleared').length === 1);
      expect(site.received.every((r) => r.signatureValid)).toBe(true);
    });

    it('resolves a latched alert whose condition cleared when acknowledged, naming the user', async () => {
      const a = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}&state=firing`)).body.filter(
        notNews2,
      )[0]!;
      const r = await t.api('POST', `/api/v1/alerts/${a.id}/ack`, { note: 'called the patient, fine' });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ state: 'resolved', resolution: 'acknowledged', note: 'called the patient, fine' });
      const events = (
        await t.api<{ type: string; userName?: string }[]>('GET', `/api/v1/alerts/${a.id}/events`)
      ).body.map((e) => [e.type, e.userName ?? null]);
      expect(events).toEqual([
        ['opened', null],
        ['paged', null],
        ['condition_cleared', null],
        ['acknowledged', 'Dr. Sato'],
        ['resolved', 'Dr. Sato'],
      ]);
      expect((await t.api('POST', `/api/v1/alerts/${a.id}/ack`, {})).status).toBe(409);
    });

    it('acknowledges through the signed link once, without logging in', async () => {
      t.clock.set(T0 + 7_200_000);
      await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: T0 + 7_200_000, v: 185 }]));
      await t.settle();
      await pager.waitFor((r) => r.some((x) => x.body.alert.rule === 'systolic_high'));
      const page = pager.received.find((x) => x.body.alert.rule === 'systolic_high')!;
      expect(page.body.ackUrl).toMatch(/^http:\/\/vitals\.test\/api\/v1\/alerts\/ack-link\?token=/);
      const token = new URL(page.body.ackUrl!).searchParams.get('token')!;
      const show = await fetch(`${t.base}/api/v1/alerts/ack-link?token=${token}`);
      expect(show.status).toBe(200);
      expect(await show.text()).toContain('<form method="post"');
      const first = await t.api<ApiAlert>('POST', '/api/v1/alerts/ack-link', { token }, null);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ rule: 'systolic_high', priority: 'high', state: 'acknowledged' });
      const again = await t.api('POST', '/api/v1/alerts/ack-link', { token }, null);
      expect(again).toMatchObject({
        status: 409,
        body: { error: { code: 'conflict', message: 'this link was already used; it works only once' } },
      });
      const forged = await t.api('POST', '/api/v1/alerts/ack-link', { token: `${token.split('.')[0]}.AAAA` }, null);
      expect(forged.status).toBe(400);
      // Acknowledged while still active: it resolves when the value clears.
      await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: T0 + 7_300_000, v: 130 }]));
      await t.settle();
      const a = (await t.api<ApiAlert>('GET', `/api/v1/alerts/${first.body.id}`)).body;
      expect(a).toMatchObject({ state: 'resolved', resolution: 'cleared_after_ack' });
    });

    it('keeps a high-priority dip that a backlog delivers in two parts firing and late, without a page', async () => {
      const start = T0 + 10_800_000;
      t.clock.set(start + 3_600_000); // an hour after the measurements
      const pts = Array.from({ length: 420 }, (_, i) => ({
        t: start + i * 1000,
        v: i >= 60 && i < 300 ? 86 : 97,
        flags: ['continuous'],
      }));
      const pagesBefore = pager.received.length;
      await gw.send(gw.readings(OX, 'spo2', '%', pts.slice(0, 250))); // ends inside the dip
      await t.settle();
      const open = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}&state=firing`)).body.filter(
        notNews2,
      );
      expect(open.map((a) => [a.rule, a.escalation.step])).toEqual([['spo2_low', null]]);
      await gw.send(gw.readings(OX, 'spo2', '%', pts.slice(250)));
      await t.settle();
      const a = (await t.api<ApiAlert>('GET', `/api/v1/alerts/${open[0]!.id}`)).body;
      expect(a).toMatchObject({ state: 'firing', late: true, priority: 'high' });
      expect(a.conditionClearedAt).toBe(new Date(start + 300_000).toISOString());
      expect(pager.received.length).toBe(pagesBefore);
      // Visible until someone looks at it: acknowledging resolves it.
      const ack = await t.api<ApiAlert>('POST', `/api/v1/alerts/${a.id}/ack`, {});
      expect(ack.body).toMatchObject({ state: 'resolved', resolution: 'acknowledged', late: true });
    });

    it('fires again when an acknowledged alert reaches a higher priority', async () => {
      const at = T0 + 20_000_000;
      t.clock.set(at);
      await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at, v: 165 }]));
      await t.settle();
      const a = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}&state=firing`)).body.filter(
        notNews2,
      )[0]!;
      expect(a).toMatchObject({ rule: 'systolic_high', priority: 'medium' });
      await t.advance(60_000); // a medium page waits the grouping window before it goes out
      expect((await t.api<ApiAlert>('POST', `/api/v1/alerts/${a.id}/ack`, {})).body.state).toBe('acknowledged');
      await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at + 60_000, v: 168 }]));
      await t.settle();
      expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a.id}`)).body).toMatchObject({
        state: 'acknowledged',
        priority: 'medium',
        repeatCount: 1,
      });
      await gw.send(gw.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at + 120_000, v: 184 }]));
      await t.settle();
      expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a.id}`)).body).toMatchObject({
        state: 'firing',
        priority: 'high',
      });
      await pager.waitFor((r) => r.filter((x) => x.body.alert.id === a.id).length === 2);
      expect(pager.received.filter((x) => x.body.alert.id === a.id).map((x) => x.body.alert.priority)).toEqual([
        'medium',
        'high',
      ]);
    });

    it('judges persistence by the continuous flag, for the SpO2 rule and NEWS2 alike: the first reading of a continuous oximeter opens nothing, a spot check alarms at once', async () => {
      const OX2 = 'ble:c4:7c:8d:6a:3f:11';
      const SPOT = 'ble:c4:7c:8d:6a:3f:12';
      const streamHome = await setupHome(t, {
        gatewayId: 'gw-alerts-02',
        patientName: 'Suzuki Ichiro',
        devices: [OX2],
      });
      const spotHome = await setupHome(t, { gatewayId: 'gw-alerts-03', patientName: 'Tanaka Jiro', devices: [SPOT] });
      try {
        const at = T0 + 40_000_000;
        t.clock.set(at);
        // NEWS2 included: a single red parameter (SpO2 ≤ 91 %) makes it low-medium, priority low.
        const firing = async (id: string) =>
          (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${id}&state=firing`)).body
            .map((a) => [a.rule, a.priority, a.openedAt])
            .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        // The gateway flags PLX Continuous readings; the first one arrives alone.
        await streamHome.gateway.send(
          streamHome.gateway.readings(OX2, 'spo2', '%', [{ t: at, v: 85, flags: ['continuous'] }]),
        );
        await t.settle();
        expect(await firing(streamHome.patientId)).toEqual([]);
        // Still in the band 2 minutes later: now it alarms, opened at the sustain time.
        // Live, a gateway sends a continuous stream in small batches (here every 10 s).
        const rest = Array.from({ length: 130 }, (_, i) => ({ t: at + (i + 1) * 1000, v: 85, flags: ['continuous'] }));
        for (let i = 0; i < rest.length; i += 10) {
          t.clock.set(rest[i + 9]!.t + 1000);
          await streamHome.gateway.send(streamHome.gateway.readings(OX2, 'spo2', '%', rest.slice(i, i + 10)));
          await t.settle();
        }
        expect(await firing(streamHome.patientId)).toEqual([
          ['news2', 'low', new Date(at + 120_000).toISOString()],
          ['spo2_low', 'high', new Date(at + 120_000).toISOString()],
        ]);
        // Spot checks (2A5E: no flag) 20 s apart are spot checks, however close: the first low one alarms.
        await spotHome.gateway.send(
          spotHome.gateway.readings(SPOT, 'spo2', '%', [
            { t: at + 100_000, v: 97 },
            { t: at + 120_000, v: 85 },
          ]),
        );
        await t.settle();
        expect(await firing(spotHome.patientId)).toEqual([
          ['news2', 'low', new Date(at + 120_000).toISOString()],
          ['spo2_low', 'high', new Date(at + 120_000).toISOString()],
        ]);
      } finally {
        await streamHome.gateway.close();
        await spotHome.gateway.close();
      }
    });

    it('hides alerts from a user outside the care team', async () => {
      const list = await t.api<ApiAlert[]>('GET', '/api/v1/alerts?state=resolved');
      expect(list.body.length).toBeGreaterThan(0);
      expect((await t.api('GET', '/api/v1/alerts', undefined, null)).status).toBe(401);
    });
  },
);
