/**
 * Health Thermometer Service (HTS v1.0):
 * Temperature Measurement 2A1C / Intermediate Temperature 2A1E (GSS §3.220):
 *   flags uint8: bit0 unit (0 Celsius, 1 Fahrenheit), bit1 time stamp, bit2 temperature type
 *   temperature: FLOAT (4)   time stamp: Date Time (7)   temperature type: uint8
 * Temperature Type 2A1D: 1 armpit, 2 body (general), 3 ear (lobe), 4 finger, 5 GI tract,
 *   6 mouth, 7 rectum, 8 toe, 9 tympanum (ear drum).
 */
import type { WallTime } from '../wall-clock.ts';
import { writeDateTime } from './date-time.ts';
import type { SpecialValue } from './ieee11073.ts';
import { ByteWriter, bit } from './writer.ts';

export const TEMPERATURE_TYPE = {
  armpit: 1,
  body: 2,
  ear: 3,
  finger: 4,
  giTract: 5,
  mouth: 6,
  rectum: 7,
  toe: 8,
  tympanum: 9,
} as const;

export type TemperatureType = keyof typeof TEMPERATURE_TYPE;

export interface TemperatureMeasurement {
  unit: 'Cel' | 'degF';
  temperature: number | SpecialValue;
  /** Decimal exponent of the FLOAT; thermometers report 0.1 or 0.01 degrees. */
  exponent?: number;
  time?: WallTime;
  type?: TemperatureType;
}

/** Temperature Measurement 2A1C (and Intermediate Temperature 2A1E, same layout). */
export function encodeTemperatureMeasurement(m: TemperatureMeasurement): Uint8Array {
  const flags = bit(m.unit === 'degF', 0) | bit(m.time !== undefined, 1) | bit(m.type !== undefined, 2);
  const w = new ByteWriter().u8(flags).float(m.temperature, typeof m.temperature === 'number' ? m.exponent : undefined);
  if (m.time) writeDateTime(w, m.time);
  if (m.type !== undefined) w.u8(TEMPERATURE_TYPE[m.type]);
  return w.toBytes();
}

/** Temperature Type 2A1D, uint8. */
export function encodeTemperatureType(type: TemperatureType): Uint8Array {
  return Uint8Array.of(TEMPERATURE_TYPE[type]);
}
