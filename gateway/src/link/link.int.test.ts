import { randomBytes } from 'node:crypto';
import {
  type BatchAck,
  defaultGatewaySettings,
  type GatewayEvent,
  type Reading,
  type ReadingBatch,
} from '@vitals/contract';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMqtt5Broker } from '../../test-support/fake-mqtt5-broker.ts';
import { Outbox } from '../outbox/outbox.ts';
import { Link, type LinkOptions } from './link.ts';

const MOSQUITTO = 'mqtt://127.0.0.1:1883';
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function reading(i: number, device = 'ble:00:11:22:33:44:55'): Reading {
  return {
    id: `r-${i}`,
    device: { id: device, transport: 'ble' },
    time: new Date(Date.parse('2026-11-24T00:00:00Z') + i * 1000).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value: 95,
    unit: '%',
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function makeLink(over: Partial<LinkOptions> & { url: string; outbox: Outbox; gatewayId: string }) {
  const link = new Link({
    username: over.gatewayId,
    password: 'x',
    log: pino({ level: 'silent' }),
    version: 'test',
    bootId: 'b1',
    lingerMs: 10,
    ...over,
  });
  cleanups.push(() => link.stop());
  return link;
}

describe("Link over MQTT 5 with the machine's Mosquitto", () => {
  it('repeats its online status while connected, so a server can tell a silent gateway from an idle one', async () => {
    const gw = `gw-t-${randomBytes(4).toString('hex')}`;
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    const server = await mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, clientId: `${gw}-server` });
    cleanups.push(() => server.endAsync());
    await server.subscribeAsync(`vitals/v1/gw/${gw}/status`, { qos: 1 });
    const states: string[] = [];
    server.on('message', (_t, p, packet) => {
      if (!packet.retain) states.push((JSON.parse(p.toString()) as { state: string }).state);
    });
    const link = makeLink({ url: MOSQUITTO, outbox, gatewayId: gw, protocolVersion: 5, heartbeatSeconds: 0.2 });
    link.start();
    await until('three online statuses', () => states.length >= 3);
    expect(states.every((s) => s === 'online')).toBe(true);
    await link.stop(); // says offline, then the heartbeat stops
    await until('the offline status', () => states.includes('offline'));
    await new Promise((r) => setTimeout(r, 600)); // three heartbeats' time
    expect(states.slice(states.indexOf('offline')).filter((s) => s === 'online')).toEqual([]);
  });

  it('re-sends an unacknowledged batch with the same batchId and ids, and forgets it only after the ack', async () => {
    const gw = `gw-t-${randomBytes(4).toString('hex')}`;
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    outbox.append([reading(1), reading(2), reading(3)]);
    const server = await mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, clientId: `${gw}-server` });
    cleanups.push(() => server.endAsync());
    await server.subscribeAsync(`vitals/v1/gw/${gw}/readings`, { qos: 1 });
    const seen: ReadingBatch[] = [];
    server.on('message', (_t, p) => {
      const b = JSON.parse(p.toString()) as ReadingBatch;
      seen.push(b);
      // The first delivery is "lost" on the server side: no ack. The second is committed.
      if (seen.length === 2) {
        const ack: BatchAck = { v: 1, batchId: b.batchId, accepted: b.readings.length, duplicates: 0, rejected: [] };
        void server.publishAsync(`vitals/v1/gw/${gw}/ack`, JSON.stringify(ack), { qos: 1 });
      }
    });
    const link = makeLink({ url: MOSQUITTO, gatewayId: gw, outbox, protocolVersion: 5, ackTimeoutMs: 500 });
    link.start();
    await until('the ack', () => outbox.size() === 0);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.batchId).toBe(seen[0]!.batchId);
    expect(seen[1]!.readings.map((r) => r.id)).toEqual(['r-1', 'r-2', 'r-3']);
    expect(seen[0]!.readings).toEqual(seen[1]!.readings);
    expect(link.stats.ackTimeouts).toBe(1);
    // The retained status went to a topic nobody subscribed to: MQTT 5's 0x10 "no matching
    // subscribers" is a success, not a failed delivery.
    expect(link.stats.pubackFailures).toBe(0);
  });

  it('publishes a retained online status, and the broker publishes the will when the connection dies', async () => {
    const gw = `gw-t-${randomBytes(4).toString('hex')}`;
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    const link = makeLink({ url: MOSQUITTO, gatewayId: gw, outbox, protocolVersion: 5, keepaliveSeconds: 1 });
    link.start();
    await until('connected', () => link.connected);
    const watcher = await mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, clientId: `${gw}-watch` });
    cleanups.push(() => watcher.endAsync());
    const states: string[] = [];
    watcher.on('message', (_t, p) => states.push((JSON.parse(p.toString()) as { state: string }).state));
    await watcher.subscribeAsync(`vitals/v1/gw/${gw}/status`, { qos: 1 });
    await until('the retained online status', () => states.includes('online'));
    // Cut the TCP connection without a DISCONNECT, as a crash or a dead router would.
    (link as unknown as { client: { stream: { destroy(): void } } }).client.stream.destroy();
    await until('the will', () => states.includes('offline'));
    await until('the reconnect', () => link.connected && link.stats.connects === 2);
    await until('online again', () => states.lastIndexOf('online') > states.indexOf('offline'));
  });
});

