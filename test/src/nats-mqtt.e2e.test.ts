/**
 * Issue 18: NATS MQTT as the external broker, where a region already runs NATS. NATS 2.9 speaks
 * MQTT 3.1.1 only, QoS 0 and 1, keeps retained messages and persistent sessions in JetStream,
 * and has no shared subscriptions: it grants a `$share/…` filter and then delivers nothing
 * through it. So one server instance, with VITALS_MQTT_PROTOCOL_VERSION=4 and
 * VITALS_MQTT_SHARED_SUBSCRIPTION=false (docs/operations.md, "Brokers"). Proven here on a NATS
 * server of the test's own: what NATS does and does not do, that the server says what to set
 * when left on MQTT 5, and that a real gateway link's readings reach PostgreSQL exactly once,
 * acknowledged end to end, with its retained config delivered.
 */
import { randomBytes } from 'node:crypto';
import type { BatchAck, GatewayConfig, Reading } from '@vitals/contract';
import { Link } from '@vitals/gateway/link/link.ts';
import { Outbox } from '@vitals/gateway/outbox/outbox.ts';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsMqtt, startNatsMqtt } from './nats-server.ts';
import {
  ADMIN,
  eventually,
  freshDatabaseEnv,
  readingCounts,
  type ServerProc,
  startNode,
  startServerProcess,
} from './processes.ts';

