/**
 * Blood Pressure Measurement (2A35) and Intermediate Cuff Pressure (2A36), GSS 3.31 / 3.130 and
 * BLS 1.1. 2A36 has the same layout; its first field is the current cuff pressure and the
 * diastolic and mean fields are unused (NaN), so it yields an `intermediate` bp_systolic.
 */
import type { Flag } from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import { type Layout, type Measured, noteTrailing, readLayout, reservedNote } from './layout.ts';
import { type BleContext, FROM_KPA, makeReading, userIdInfo } from './readings.ts';

const rows = (first: string) =>
  [
    { name: 'systolic', what: first, type: 'sfloat' },
    { name: 'diastolic', what: 'the diastolic pressure', type: 'sfloat' },
    { name: 'mean', what: 'the mean arterial pressure', type: 'sfloat' },
    { name: 'timestamp', what: 'the time stamp', type: 'datetime', flag: 0x02 },
    { name: 'pulseRate', what: 'the pulse rate', type: 'sfloat', flag: 0x04 },
    { name: 'userId', what: 'the user id', type: 'u8', flag: 0x08 },
    { name: 'status', what: 'the measurement status', type: 'u16', flag: 0x10 },
  ] as const;

// Flags: bit 0 units (0 mmHg, 1 kPa), 1 time stamp, 2 pulse rate, 3 user id, 4 measurement status.
export const BLOOD_PRESSURE_MEASUREMENT: Layout = {
  characteristic: '2A35',
  flags: 'u8',
  definedFlags: 0x1f,
  unitsFlag: 0x01,
  rows: rows('the systolic pressure'),
};

export const INTERMEDIATE_CUFF_PRESSURE: Layout = {
  ...BLOOD_PRESSURE_MEASUREMENT,
  characteristic: '2A36',
  rows: rows('the current cuff pressure'),
};

// Measurement Status: bits 0-2 single flags, bits 3-4 pulse rate range (2 bits), bit 5 position.
const STATUS_BITS: readonly (readonly [number, Flag])[] = [
  [0x0001, 'body_movement'],
  [0x0002, 'cuff_loose'],
  [0x0004, 'irregular_pulse'],
];
const PULSE_RANGE: readonly (Flag | null)[] = [null, 'pulse_rate_exceeds_upper', 'pulse_rate_below_lower', null];

function statusFlags(status: number, notes: string[]): Flag[] {
  const flags: Flag[] = [];
  for (const [mask, flag] of STATUS_BITS) if (status & mask) flags.push(flag);
  const range = (status >> 3) & 0x3;
  if (PULSE_RANGE[range]) flags.push(PULSE_RANGE[range]);
  if (range === 3) notes.push('pulse rate range detection value 3 is reserved; ignored');
  if (status & 0x0020) flags.push('improper_position');
  if (status & 0xffc0) notes.push(reservedNote('measurement status', status & 0xffc0, 4));
  return flags;
}

function decode(layout: Layout, intermediate: boolean, bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = readLayout(layout, bytes, { scaleOverride: ctx.scaleOverride });
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;
  const flags: Flag[] = intermediate ? ['intermediate'] : [];
  if (f.status !== undefined) flags.push(...statusFlags(f.status as number, notes));

  const time = measurementTime(f.timestamp as DateTimeFields | undefined, ctx.tz, notes);
  const from = p.altUnits ? FROM_KPA : undefined;
  const readings = [makeReading('bp_systolic', f.systolic as Measured, { from, flags, time })];
  if (intermediate) {
    if ((f.diastolic as Measured).kind !== 'nan' || (f.mean as Measured).kind !== 'nan')
      notes.push('diastolic and mean fields of Intermediate Cuff Pressure are unused by the specification; ignored');
  } else {
    readings.push(makeReading('bp_diastolic', f.diastolic as Measured, { from, flags, time }));
    readings.push(makeReading('bp_mean', f.mean as Measured, { from, flags, time }));
  }
  if (f.pulseRate) readings.push(makeReading('pulse_rate', f.pulseRate as Measured, { flags, time }));
  noteTrailing(notes, bytes, p.end);
  const result: DecodeResult = { ok: true, readings, notes };
  if (f.userId !== undefined) result.info = { userId: userIdInfo(f.userId as number) };
  return result;
}

export const decodeBloodPressure = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(BLOOD_PRESSURE_MEASUREMENT, false, bytes, ctx);

export const decodeIntermediateCuffPressure = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(INTERMEDIATE_CUFF_PRESSURE, true, bytes, ctx);
