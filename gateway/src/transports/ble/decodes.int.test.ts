/**
 * Cross-check of two independent readings of the specifications: what the simulator encodes,
 * carried by noble and the transport, decodes (gateway decoders) to what was measured.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../../../test-support/ble-sim-harness.ts';
import { decodeBle } from '../../decoders/ble/index.ts';
import type { BleFrame } from '../frame.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const TZ = 'Asia/Tokyo';
const at = { year: 2026, month: 11, day: 24, hours: 7, minutes: 30, seconds: 0 };
const AT_UTC = '2026-11-23T22:30:00.000Z';

function decoded(f: BleFrame) {
  const r = decodeBle(f.characteristic, f.bytes, f.context, {
    tz: TZ,
    ...(f.device.model ? { model: f.device.model } : {}),
  });
  if (!r.ok) throw new Error(`${f.characteristic} did not decode: ${r.error}`);
  return r.readings.map((x) => ({ metric: x.metric, value: x.value, ...(x.time ? { time: x.time } : {}) }));
}

describe('simulator frames through the transport decode to what was measured', () => {
  it('agrees for every simulated device kind', async () => {
    h = createHarness({ tz: TZ });
    const bp = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:01' });
    const kpa = h.world.addDevice({ kind: 'bp-monitor', address: 'c4:7c:8d:00:00:05', unit: 'kPa' });
    const scale = h.world.addDevice({ kind: 'weight-scale', address: 'c4:7c:8d:00:00:02', heightM: 1.75 });
    const thermo = h.world.addDevice({ kind: 'thermometer', address: 'c4:7c:8d:00:00:03' });
    const meter = h.world.addDevice({ kind: 'glucose-meter', address: 'c4:7c:8d:00:00:06' });
    h.world.addDevice({
      kind: 'pulse-oximeter',
      address: 'c4:7c:8d:00:00:04',
      rateHz: 20,
      sample: () => ({ spo2: 97, pulseRate: 64 }),
    });
    bp.measure({ systolic: 132, diastolic: 84, pulseRate: 72, time: at });
    kpa.measure({ systolic: 132, diastolic: 84, time: at });
    scale.measure({ kg: 70.2, time: at });
    thermo.measure({ temperature: 36.6, time: at });
    meter.measure({ mgdl: 123, time: at });
    h.start({ tz: TZ });
    await h.waitFor(
      'every device',
      () =>
        ['2A35', '2A9D', '2A1C', '2A18', '2A5F'].every((c) => h.framesOf(c).length >= 1) &&
        h.framesOf('2A35').length === 2,
    );
    const one = (c: string, device?: string) =>
      decoded(h.frames.find((f) => f.characteristic === c && (!device || f.device.id === device))!);

    expect(one('2A35', 'ble:c4:7c:8d:00:00:01')).toStrictEqual([
      { metric: 'bp_systolic', value: 132, time: AT_UTC },
      { metric: 'bp_diastolic', value: 84, time: AT_UTC },
      { metric: 'bp_mean', value: 100, time: AT_UTC },
      { metric: 'pulse_rate', value: 72, time: AT_UTC },
    ]);
    // 132 mmHg -> 17.6 kPa on the device (0.1 kPa resolution) -> exactly 17.6 x 7.500615 mmHg: the
    // decoder keeps the exact conversion, rounding for display is the dashboard's.
    expect(one('2A35', 'ble:c4:7c:8d:00:00:05')).toStrictEqual([
      { metric: 'bp_systolic', value: 132.010824, time: AT_UTC },
      { metric: 'bp_diastolic', value: 84.006888, time: AT_UTC },
      { metric: 'bp_mean', value: 99.7581795, time: AT_UTC },
    ]);
    expect(one('2A9D')).toStrictEqual([
      { metric: 'body_weight', value: 70.2, time: AT_UTC },
      { metric: 'bmi', value: 22.9, time: AT_UTC },
      { metric: 'body_height', value: 175, time: AT_UTC },
    ]);
    expect(one('2A1C')).toStrictEqual([{ metric: 'body_temperature', value: 36.6, time: AT_UTC }]);
    expect(one('2A18')).toStrictEqual([{ metric: 'glucose', value: 123, time: AT_UTC }]);
    expect(one('2A5F')).toStrictEqual([
      { metric: 'spo2', value: 97 },
      { metric: 'pulse_rate', value: 64 },
    ]);
  });
});
