import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayEvent, ReadingBatch } from '@vitals/contract';
import { encodePlxContinuous } from '@vitals/firmware-sim/ble/encoders/pulse-oximeter.ts';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeBroker, startFakeMqtt5Broker } from '../../test-support/fake-mqtt5-broker.ts';
import { parseGatewayConfig } from '../config.ts';
import { type RunningGateway, startGateway } from '../gateway.ts';
import { GatewayClock } from './gateway-clock.ts';

const OXI = { id: 'ble:00:1c:05:12:34:56', transport: 'ble' as const, model: 'PLX' };
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function gatewayWithClock(broker: FakeBroker, clock: GatewayClock): Promise<RunningGateway> {
  const config = parseGatewayConfig({
    gatewayId: 'gw-clock-0001',
    server: { url: `mqtt://127.0.0.1:${broker.port}`, password: 'pw', protocolVersion: 5 },
    dataDir: mkdtempSync(join(tmpdir(), 'gw-clock-')),
    timezone: 'UTC',
    ble: { enabled: false },
    health: { port: 0 },
  });
  const gw = await startGateway({ config, clock, log: pino({ level: 'silent' }), linkOverrides: { lingerMs: 10 } });
  cleanups.push(() => gw.stop());
  return gw;
}

const batches = (b: FakeBroker) =>
  b.published.filter((p) => p.topic.endsWith('/readings')).map((p) => JSON.parse(p.payload) as ReadingBatch);
const events = (b: FakeBroker) =>
  b.published.filter((p) => p.topic.endsWith('/events')).map((p) => JSON.parse(p.payload) as GatewayEvent);

describe('a gateway that boots without a synchronised clock', () => {
  it('holds live readings, re-stamps them from the monotonic clock once NTP answers, then sends them', async () => {
    const broker = await startFakeMqtt5Broker(() => 0);
    cleanups.push(() => broker.close());
    // Booted 100 s ago with the clock at the last saved time (fake-hwclock): a week behind.
    const realBoot = Date.now() - 100_000;
    let skew = -7 * 86_400_000;
    let ntp = false;
    const clock = new GatewayClock({
      probe: async () => ntp,
      now: () => Date.now() + skew,
      monotonic: () => Date.now() - realBoot,
      floor: Date.parse('2020-01-01T00:00:00Z'),
      bootId: 'boot-a',
    });
    const gw = await gatewayWithClock(broker, clock);
    await expect.poll(() => gw.link.connected).toBe(true);
    const arrivedAt = Date.now();
    gw.pipeline.frame({
      kind: 'ble',
      device: OXI,
      characteristic: '2A5F',
      bytes: encodePlxContinuous({ spo2: 97, pulseRate: 64 }),
      context: {},
      receivedAt: new Date(Date.now() + skew),
    });
    expect(gw.outbox.held()).toBe(2);
    const health = await (await fetch(`http://127.0.0.1:${gw.healthPort}/health`)).json();
    expect(health).toMatchObject({ connected: true, backlog: 2, heldForClock: 2, gatewayClockSynchronised: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(batches(broker)).toEqual([]);
    expect(events(broker).map((e) => e.type)).toContain('clock_unsynchronised');

    ntp = true;
    skew = 0;
    await clock.check();
    await expect.poll(() => batches(broker).length).toBe(1);
    const [b] = batches(broker);
    for (const r of b!.readings) {
      // The serial oximeter's stream is continuous (contract flag); the correction is the point here.
      expect(r.flags).toEqual(['continuous', 'gateway_time_corrected']);
      expect(r.timeSource).toBe('gateway');
      // Re-stamped within a few ms of the real arrival time, not a week off.
      expect(Math.abs(Date.parse(r.time) - arrivedAt)).toBeLessThan(1000);
    }
    expect(events(broker).find((e) => e.type === 'clock_adjusted')?.detail).toMatchObject({
      clock: 'gateway',
      restamped: 2,
    });
  });

  it('reports a device clock that jumped ahead once, and corrects its time stamps', async () => {
    const broker = await startFakeMqtt5Broker(() => 0);
    cleanups.push(() => broker.close());
    const clock = new GatewayClock({ probe: async () => true });
    const gw = await gatewayWithClock(broker, clock);
    await expect.poll(() => gw.link.connected).toBe(true);
    const { encodePlxSpotCheck } = await import('@vitals/firmware-sim/ble/encoders/pulse-oximeter.ts');
    const { wallTimeAt } = await import('@vitals/firmware-sim/ble/wall-clock.ts');
    const now = Date.now();
    for (const k of [0, 1])
      gw.pipeline.frame({
        kind: 'ble',
        device: OXI,
        characteristic: '2A5E',
        bytes: encodePlxSpotCheck({
          spo2: 95,
          pulseRate: 70 + k,
          time: wallTimeAt(now + 5 * 60_000 + k * 1000, 'UTC'),
        }),
        context: {},
        receivedAt: new Date(now + k * 1000),
      });
    await expect.poll(() => batches(broker).flatMap((b) => b.readings).length).toBe(4);
    const readings = batches(broker).flatMap((b) => b.readings);
    for (const r of readings) {
      expect(r.flags).toEqual(['device_clock_corrected']);
      expect(Math.abs(Date.parse(r.time) - now)).toBeLessThan(2000);
    }
    await expect.poll(() => events(broker).filter((e) => e.type === 'clock_adjusted').length).toBe(1);
  });
});
