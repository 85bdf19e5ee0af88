import type { DecodedReading, DeviceRef } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { toWireReadings, type WireContext } from './wire-readings.ts';

const device: DeviceRef = { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble', model: 'UA-651BLE' };
let counter = 0;
const ctx = (over: Partial<WireContext> = {}): WireContext => ({
  device,
  receivedAt: new Date('2026-11-24T08:00:05.000Z'),
  gatewayClockOk: true,
  newIds: (n) => Array.from({ length: n }, () => `gw-a:abc:${String(++counter).padStart(12, '0')}`),
  ...over,
});
const bp: DecodedReading[] = [
  { metric: 'bp_systolic', value: 132, unit: 'mm[Hg]', time: '2026-11-24T07:59:58.000Z' },
  { metric: 'bp_diastolic', value: 85, unit: 'mm[Hg]', time: '2026-11-24T07:59:58.000Z' },
];

describe('toWireReadings', () => {
  it('gives a time-stamped record the same ids every time it is decoded', () => {
    const a = toWireReadings(bp, ctx());
    const b = toWireReadings(bp, ctx({ receivedAt: new Date('2026-11-25T00:00:00Z') }));
    expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
    expect(new Set(a.map((r) => r.id)).size).toBe(2);
    expect(a[0]).toStrictEqual({
      id: a[0]!.id,
      device,
      time: '2026-11-24T07:59:58.000Z',
      timeSource: 'device',
      metric: 'bp_systolic',
      value: 132,
      unit: 'mm[Hg]',
      group: a[0]!.id,
    });
  });

  it('gives live values without a device time fresh counter ids and the gateway time', () => {
    const live: DecodedReading[] = [{ metric: 'spo2', value: 97, unit: '%' }];
    const a = toWireReadings(live, ctx());
    const b = toWireReadings(live, ctx());
    expect(a[0]!.id).not.toBe(b[0]!.id);
    expect(a[0]).toMatchObject({ time: '2026-11-24T08:00:05.000Z', timeSource: 'gateway' });
    expect(a[0]!.group).toBeUndefined();
  });

  it('uses the gateway time and flags a device clock reset to 2000', () => {
    const [r] = toWireReadings(
      [{ metric: 'body_weight', value: 60.1, unit: 'kg', time: '2000-01-01T00:10:00.000Z' }],
      ctx(),
    );
    expect(r).toMatchObject({
      time: '2026-11-24T08:00:05.000Z',
      timeSource: 'gateway',
      flags: ['device_clock_invalid'],
    });
  });

  it('flags a device time in the future of a synchronised gateway clock', () => {
    const [r] = toWireReadings(
      [{ metric: 'glucose', value: 110, unit: 'mg/dL', time: '2026-11-25T08:00:00.000Z' }],
      ctx(),
    );
    expect(r!.flags).toEqual(['device_clock_invalid']);
  });

  it('keeps a special value without a value field and with its flag', () => {
    const [r] = toWireReadings([{ metric: 'spo2', unit: '%', flags: ['value_nan'] }], ctx());
    expect(r).not.toHaveProperty('value');
    expect(r!.flags).toEqual(['value_nan']);
  });
});

describe('toWireReadings with a drifting device clock', () => {
  it('moves device times by the correction, flags them and keeps the ids of the device time', () => {
    const plain = toWireReadings(bp, ctx());
    const fixed = toWireReadings(bp, ctx({ deviceClockCorrectionMs: -120_000 }));
    expect(fixed.map((r) => r.id)).toEqual(plain.map((r) => r.id));
    expect(fixed[0]).toMatchObject({
      time: '2026-11-24T07:57:58.000Z',
      timeSource: 'device',
      flags: ['device_clock_corrected'],
    });
  });
});