describe('NATS MQTT as the external broker', () => {
  let nats: NatsMqtt;
  const db = freshDatabaseEnv('postgres');
  let server: ServerProc | undefined;
  let link: Link | undefined;
  let outbox: Outbox | undefined;

  beforeAll(async () => {
    nats = await startNatsMqtt();
  });
  afterAll(async () => {
    await link?.stop();
    outbox?.close();
    await server?.kill('SIGTERM');
    await nats?.stop();
    await db.drop();
  });

  it('refuses MQTT 5 and QoS 2, grants a $share subscription but delivers nothing through it, keeps retained messages', async () => {
    await expect(
      mqtt.connectAsync(nats.mqttUrl, { protocolVersion: 5, reconnectPeriod: 0, connectTimeout: 5000 }),
    ).rejects.toThrow(/protocol version/i);
    const tag = randomBytes(3).toString('hex');
    const sub = await mqtt.connectAsync(nats.mqttUrl, {
      protocolVersion: 4,
      clientId: `probe-sub-${tag}`,
      reconnectPeriod: 0,
    });
    const pub = await mqtt.connectAsync(nats.mqttUrl, {
      protocolVersion: 4,
      clientId: `probe-pub-${tag}`,
      reconnectPeriod: 0,
    });
    try {
      const got: string[] = [];
      sub.on('message', (t) => void got.push(t));
      const granted = await sub.subscribeAsync([`$share/g/probe/${tag}/shared`, `probe/${tag}/plain`], { qos: 2 });
      // Granted, QoS 2 lowered to 1 …
      expect(granted.map((g) => g.qos)).toEqual([1, 1]);
      await pub.publishAsync(`probe/${tag}/shared`, 'a', { qos: 1 });
      await pub.publishAsync(`probe/${tag}/plain`, 'b', { qos: 1 });
      await pub.publishAsync(`probe/${tag}/config`, 'kept', { qos: 1, retain: true });
      await eventually(async () => got.includes(`probe/${tag}/plain`), 5000, 'the plain subscription');
      // … and nothing arrives through the shared one.
      expect(got).toEqual([`probe/${tag}/plain`]);
      const late = await mqtt.connectAsync(nats.mqttUrl, {
        protocolVersion: 4,
        clientId: `probe-late-${tag}`,
        reconnectPeriod: 0,
      });
      const retained: string[] = [];
      late.on('message', (_t, p, packet) => void (packet.retain && retained.push(p.toString())));
      await late.subscribeAsync(`probe/${tag}/config`, { qos: 1 });
      await eventually(async () => retained.length > 0, 5000, 'the retained message');
      expect(retained).toEqual(['kept']);
      await late.endAsync();
      // A QoS 2 publish ends the connection.
      const closed = new Promise<void>((r) => pub.once('close', () => r()));
      pub.publish(`probe/${tag}/plain`, 'c', { qos: 2 });
      await closed;
    } finally {
      await sub.endAsync();
      pub.end(true);
    }
  });

  it('has a server left on MQTT 5 stop at start and say which setting to change', async () => {
    const p = startNode('server/src/cli/main.ts', ['start'], {
      ...db.env,
      VITALS_HTTP_PORT: '0',
      VITALS_HTTP_HOST: '127.0.0.1',
      VITALS_MQTT_URL: nats.mqttUrl,
      VITALS_INSTANCE_ID: 'nats-v5',
      VITALS_ADMIN_EMAIL: ADMIN.email,
      VITALS_ADMIN_PASSWORD: ADMIN.password,
    });
    await p.waitFor(/set VITALS_MQTT_PROTOCOL_VERSION=4/, 30_000);
    expect(await p.kill()).not.toBe(0);
  });

  it("stores a gateway's readings exactly once through NATS, acknowledges them and delivers the retained config", async () => {
    const gatewayId = `gw-nats-${randomBytes(3).toString('hex')}`;
    const device = 'ble:00:1c:05:ee:aa:01';
    server = await startServerProcess({
      ...db.env,
      VITALS_MQTT_URL: nats.mqttUrl,
      VITALS_MQTT_PROTOCOL_VERSION: '4',
      VITALS_MQTT_SHARED_SUBSCRIPTION: 'false',
      VITALS_INSTANCE_ID: 'nats-one',
    });
    expect(server.output()).toMatch(/run only this one instance/);
    const token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const patientId = (
      await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'NATS 花子' }, token)
    ).body.id;
    expect((await server.api('POST', '/api/v1/gateways', { id: gatewayId }, token)).status).toBe(201);
    // The binding publishes the gateway's config, retained, before the gateway ever connects.
    const bound = await server.api(
      'POST',
      '/api/v1/bindings',
      { deviceId: device, patientId, gatewayId, from: '2020-01-01T00:00:00Z' },
      token,
    );
    expect(bound.status).toBe(201);

    const configs: GatewayConfig[] = [];
    outbox = new Outbox({ path: ':memory:', gatewayId });
    link = new Link({
      url: nats.mqttUrl,
      gatewayId,
      username: gatewayId,
      password: 'unused-by-this-broker',
      outbox,
      log: pino({ level: 'silent' }),
      version: 'test',
      bootId: 'nats',
      ackTimeoutMs: 3000,
      maxBatchReadings: 50,
      lingerMs: 20,
      protocolVersion: 4,
      onConfig: (c) => void configs.push(c),
    });
    link.start();
    await eventually(async () => configs.length > 0, 15_000, 'the retained config');
    expect(configs[0]!.devices).toEqual([{ id: device, allow: true }]);

    const total = 500;
    const t0 = Date.now() - 10 * 60_000;
    const readings: Reading[] = Array.from({ length: total }, (_, i) => ({
      id: `${gatewayId}:n:${String(i).padStart(12, '0')}`,
      device: { id: device, transport: 'ble' },
      time: new Date(t0 + i * 1000).toISOString(),
      timeSource: 'device',
      metric: 'spo2',
      value: 94 + (i % 5),
      unit: '%',
    }));
    for (let i = 0; i < total; i += 25) {
      outbox.append(readings.slice(i, i + 25));
      link.notify();
      await new Promise((r) => setTimeout(r, 10));
    }
    await eventually(async () => outbox!.size() === 0, 60_000, 'every batch acknowledged');

    // A batch sent again (a gateway that never heard the ack) is acknowledged as duplicates, stored once.
    const again = await mqtt.connectAsync(nats.mqttUrl, {
      protocolVersion: 4,
      clientId: `${gatewayId}-replay`,
      reconnectPeriod: 0,
    });
    try {
      const acks: BatchAck[] = [];
      again.on('message', (_t, p) => void acks.push(JSON.parse(p.toString()) as BatchAck));
      await again.subscribeAsync(`vitals/v1/gw/${gatewayId}/ack`, { qos: 1 });
      const batchId = `${gatewayId}:replay:1`;
      await again.publishAsync(
        `vitals/v1/gw/${gatewayId}/readings`,
        JSON.stringify({ v: 1, gatewayId, batchId, sentAt: new Date().toISOString(), readings: readings.slice(0, 40) }),
        { qos: 1 },
      );
      await eventually(async () => acks.find((a) => a.batchId === batchId), 15_000, 'the ack of the replay');
      expect(acks.find((a) => a.batchId === batchId)).toMatchObject({ accepted: 0, duplicates: 40, rejected: [] });
    } finally {
      await again.endAsync();
    }

    expect(await readingCounts(db.env.VITALS_DATABASE_SCHEMA!)).toEqual({ n: total, distinct: total, assigned: total });
  }, 120_000);
});
