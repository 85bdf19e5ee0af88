import type { BatchAck, Reading } from '@vitals/contract';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, TEST_DATABASE_URL, type TestServer } from '../../test-support/harness.ts';
import { TcpProxy } from '../../test-support/tcp-proxy.ts';

describe('ingest while PostgreSQL is unreachable', () => {
  const db = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(db.hostname, Number(db.port || 5432));
  let t: TestServer;

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    t = await startTestServer('postgres', { VITALS_DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    proxy.restore();
    await t?.close();
    await proxy.stop();
  });

  it('stops acknowledging, says why on healthz, and stores everything once when the database returns', async () => {
    const g = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-outage-01' });
    const c = await mqtt.connectAsync(t.mqttUrl, {
      clientId: 'gw-outage-01',
      username: 'gw-outage-01',
      password: g.body.mqtt.password,
      reconnectPeriod: 0,
    });
    await c.subscribeAsync('vitals/v1/gw/gw-outage-01/ack', { qos: 1 });
    const acks: BatchAck[] = [];
    c.on('message', (_t, p) => acks.push(JSON.parse(p.toString()) as BatchAck));
    const reading = (i: number): Reading => ({
      id: `gw-outage-01:x:${i}`,
      device: { id: 'ble:00:00:00:00:0a:01', transport: 'ble' },
      time: new Date(Date.UTC(2026, 10, 24, 0, 0, i)).toISOString(),
      timeSource: 'device',
      metric: 'pulse_rate',
      value: 60 + i,
      unit: '/min',
    });
    const send = (batchId: string, rs: Reading[]) =>
      c.publishAsync(
        'vitals/v1/gw/gw-outage-01/readings',
        JSON.stringify({ v: 1, gatewayId: 'gw-outage-01', batchId, sentAt: new Date().toISOString(), readings: rs }),
        { qos: 1 },
      );

    proxy.cut();
    await send('gw-outage-01:b-during-1', [reading(1), reading(2)]);
    await send('gw-outage-01:b-during-2', [reading(3)]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(acks).toEqual([]); // nothing acknowledged while nothing can be committed
    const h = await t.api<{ status: string; checks: Record<string, string> }>('GET', '/healthz', undefined, null);
    expect(h.status).toBe(503);
    expect(h.body.checks.database).toMatch(/^unavailable/);

    proxy.restore();
    await expect.poll(() => acks.length, { timeout: 20_000 }).toBe(2);
    // Batches commit side by side on a database server, so their acks may come in either order.
    expect(acks.map((a) => [a.batchId, a.accepted]).sort()).toEqual([
      ['gw-outage-01:b-during-1', 2],
      ['gw-outage-01:b-during-2', 1],
    ]);
    await expect
      .poll(async () => (await t.api('GET', '/healthz', undefined, null)).status, { timeout: 10_000 })
      .toBe(200);
    const n = await t.server.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM readings WHERE gateway_id = 'gw-outage-01'`,
    );
    expect(n.rows[0]!.n).toBe(3);
    await c.endAsync();
  });
});
