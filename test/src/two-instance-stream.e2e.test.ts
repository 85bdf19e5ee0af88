/**
 * Issue 12: two server processes on one PostgreSQL schema behind the machine's Mosquitto share
 * the ingest (a shared subscription hands each message to one of them); a browser-like SSE
 * client on each instance sees every reading, so each sees the readings the other ingested, over
 * the event bus's PostgreSQL transport. A logout on one instance ends a stream on the other.
 */
import { randomBytes } from 'node:crypto';
import type { BatchAck, ReadingBatch } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { openLiveStream as openSse, streamedValues as valuesOf } from './live-stream.ts';
import { ADMIN, eventually, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const MOSQUITTO = process.env.VITALS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('two server instances on one database behind Mosquitto', () => {
  const db = freshDatabaseEnv('postgres');
  const group = `vitals-test-${randomBytes(4).toString('hex')}`;
  const gatewayId = `gw-two-${randomBytes(4).toString('hex')}`;
  const servers: ServerProc[] = [];
  let gw: MqttClient | undefined;

  afterAll(async () => {
    await gw?.endAsync();
    for (const s of servers) await s.kill('SIGTERM');
    await db.drop();
  });

  it("shows each instance's live stream the readings the other ingested, and ends a stream on B at a logout on A", async () => {
    const env = (instance: string) => ({
      ...db.env,
      VITALS_MQTT_URL: MOSQUITTO,
      VITALS_MQTT_SHARE_GROUP: group,
      VITALS_INSTANCE_ID: `${group}-${instance}`,
      // The event bus logs (debug) each event it hears from another instance.
      VITALS_LOG_LEVEL: 'debug',
    });
    servers.push(await startServerProcess(env('a')));
    servers.push(await startServerProcess(env('b')));
    const [a, b] = servers as [ServerProc, ServerProc];
    const tokenA = (await a.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const tokenB = (await b.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const patientId = (await a.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '二台 花子' }, tokenA))
      .body.id;
    expect((await a.api('POST', '/api/v1/gateways', { id: gatewayId }, tokenA)).status).toBe(201);
    const deviceId = 'ble:00:1c:05:ee:ee:02';
    const bound = await a.api(
      'POST',
      '/api/v1/bindings',
      { deviceId, patientId, gatewayId, from: '2020-01-01T00:00:00Z' },
      tokenA,
    );
    expect(bound.status).toBe(201);

    const onA = await openSse(a.base, tokenA);
    const onB = await openSse(b.base, tokenB);

    // Mosquitto accepts any client here: the gateway is a plain MQTT client speaking the contract.
    gw = await mqtt.connectAsync(MOSQUITTO, { clientId: gatewayId, protocolVersion: 5 });
    await gw.subscribeAsync(`vitals/v1/gw/${gatewayId}/ack`, { qos: 1 });
    const acked = new Set<string>();
    gw.on('message', (_t, p) => void acked.add((JSON.parse(p.toString()) as BatchAck).batchId));
    // Separate messages: the shared subscription deals them out to both instances.
    const values = Array.from({ length: 12 }, (_, i) => 80 + i);
    for (const [i, v] of values.entries()) {
      const batch: ReadingBatch = {
        v: 1,
        gatewayId,
        batchId: `${gatewayId}:b-${i}`,
        sentAt: new Date().toISOString(),
        readings: [
          {
            id: `${gatewayId}:r:${String(i).padStart(12, '0')}`,
            device: { id: deviceId, transport: 'ble' },
            time: new Date(Date.now() - 60_000 + i * 1000).toISOString(),
            timeSource: 'device',
            metric: 'pulse_rate',
            value: v,
            unit: '/min',
          },
        ],
      };
      await gw.publishAsync(`vitals/v1/gw/${gatewayId}/readings`, JSON.stringify(batch), { qos: 1 });
    }
    await eventually(async () => acked.size === values.length, 30_000, 'every batch acknowledged');
    await eventually(async () => valuesOf(onB).length === values.length, 15_000, 'every reading on B');
    await eventually(async () => valuesOf(onA).length === values.length, 15_000, 'every reading on A');
    expect(valuesOf(onB)).toEqual(values);
    expect(valuesOf(onA)).toEqual(values);
    // Each instance ingested some (a reading ingested by neither would not be on either stream)
    // and heard the other's commits over PostgreSQL.
    for (const s of [a, b]) expect(s.output()).toMatch(/"event":"readings.stored".*event heard from another instance/);

    // A logout on A ends the stream of that session on B at once, not at B's next check.
    const shared = await openSse(b.base, tokenA);
    const loggedOutAt = Date.now();
    expect((await a.api('POST', '/api/v1/auth/logout', undefined, tokenA)).status).toBe(204);
    await shared.ended;
    expect(Date.now() - loggedOutAt).toBeLessThan(4_000);
    // B's log line reaches this process through a pipe, which may come after the stream's end.
    await eventually(
      async () => /"event":"session.ended".*event heard from another instance/.test(b.output()),
      10_000,
      "B's log to say it heard the logout from A",
    );

    onA.close();
    onB.close();
  }, 120_000);
});
