/**
 * Heart Rate Measurement (2A37), GSS 3.113 / HRS 1.0. The heart rate is the contract's
 * pulse_rate. RR intervals (a list filling the rest of the payload) are the irregular part.
 */
import type { DecodeResult } from '../result.ts';
import { type Layout, type Measured, needsError, readLayout, readUint, trailingNote } from './layout.ts';
import { makeReading } from './readings.ts';

// Flags: bit 0 value format (0 uint8, 1 uint16), bit 1 contact detected, bit 2 contact
// detection supported, bit 3 energy expended, bit 4 RR intervals.
export const HEART_RATE_MEASUREMENT: Layout = {
  characteristic: '2A37',
  flags: 'u8',
  definedFlags: 0x1f,
  rows: [
    { name: 'heartRate', what: 'the heart rate', type: 'u8', flagClear: 0x01, scale: 1 },
    { name: 'heartRate', what: 'the heart rate', type: 'u16', flag: 0x01, scale: 1 },
    { name: 'energyExpended', what: 'the energy expended', type: 'u16', flag: 0x08 },
  ],
};

export function decodeHeartRate(bytes: Uint8Array): DecodeResult {
  const p = readLayout(HEART_RATE_MEASUREMENT, bytes);
  if (!p.ok) return p;
  const notes = [...p.notes];
  const info: Record<string, unknown> = {};
  const contact = (p.flags >> 1) & 0x3;
  if (contact & 0x2) info.sensorContact = contact & 0x1 ? 'detected' : 'not_detected';
  const reading = makeReading('pulse_rate', p.fields.heartRate as Measured, {
    flags: contact === 0x2 ? ['continuous', 'no_sensor_contact'] : ['continuous'],
  });
  const energy = p.fields.energyExpended as number | undefined;
  if (energy !== undefined) {
    info.energyExpendedKJ = energy;
    // HRS 3.1.1.3: the value stays at 0xFFFF once the maximum is reached.
    if (energy === 0xffff) notes.push('energy expended reached its maximum of 65535 kJ');
  }
  let end = p.end;
  if (p.flags & 0x10) {
    if (bytes.length - end < 2) return { ok: false, error: needsError('2A37', 2, 'an RR interval', end, bytes.length) };
    const rr: number[] = [];
    for (; end + 2 <= bytes.length; end += 2) rr.push((readUint(bytes, end, 2) * 1000) / 1024);
    info.rrIntervalsMs = rr;
  }
  if (bytes.length > end) notes.push(trailingNote(bytes.length - end));
  return { ok: true, readings: [reading], notes, ...(Object.keys(info).length ? { info } : {}) };
}
