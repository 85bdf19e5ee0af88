/**
 * Temperature Measurement (2A1C), Intermediate Temperature (2A1E) and Temperature Type (2A1D),
 * GSS 3.216 / 3.129 / 3.217 and HTS 1.0. The site is in the measurement when flag bit 2 is set,
 * otherwise in the static 2A1D characteristic (context `temperatureType`).
 */
import type { Flag } from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import { type Layout, type Measured, needsError, noteTrailing, readLayout } from './layout.ts';
import { type BleContext, contextBytes, FROM_DEGF, makeReading } from './readings.ts';

// Flags: bit 0 units (0 Cel, 1 degF), bit 1 time stamp, bit 2 temperature type.
export const TEMPERATURE_MEASUREMENT: Layout = {
  characteristic: '2A1C',
  flags: 'u8',
  definedFlags: 0x07,
  unitsFlag: 0x01,
  rows: [
    { name: 'temperature', what: 'the temperature', type: 'float' },
    { name: 'timestamp', what: 'the time stamp', type: 'datetime', flag: 0x02 },
    { name: 'type', what: 'the temperature type', type: 'u8', flag: 0x04 },
  ],
};

export const INTERMEDIATE_TEMPERATURE: Layout = { ...TEMPERATURE_MEASUREMENT, characteristic: '2A1E' };

/** GSS Temperature Type: 0 and 10-255 are reserved. */
export const TEMPERATURE_SITES: Readonly<Record<number, string>> = {
  1: 'armpit',
  2: 'body',
  3: 'ear',
  4: 'finger',
  5: 'gastrointestinal_tract',
  6: 'mouth',
  7: 'rectum',
  8: 'toe',
  9: 'tympanum',
};

function site(code: number, notes: string[]): string | undefined {
  const name = TEMPERATURE_SITES[code];
  if (!name) notes.push(`temperature type ${code} is reserved; ignored`);
  return name;
}

function decode(layout: Layout, intermediate: boolean, bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = readLayout(layout, bytes);
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;
  const time = measurementTime(f.timestamp as DateTimeFields | undefined, ctx.tz, notes);
  const flags: Flag[] = intermediate ? ['intermediate'] : [];
  const readings = [
    makeReading('body_temperature', f.temperature as Measured, {
      from: p.altUnits ? FROM_DEGF : undefined,
      flags,
      time,
    }),
  ];
  let code = f.type as number | undefined;
  if (code === undefined) code = contextBytes(ctx, 'temperatureType', notes)?.[0];
  const temperatureType = code === undefined ? undefined : site(code, notes);
  noteTrailing(notes, bytes, p.end);
  return { ok: true, readings, notes, ...(temperatureType ? { info: { temperatureType } } : {}) };
}

export const decodeTemperature = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(TEMPERATURE_MEASUREMENT, false, bytes, ctx);

export const decodeIntermediateTemperature = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(INTERMEDIATE_TEMPERATURE, true, bytes, ctx);

export function decodeTemperatureType(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 1) return { ok: false, error: needsError('2A1D', 1, 'the temperature type', 0, 0) };
  const notes: string[] = [];
  const temperatureType = site(bytes[0]!, notes);
  noteTrailing(notes, bytes, 1);
  return { ok: true, readings: [], notes, ...(temperatureType ? { info: { temperatureType } } : {}) };
}
