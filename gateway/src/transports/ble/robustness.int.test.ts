/** Real noble over several simulated devices: failures stay with their device. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, FAST_TIMING, type Harness, hexOf } from '../../../test-support/ble-sim-harness.ts';
import { startBleTransport } from './transport.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe('BLE transport with several devices and faults', () => {
  it('serves a BP monitor, a scale, a thermometer and an oximeter at once, each with its context', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:01' });
    const scale = h.world.addDevice({ kind: 'weight-scale', address: 'c4:7c:8d:00:00:02' });
    const thermo = h.world.addDevice({ kind: 'thermometer', address: 'c4:7c:8d:00:00:03' });
    h.world.addDevice({ kind: 'pulse-oximeter', address: 'c4:7c:8d:00:00:04', rateHz: 20 });
    const bpBytes = bp.measure({ systolic: 120, diastolic: 80 });
    const kg = scale.measure({ kg: 70.2 });
    const temp = thermo.measure({ temperature: 36.6 });
    h.start();
    await h.waitFor('every device', () => ['2A35', '2A9D', '2A1C', '2A5F'].every((c) => h.framesOf(c).length >= 1));

    expect(hexOf(h.framesOf('2A35')[0]!.bytes)).toBe(hexOf(bpBytes));
    expect(hexOf(h.framesOf('2A9D')[0]!.bytes)).toBe(hexOf(kg));
    expect(hexOf(h.framesOf('2A1C')[0]!.bytes)).toBe(hexOf(temp));
    // Weight Scale Feature: time stamp supported, resolution code 4 (0.05 kg) in bits 3-6.
    expect(h.framesOf('2A9D')[0]!.context).toStrictEqual({ weightScaleFeature: '21000000' });
    expect(h.framesOf('2A1C')[0]!.context).toStrictEqual({ temperatureType: '01' });
    expect(h.framesOf('2A1C')[0]!.device.model).toBe('UT-201BLE');
  });

  it('reports a device that never answers service discovery and keeps serving the others', async () => {
    h = createHarness();
    const stuck = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:01' });
    const thermo = h.world.addDevice({ kind: 'thermometer', address: 'c4:7c:8d:00:00:03' });
    stuck.injectFault({ kind: 'hang-discovery' });
    const bpBytes = stuck.measure({ systolic: 120, diastolic: 80 });
    thermo.measure({ temperature: 37.2 });
    h.start();
    await h.waitFor(
      'the thermometer and the retried monitor',
      () => h.framesOf('2A1C').length === 1 && h.framesOf('2A35').length === 1,
    );

    const errors = h.eventsOf('device_error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ device: 'ble:c4:7c:8d:00:00:01', detail: { stage: 'discover_services' } });
    expect(hexOf(h.framesOf('2A35')[0]!.bytes)).toBe(hexOf(bpBytes));
    expect(stuck.connections).toBe(2);
  });

  it('reports a link that drops during discovery as lost and retries', async () => {
    h = createHarness();
    const scale = h.world.addDevice({ kind: 'weight-scale', address: 'c4:7c:8d:00:00:02' });
    scale.injectFault({ kind: 'disconnect-during-discovery' });
    const kg = scale.measure({ kg: 81.4 });
    h.start();
    await h.waitFor('the weight', () => h.framesOf('2A9D').length === 1);
    expect(h.eventsOf('device_lost')).toHaveLength(1);
    expect(hexOf(h.framesOf('2A9D')[0]!.bytes)).toBe(hexOf(kg));
  });

  it('gives up a connection when the device stops advertising first, and connects at its next window', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:01' });
    bp.measure({ systolic: 120, diastolic: 80 });
    let first = true;
    h.start({
      timing: { ...FAST_TIMING, connectTimeoutMs: 100 },
      // The monitor's window closes between its advertisement and our connection request.
      allow: () => {
        if (first) bp.stopAdvertising();
        first = false;
        return true;
      },
    });
    await h.waitFor('the connect error', () => h.eventsOf('device_error').length === 1);
    expect(h.eventsOf('device_error')[0]!.detail).toMatchObject({ stage: 'connect' });
    expect(bp.connections).toBe(0);
    bp.measure({ systolic: 121, diastolic: 81 });
    await h.waitFor('both records', () => h.framesOf('2A35').length === 2);
  });

  it('survives a frame sink that throws', async () => {
    h = createHarness();
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:01' });
    bp.measure({ systolic: 120, diastolic: 80 });
    bp.measure({ systolic: 121, diastolic: 81 });
    const seen: string[] = [];
    const events: string[] = [];
    const t = startBleTransport({
      noble: h.noble,
      allow: () => true,
      tz: 'UTC',
      timing: FAST_TIMING,
      sinks: {
        frame: (f) => {
          seen.push(hexOf(f.bytes));
          if (seen.length === 1) throw new Error('pipeline hiccup');
        },
        event: (e) => void events.push(e.type),
      },
    });
    await h.waitFor('both frames', () => seen.length === 2 && events.includes('device_disconnected'));
    await t.stop();
    expect(events).not.toContain('device_error');
  });
});
