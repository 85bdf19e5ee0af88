/**
 * The server accepts only ids in the publishing gateway's namespace or the reading's own device
 * record ids (issue 11 item 5, contract/src/validate.ts): every id this gateway makes must pass.
 */
import { type DecodedReading, type DeviceRef, validateBatch } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../outbox/outbox.ts';
import { toWireReadings } from './wire-readings.ts';

const devices: DeviceRef[] = [
  { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble' },
  { id: 'serial:usb-Prolific_Technology_Inc._USB-Serial_Controller-if00-port0', transport: 'serial' },
];
const decoded: DecodedReading[] = [
  { metric: 'glucose', value: 104, unit: 'mg/dL', time: '2026-11-24T07:59:58.000Z' },
  { metric: 'spo2', value: 97, unit: '%' },
];

describe("the gateway's reading and batch ids", () => {
  it.each(devices)('pass the server namespace rule for $id, stored records and live readings alike', (device) => {
    const outbox = new Outbox({ path: ':memory:', gatewayId: 'gw-tokyo-0001' });
    const readings = toWireReadings(decoded, {
      device,
      receivedAt: new Date('2026-11-24T08:00:05.000Z'),
      gatewayClockOk: true,
      newIds: (n) => outbox.newReadingIds(n),
    });
    outbox.append(readings);
    const batch = outbox.takeBatch(10)!;
    const v = validateBatch({
      v: 1,
      gatewayId: 'gw-tokyo-0001',
      batchId: batch.batchId,
      sentAt: '2026-11-24T08:00:06.000Z',
      readings: batch.readings,
    });
    expect(v.ok && v.rejected).toEqual([]);
    expect(v.ok && v.readings.length).toBe(2);
  });
});
