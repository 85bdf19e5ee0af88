import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayEvent } from '@vitals/contract';
import { encodePlxContinuous } from '@vitals/firmware-sim/ble/encoders/pulse-oximeter.ts';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMqtt5Broker } from '../../test-support/fake-mqtt5-broker.ts';
import { GatewayClock } from '../clock/gateway-clock.ts';
import { parseGatewayConfig } from '../config.ts';
import { startGateway } from '../gateway.ts';

const OXI = { id: 'ble:00:1c:05:12:34:57', transport: 'ble' as const };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(outbox: Record<string, number>) {
  // A broker that never acks: everything stays in the outbox.
  const broker = await startFakeMqtt5Broker(() => 0);
  cleanups.push(() => broker.close());
  const config = parseGatewayConfig({
    gatewayId: 'gw-full-0001',
    server: { url: `mqtt://127.0.0.1:${broker.port}`, password: 'pw', protocolVersion: 5 },
    dataDir: mkdtempSync(join(tmpdir(), 'gw-full-')),
    ble: { enabled: false },
    outbox,
  });
  const gw = await startGateway({
    config,
    clock: new GatewayClock({ probe: async () => true }),
    log: pino({ level: 'silent' }),
  });
  cleanups.push(() => gw.stop());
  await expect.poll(() => gw.link.connected).toBe(true);
  const events = () =>
    broker.published.filter((p) => p.topic.endsWith('/events')).map((p) => JSON.parse(p.payload) as GatewayEvent);
  const measure = (spo2: number) =>
    gw.pipeline.frame({
      kind: 'ble',
      device: OXI,
      characteristic: '2A5F',
      bytes: encodePlxContinuous({ spo2, pulseRate: 60 }),
      context: {},
      receivedAt: new Date(),
    });
  return { gw, events, measure };
}

describe('the gateway near its disk bound', () => {
  it('drops the oldest readings with a loud event when it reaches its reading bound, keeping the newest', async () => {
    const { gw, events, measure } = await setup({ maxReadings: 10 });
    for (let i = 0; i < 8; i++) measure(90 + i);
    expect(gw.outbox.size()).toBe(10);
    await expect.poll(() => events().filter((e) => e.type === 'outbox_overflow').length).toBeGreaterThan(0);
    expect(gw.status().stats.outboxDropped).toBe(6);
  });

  it('drops the oldest readings when the file reaches its byte bound (as on a full disk) and keeps the newest', async () => {
    const { gw, events, measure } = await setup({});
    gw.outbox.setMaxBytes(1); // no page beyond the current ones: SQLITE_FULL as soon as they are used up
    for (let i = 0; i < 300; i++) expect(measure(80 + (i % 20))).toHaveLength(2);
    await expect.poll(() => events().filter((e) => e.type === 'outbox_overflow').length).toBeGreaterThan(0);
    expect(gw.outbox.droppedTotal).toBeGreaterThan(0);
    expect(gw.outbox.size()).toBe(600 - gw.outbox.droppedTotal);
    expect(gw.status().stats.outboxDroppedTotal).toBe(gw.outbox.droppedTotal);
  });

  it('keeps running when the outbox cannot be written at all, and stores again once there is room', async () => {
    const { gw, events, measure } = await setup({});
    // Everything already in the outbox is in batches awaiting acks (never dropped), and the file is full.
    for (let i = 0; i < 300; i++) measure(80 + (i % 20));
    while (gw.outbox.takeBatch(1000)) {}
    gw.outbox.setMaxBytes(1);
    let failedAt = -1;
    for (let i = 0; i < 500 && failedAt < 0; i++) {
      if (measure(70 + (i % 20)).length === 0) failedAt = i;
      gw.outbox.takeBatch(1000); // sent at once: nothing queued that could be dropped
    }
    expect(failedAt).toBeGreaterThanOrEqual(0);
    await expect.poll(() => events().filter((e) => e.type === 'outbox_write_failed').length).toBeGreaterThan(0);
    expect(gw.status().stats.outboxFailures).toBeGreaterThan(0);
    gw.outbox.setMaxBytes(64 * 1024 * 1024);
    expect(measure(92)).toHaveLength(2);
  });
});
