/**
 * Issue 7: "the server killed and restarted with an alert open": a real server process is
 * SIGKILLed while an alert is paging; after the restart the escalation timer goes on where
 * it was (not restarted), and nobody is paged twice. The alert clock is a file both the
 * test and the server process read, so ten minutes pass in a second.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ApiAlert,
  type ApiDelivery,
  TestGateway,
  WebhookReceiver,
} from '@vitals/server/test-support/alert-server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, eventually, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const MIN = 60_000;

describe('an open alert survives a killed server', () => {
  const db = freshDatabaseEnv('postgres');
  const clockFile = join(mkdtempSync(join(tmpdir(), 'vitals-clock-')), 'now');
  let now = Date.parse('2026-11-24T12:00:00.000Z');
  const setClock = (t: number) => {
    now = t;
    writeFileSync(clockFile, new Date(t).toISOString());
  };
  let pager: WebhookReceiver;
  let server: ServerProc;
  let env: Record<string, string>;
  let token: string;
  let gw: TestGateway | undefined;

  beforeAll(async () => {
    setClock(now);
    pager = await new WebhookReceiver('pager-secret-0123456789').start();
    // The gateway leaves before the clock jumps an hour: its silence is not what this test is about.
    env = {
      ...db.env,
      VITALS_ALERT_CLOCK_FILE: clockFile,
      VITALS_ALERT_TICK_MS: '100',
      VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true', // the pager receiver listens on loopback
      VITALS_GATEWAY_SILENCE_SECONDS: '2678400',
    };
    server = await startServerProcess(env);
    token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
  });

  afterAll(async () => {
    await gw?.close().catch(() => {});
    await server?.kill();
    await pager?.close();
    await db.drop();
  });

  it('keeps the escalation timer and sends no duplicate page after SIGKILL and restart', async () => {
    expect(
      (
        await server.api(
          'POST',
          '/api/v1/me/contacts',
          { channel: 'webhook', address: pager.url, secret: 'pager-secret-0123456789' },
          token,
        )
      ).status,
    ).toBe(201);
    const g = await server.api<{ mqtt: { password: string } }>(
      'POST',
      '/api/v1/gateways',
      { id: 'gw-restart-01' },
      token,
    );
    const p = await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Suzuki Ichiro' }, token);
    const device = 'ble:00:11:22:33:99:01';
    expect(
      (
        await server.api(
          'POST',
          '/api/v1/bindings',
          { deviceId: device, patientId: p.body.id, from: '2026-01-01T00:00:00.000Z', gatewayId: 'gw-restart-01' },
          token,
        )
      ).status,
    ).toBe(201);
    const pol = await server.api(
      'PUT',
      `/api/v1/patients/${p.body.id}/escalation-policy`,
      {
        reason: 'test',
        steps: [
          { targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 },
          { targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 },
        ],
      },
      token,
    );
    expect(pol.status).toBe(200);
    gw = await TestGateway.connect(server.mqttUrl, 'gw-restart-01', g.body.mqtt.password);
    await gw.send(gw.readings(device, 'bp_systolic', 'mm[Hg]', [{ t: now - 1000, v: 196 }]));
    await pager.waitFor((r) => r.length === 1);
    expect(pager.received[0]!.body).toMatchObject({
      type: 'alert.page',
      step: 0,
      alert: { rule: 'systolic_high', priority: 'high' },
    });
    await gw.close();
    gw = undefined;
    // The kill comes after the page is on record as delivered. Killed between the webhook's
    // answer and that record, the server would rightly send it again after the lease, with the
    // same idempotency key (at-least-once; the receiver drops the repeat), which is not what
    // this test is about.
    await eventually(
      async () => {
        const alerts = (await server.api<ApiAlert[]>('GET', '/api/v1/alerts?state=firing', undefined, token)).body;
        if (alerts.length !== 1) return false;
        const ds = (
          await server.api<ApiDelivery[]>('GET', `/api/v1/alerts/${alerts[0]!.id}/deliveries`, undefined, token)
        ).body;
        return ds.length > 0 && ds.every((d) => d.status === 'delivered');
      },
      5000,
      'first page recorded as delivered',
    );

    setClock(now + 6 * MIN);
    await server.kill('SIGKILL');
    server = await startServerProcess(env);
    token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const open = (await server.api<ApiAlert[]>('GET', '/api/v1/alerts?state=firing', undefined, token)).body[0]!;
    expect(open).toMatchObject({
      rule: 'systolic_high',
      state: 'firing',
      escalation: { step: 0, round: 0, nextAt: '2026-11-24T12:10:00.000Z' },
    });
    // Several ticks of the restarted server: nothing is sent again.
    await new Promise((r) => setTimeout(r, 1000));
    expect(pager.received).toHaveLength(1);

    setClock(now + 4 * MIN); // ten minutes after the first page
    await pager.waitFor((r) => r.length === 2);
    expect(pager.received[1]!.body).toMatchObject({ type: 'alert.page', step: 1, round: 0, alert: { id: open.id } });
    const ack = await server.api('POST', `/api/v1/alerts/${open.id}/ack`, { note: 'seen after the restart' }, token);
    expect(ack.body).toMatchObject({ state: 'acknowledged' });
    setClock(now + 60 * MIN);
    await new Promise((r) => setTimeout(r, 800));
    expect(pager.received).toHaveLength(2);
    const ids = new Set(pager.received.map((r) => r.body.idempotencyKey));
    expect(ids.size).toBe(2);
    await eventually(
      async () =>
        (await server.api<ApiDelivery[]>('GET', `/api/v1/alerts/${open.id}/deliveries`, undefined, token)).body.every(
          (d) => d.status === 'delivered',
        ),
      5000,
      'deliveries recorded',
    );
  });
});