describe('Link with a broker that refuses a PUBACK', () => {
  it('treats an MQTT 5 PUBACK failure reason code as a failed delivery and re-sends the same batch', async () => {
    const gw = 'gw-fake-0001';
    const broker = await startFakeMqtt5Broker((topic, n) => (topic.endsWith('/readings') && n === 1 ? 0x97 : 0));
    cleanups.push(() => broker.close());
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    outbox.append([reading(1), reading(2)]);
    const link = makeLink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      gatewayId: gw,
      outbox,
      protocolVersion: 5,
      ackTimeoutMs: 60_000,
    });
    link.start();
    const batches = () =>
      broker.published.filter((p) => p.topic.endsWith('/readings')).map((p) => JSON.parse(p.payload) as ReadingBatch);
    await until('the re-send', () => batches().length === 2);
    const [first, second] = batches();
    expect(second!.batchId).toBe(first!.batchId);
    expect(second!.readings).toEqual(first!.readings);
    expect(link.stats.pubackFailures).toBe(1);
    expect(outbox.size()).toBe(2);
    broker.sendToClient(
      `vitals/v1/gw/${gw}/ack`,
      JSON.stringify({ v: 1, batchId: first!.batchId, accepted: 2, duplicates: 0, rejected: [] }),
    );
    await until('the ack', () => outbox.size() === 0);
  });

  it('drains a backlog in full batches, in order, and reports the backlog as an event', async () => {
    const gw = 'gw-fake-0002';
    const broker = await startFakeMqtt5Broker(() => 0);
    cleanups.push(() => broker.close());
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    for (let i = 0; i < 5000; i += 500) outbox.append(Array.from({ length: 500 }, (_, k) => reading(i + k)));
    const link = makeLink({ url: `mqtt://127.0.0.1:${broker.port}`, gatewayId: gw, outbox, protocolVersion: 5 });
    const acked = new Set<string>();
    const ackAll = setInterval(() => {
      for (const p of broker.published)
        if (p.topic.endsWith('/readings')) {
          const b = JSON.parse(p.payload) as ReadingBatch;
          if (acked.has(b.batchId)) continue;
          acked.add(b.batchId);
          broker.sendToClient(
            `vitals/v1/gw/${gw}/ack`,
            JSON.stringify({ v: 1, batchId: b.batchId, accepted: b.readings.length, duplicates: 0, rejected: [] }),
          );
        }
    }, 20);
    cleanups.push(() => clearInterval(ackAll));
    link.start();
    await until('drained', () => outbox.size() === 0);
    const sent = broker.published
      .filter((p) => p.topic.endsWith('/readings'))
      .map((p) => JSON.parse(p.payload) as ReadingBatch);
    const ids = sent.flatMap((b) => b.readings.map((r) => Number(r.id.slice(2))));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(Math.max(...sent.map((b) => b.readings.length))).toBe(1000);
    const events = broker.published
      .filter((p) => p.topic.endsWith('/events'))
      .map((p) => JSON.parse(p.payload) as GatewayEvent);
    expect(events.find((e) => e.type === 'outbox_backlog')?.detail).toMatchObject({
      readings: 5000,
      trend: 'reconnected',
    });
  });
  it('applies new settings live without reconnecting: smaller batches, a faster heartbeat, a status reporting them', async () => {
    const gw = 'gw-fake-0003';
    const broker = await startFakeMqtt5Broker(() => 0);
    cleanups.push(() => broker.close());
    const outbox = new Outbox({ path: ':memory:', gatewayId: gw });
    let report = { revision: 1, applied: defaultGatewaySettings() };
    const link = makeLink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      gatewayId: gw,
      outbox,
      protocolVersion: 5,
      heartbeatSeconds: 60,
      settingsReport: () => report,
    });
    const acked = new Set<string>();
    const ackAll = setInterval(() => {
      for (const p of broker.published)
        if (p.topic.endsWith('/readings')) {
          const b = JSON.parse(p.payload) as ReadingBatch;
          if (acked.has(b.batchId)) continue;
          acked.add(b.batchId);
          broker.sendToClient(
            `vitals/v1/gw/${gw}/ack`,
            JSON.stringify({ v: 1, batchId: b.batchId, accepted: b.readings.length, duplicates: 0, rejected: [] }),
          );
        }
    }, 20);
    cleanups.push(() => clearInterval(ackAll));
    link.start();
    await until('connected', () => link.connected);
    report = { revision: 2, applied: { ...defaultGatewaySettings(), uploadBatchReadings: 100 } };
    link.tune({ maxBatchReadings: 100, heartbeatSeconds: 0.2 });
    link.reportStatus();
    outbox.append(Array.from({ length: 1000 }, (_, k) => reading(k)));
    link.notify();
    await until('drained', () => outbox.size() === 0);
    const batches = broker.published
      .filter((p) => p.topic.endsWith('/readings'))
      .map((p) => (JSON.parse(p.payload) as ReadingBatch).readings.length);
    expect(batches).toEqual(Array.from({ length: 10 }, () => 100));
    const reported = () =>
      broker.published
        .filter((p) => p.topic.endsWith('/status'))
        .map(
          (p) => JSON.parse(p.payload) as { settings?: { revision: number; applied: { uploadBatchReadings: number } } },
        )
        .filter((st) => st.settings?.revision === 2);
    // Reported at once, then every 0.2 s: the heartbeat changed without a reconnection.
    await until('three statuses with revision 2', () => reported().length >= 3, 5_000);
    expect(reported()[0]!.settings!.applied.uploadBatchReadings).toBe(100);
    expect(link.stats.connects).toBe(1);
  });
});
