/** Real noble over the simulated pulse oximeter: a continuous device the gateway keeps. */

import { encodePlxContinuous, encodePlxSpotCheck } from '@vitals/firmware-sim/ble/index.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, hexOf } from '../../../test-support/ble-sim-harness.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const ADDRESS = '00:1c:05:12:34:56';
const DEVICE_ID = 'ble:00:1c:05:12:34:56';
const sample = (n: number) => ({ spo2: 96 + (n % 3), pulseRate: 70 + n });

describe('BLE transport with a continuous pulse oximeter', () => {
  it('streams 2A5F notifications at 1 Hz with the PLX features as context and keeps the link', async () => {
    h = createHarness();
    const ox = h.world.addDevice({ kind: 'pulse-oximeter', address: ADDRESS, rateHz: 1, sample });
    h.start();
    await h.waitFor('three samples', () => h.framesOf('2A5F').length >= 3, 6_000);

    const frames = h.framesOf('2A5F').slice(0, 3);
    expect(frames.map((f) => hexOf(f.bytes))).toStrictEqual(
      [0, 1, 2].map((n) => hexOf(encodePlxContinuous(sample(n)))),
    );
    expect(hexOf(frames[0]!.bytes)).toBe('00' + '6000' + '4600');
    // Features 0x004B (status support, sensor status support, spot-check time stamp, PAI),
    // measurement status support 0x00A0, device and sensor status support 0x008020.
    expect(frames[0]!.context).toStrictEqual({ plxFeatures: '4b00' + 'a000' + '208000' });
    expect(frames[0]!.device).toStrictEqual({ id: DEVICE_ID, transport: 'ble', model: '3230' });
    expect(h.eventsOf('device_connected')[0]!.detail).toMatchObject({ continuous: true, services: ['1822'] });
    expect(h.eventsOf('device_disconnected')).toHaveLength(0);
    expect(ox.connected).toBe(true);
  });

  it('delivers a spot-check indication while streaming', async () => {
    h = createHarness();
    const ox = h.world.addDevice({ kind: 'pulse-oximeter', address: ADDRESS, rateHz: 20, sample });
    h.start();
    await h.waitFor('streaming', () => h.framesOf('2A5F').length >= 1);
    const spot = ox.measure({ spo2: 95, pulseRate: 80, timeStamp: false });
    await h.waitFor('the spot check', () => h.framesOf('2A5E').length === 1);
    expect(hexOf(h.framesOf('2A5E')[0]!.bytes)).toBe(hexOf(spot));
    expect(hexOf(spot)).toBe(hexOf(encodePlxSpotCheck({ spo2: 95, pulseRate: 80 })));
  });

  it('reports a lost link and reconnects with backoff, then streams again', async () => {
    h = createHarness();
    const ox = h.world.addDevice({ kind: 'pulse-oximeter', address: ADDRESS, rateHz: 20, sample });
    h.start();
    await h.waitFor('streaming', () => h.framesOf('2A5F').length >= 2);
    ox.disconnectNow();
    await h.waitFor('the loss', () => h.eventsOf('device_lost').length === 1);
    const before = h.framesOf('2A5F').length;
    await h.waitFor('streaming again', () => h.framesOf('2A5F').length >= before + 2);

    expect(h.eventsOf('device_lost')[0]).toMatchObject({ device: DEVICE_ID, detail: { reason: 0x08 } });
    expect(h.eventsOf('device_connected')).toHaveLength(2);
    expect(ox.connections).toBe(2);
  });

  it('lets a continuous device go when the transport stops', async () => {
    h = createHarness();
    const ox = h.world.addDevice({ kind: 'pulse-oximeter', address: ADDRESS, rateHz: 20, sample });
    const transport = h.start();
    await h.waitFor('streaming', () => h.framesOf('2A5F').length >= 1);
    await transport.stop();
    expect(ox.connected).toBe(false);
    expect(h.eventsOf('device_disconnected')[0]!.detail).toMatchObject({ initiatedBy: 'gateway' });
    expect(h.eventsOf('device_lost')).toHaveLength(0);
  });
});
