/** Real noble over the simulated glucose meter: Record Access Control Point downloads. */
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, hexOf } from '../../../test-support/ble-sim-harness.ts';
import { memorySequenceStore } from './transport.ts';

let h: Harness;
afterEach(async () => {
  await h.close();
});

const ADDRESS = '00:60:19:a1:b2:c3';
const DEVICE_ID = 'ble:00:60:19:a1:b2:c3';
const at = (hours: number) => ({ year: 2026, month: 11, day: 24, hours, minutes: 30, seconds: 0 });
const seqOf = (hex: string) => Number.parseInt(hex.slice(4, 6) + hex.slice(2, 4), 16);

describe('BLE transport with a glucose meter', () => {
  it('reads all records through RACP, then only the new ones in a second session', async () => {
    h = createHarness();
    const meter = h.world.addDevice({ kind: 'glucose-meter', address: ADDRESS });
    const first = [
      meter.measure({ mgdl: 123, time: at(7), context: { meal: 'fasting' } }),
      meter.measure({ mgdl: 168, time: at(9) }),
      meter.measure({ mgdl: 101, time: at(12) }),
    ];
    const store = memorySequenceStore();
    h.start({ sequenceStore: store });
    await h.waitFor('first download', () => h.eventsOf('device_disconnected').length === 1);

    expect(h.frames.map((f) => [f.characteristic, hexOf(f.bytes)])).toStrictEqual([
      ['2A18', hexOf(first[0]!.measurement)],
      ['2A34', hexOf(first[0]!.context!)],
      ['2A18', hexOf(first[1]!.measurement)],
      ['2A18', hexOf(first[2]!.measurement)],
    ]);
    // Flags 0x13: time offset, concentration (kg/L), context follows; 123 mg/dL = 0xB07B.
    expect(hexOf(h.frames[0]!.bytes)).toBe('13' + '0100' + 'ea070b18071e00' + '0000' + '7bb0' + '12');
    expect(hexOf(h.frames[1]!.bytes)).toBe('02' + '0100' + '03');
    expect(h.frames[0]!.context).toStrictEqual({ glucoseFeature: '0302' });
    expect(h.frames[0]!.device).toStrictEqual({ id: DEVICE_ID, transport: 'ble', model: '7830H' });
    expect(store.get(DEVICE_ID)).toBe(3);

    const later = [meter.measure({ mgdl: 142, time: at(18) }), meter.measure({ mgdl: 97, time: at(22) })];
    await h.waitFor('second download', () => h.eventsOf('device_disconnected').length === 2);
    expect(h.frames.slice(4).map((f) => hexOf(f.bytes))).toStrictEqual(later.map((r) => hexOf(r.measurement)));
    expect(meter.writes.map((w) => [w.characteristic, w.hex])).toStrictEqual([
      ['2a52', '0101'],
      ['2a52', '0103010400'],
    ]);
    expect(store.get(DEVICE_ID)).toBe(5);
    expect(h.eventsOf('device_error')).toHaveLength(0);
  });

  it('ends quietly when the meter answers "no records found"', async () => {
    h = createHarness();
    const meter = h.world.addDevice({ kind: 'glucose-meter', address: ADDRESS });
    meter.measure({ mgdl: 110 });
    const store = memorySequenceStore();
    store.set(DEVICE_ID, 1);
    h.start({ sequenceStore: store });
    await h.waitFor('the session to end', () => h.eventsOf('device_disconnected').length === 1);
    expect(meter.writes).toStrictEqual([{ characteristic: '2a52', hex: '0103010200' }]);
    expect(h.frames).toHaveLength(0);
    expect(h.eventsOf('device_error')).toHaveLength(0);
    expect(h.eventsOf('device_disconnected')[0]!.detail).toStrictEqual({ initiatedBy: 'gateway', frames: 0 });
  });

  it('resumes after the last delivered sequence number when the link drops mid-download', async () => {
    h = createHarness();
    const meter = h.world.addDevice({ kind: 'glucose-meter', address: ADDRESS });
    const records = [101, 102, 103, 104, 105].map((mgdl, i) => meter.measure({ mgdl, time: at(6 + i) }));
    meter.injectFault({ kind: 'disconnect-mid-transfer', afterRecords: 2 });
    h.start();
    await h.waitFor('every record', () => h.eventsOf('device_disconnected').length === 1);

    const delivered = h.framesOf('2A18').map((f) => hexOf(f.bytes));
    expect(new Set(delivered)).toStrictEqual(new Set(records.map((r) => hexOf(r.measurement))));
    expect(delivered.map(seqOf)).toStrictEqual([1, 2, 3, 4, 5]);
    expect(h.eventsOf('device_lost')).toHaveLength(1);
    expect(h.eventsOf('device_lost')[0]!.detail).toStrictEqual({ reason: 0x08, frames: 2 });
    expect(meter.writes.map((w) => w.hex)).toStrictEqual(['0101', '0103010300']);
  });
});
