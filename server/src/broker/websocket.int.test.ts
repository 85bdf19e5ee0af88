import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki } from '@vitals/firmware-sim/pki.ts';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestGateway } from '../../test-support/alert-server.ts';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';

const DEVICE = 'ble:00:11:22:33:77:01';

describe('the embedded broker over WebSocket', () => {
  let t: TestServer;
  const password: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestServer('pglite', { VITALS_MQTT_WS_PORT: '0' });
    for (const id of ['gw-ws-01', 'gw-ws-02'])
      password[id] = (
        await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id })
      ).body.mqtt.password;
  });
  afterAll(async () => t?.close());

  const url = () => `ws://127.0.0.1:${t.server.mqttWsPort}/mqtt`;

  it('takes a gateway batch over ws:// and acknowledges it after the commit', async () => {
    const gw = await TestGateway.connect(url(), 'gw-ws-01', password['gw-ws-01']!);
    try {
      const [ack] = await gw.send(gw.readings(DEVICE, 'spo2', '%', [{ t: Date.now() - 1000, v: 97 }]));
      expect(ack).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
      const n = await t.server.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM readings WHERE device_id = $1',
        [DEVICE],
      );
      expect(n.rows[0]!.n).toBe(1);
    } finally {
      await gw.close();
    }
  });

  it('applies the same credentials and topic ACL as MQTT over TCP', async () => {
    await expect(
      mqtt.connectAsync(url(), { clientId: 'gw-ws-01', username: 'gw-ws-01', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/Not authorized|Bad username or password/i);
    const c = await mqtt.connectAsync(url(), {
      clientId: 'gw-ws-01',
      username: 'gw-ws-01',
      password: password['gw-ws-01']!,
      reconnectPeriod: 0,
    });
    try {
      // The broker answers SUBACK 0x80 (refused), which the client reports as an error.
      await expect(c.subscribeAsync('vitals/v1/gw/gw-ws-02/config', { qos: 1 })).rejects.toThrow(/Subscribe error/);
      const own = await c.subscribeAsync('vitals/v1/gw/gw-ws-01/config', { qos: 1 });
      expect(own[0]!.qos).toBe(1);
    } finally {
      await c.endAsync();
    }
  });

  it('answers a plain HTTP request with 426 instead of hanging', async () => {
    const r = await fetch(`http://127.0.0.1:${t.server.mqttWsPort}/`);
    expect(r.status).toBe(426);
  });
});

describe('the embedded broker over WebSocket with TLS', () => {
  it('accepts a gateway over wss:// that trusts the server CA', async () => {
    const pki = makeTestPki(['gw-wss-01']);
    const t = await startTestServer('pglite', {
      VITALS_MQTT_WS_PORT: '0',
      VITALS_TLS_CERT: join(pki.dir, 'server.pem'),
      VITALS_TLS_KEY: join(pki.dir, 'server.key'),
    });
    try {
      const pw = (await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-wss-01' })).body
        .mqtt.password;
      const c = await mqtt.connectAsync(`wss://127.0.0.1:${t.server.mqttWsPort}/mqtt`, {
        clientId: 'gw-wss-01',
        username: 'gw-wss-01',
        password: pw,
        reconnectPeriod: 0,
        ca: readFileSync(join(pki.dir, 'ca.pem')),
      });
      expect(c.connected).toBe(true);
      await c.endAsync();
      await expect(
        mqtt.connectAsync(`wss://127.0.0.1:${t.server.mqttWsPort}/mqtt`, {
          clientId: 'gw-wss-01',
          username: 'gw-wss-01',
          password: pw,
          reconnectPeriod: 0,
        }),
      ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    } finally {
      await t.close();
    }
  });
});
