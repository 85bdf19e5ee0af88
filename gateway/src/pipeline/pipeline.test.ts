import type { GatewayEvent, Reading } from '@vitals/contract';
import { encodeCms50dPacket } from '@vitals/firmware-sim/serial/cms50d.ts';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Outbox } from '../outbox/outbox.ts';
import { Pipeline } from './pipeline.ts';

function setup() {
  const outbox = new Outbox({ path: ':memory:', gatewayId: 'gw-pipe' });
  const events: GatewayEvent[] = [];
  const stored: Reading[] = [];
  const pipeline = new Pipeline({
    outbox,
    log: pino({ level: 'silent' }),
    timezone: () => 'Asia/Tokyo',
    gatewayClockOk: () => true,
    stored: (r) => stored.push(...r),
    event: (e) => events.push(e),
  });
  return { outbox, events, stored, pipeline };
}

const oximeter = { id: 'serial:usb-Contec_CMS50D_0001-if00-port0', transport: 'serial' as const, model: 'CMS50D+' };
const bp = { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble' as const, model: 'UA-651BLE' };
// 2A35, mmHg, time stamp + pulse: 132/85/101 mmHg at 2026-11-24 08:00:05 local, pulse 72.
const BP_HEX = '06 8400 5500 6500 ea07 0b 18 08 00 05 4800'.replace(/ /g, '');

describe('Pipeline', () => {
  it('turns a 60 Hz oximeter stream into one SpO2 and one pulse reading per second, keeping the dip', () => {
    const { pipeline, outbox } = setup();
    const t0 = Date.parse('2026-11-24T00:00:00.000Z');
    for (let s = 0; s < 3; s++)
      for (let k = 0; k < 60; k++) {
        const spo2 = s === 1 && k === 30 ? 85 : 97; // a one-frame dip in the second second
        const bytes = encodeCms50dPacket({ spo2, pulseRate: 72 });
        pipeline.frame({
          kind: 'serial',
          device: oximeter,
          protocol: 'contec-cms50d-live',
          bytes,
          receivedAt: new Date(t0 + s * 1000 + k * 16),
        });
      }
    pipeline.flushDevice(oximeter.id);
    const readings = outbox.takeBatch(100)!.readings;
    const spo2 = readings.filter((r) => r.metric === 'spo2');
    expect(spo2.map((r) => [r.time, r.value])).toEqual([
      ['2026-11-24T00:00:00.000Z', 97],
      ['2026-11-24T00:00:01.000Z', 85],
      ['2026-11-24T00:00:02.000Z', 97],
    ]);
    expect(readings.filter((r) => r.metric === 'pulse_rate')).toHaveLength(3);
    expect(spo2.every((r) => r.timeSource === 'gateway' && r.device.id === oximeter.id)).toBe(true);
  });

  it("forwards the Device Information strings as a device_info event (the server's FHIR Device shows them)", () => {
    const { pipeline, events } = setup();
    const at = new Date('2026-11-24T00:00:10Z');
    for (const [characteristic, text] of [
      ['2A29', 'A&D Medical'],
      ['2A26', '1.0.3'],
    ] as const)
      pipeline.frame({
        kind: 'ble',
        device: bp,
        characteristic,
        bytes: new TextEncoder().encode(text),
        context: {},
        receivedAt: at,
      });
    expect(events.filter((e) => e.type === 'device_info').map((e) => [e.device, e.detail])).toEqual([
      [bp.id, { manufacturerName: 'A&D Medical' }],
      [bp.id, { firmwareRevision: '1.0.3' }],
    ]);
  });

  it('stores a blood-pressure record once even when the monitor sends it again', () => {
    const { pipeline, outbox, stored } = setup();
    const frame = {
      kind: 'ble' as const,
      device: bp,
      characteristic: '2A35',
      bytes: Uint8Array.from(Buffer.from(BP_HEX, 'hex')),
      context: {},
      receivedAt: new Date('2026-11-24T00:00:10Z'),
    };
    const first = pipeline.frame(frame);
    pipeline.frame({ ...frame, receivedAt: new Date('2026-11-24T05:00:00Z') });
    expect(first.map((r) => [r.metric, r.value])).toEqual([
      ['bp_systolic', 132],
      ['bp_diastolic', 85],
      ['bp_mean', 101],
      ['pulse_rate', 72],
    ]);
    // Device time 08:00:05 in Tokyo.
    expect(first[0]!.time).toBe('2026-11-23T23:00:05.000Z');
    expect(new Set(first.map((r) => r.group))).toEqual(new Set([first[0]!.id]));
    expect(outbox.size()).toBe(4);
    expect(stored).toHaveLength(4);
  });

  it('reports undecodable bytes as a decode_error event and carries on', () => {
    const { pipeline, events, outbox } = setup();
    const out = pipeline.frame({
      kind: 'ble',
      device: bp,
      characteristic: '2A35',
      bytes: Uint8Array.from([0x06, 0x84]),
      context: {},
      receivedAt: new Date(),
    });
    expect(out).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['decode_error']);
    expect((events[0]!.detail as { error: string }).error).toMatch(/^2A35: /);
    expect(outbox.size()).toBe(0);
  });
});
