/**
 * Weight Scale Service (WSS v1.0) values, GSS §3.252-3.253:
 * Weight Measurement 2A9D:
 *   flags uint8: bit0 unit (0 SI: kg and m, 1 imperial: lb and in), bit1 time stamp,
 *                bit2 user id, bit3 BMI and height
 *   weight uint16 (SI 0.005 kg, imperial 0.01 lb; 0xFFFF = measurement unsuccessful),
 *   time stamp Date Time (7), user id uint8, BMI uint16 (0.1 kg/m2),
 *   height uint16 (SI 0.001 m, imperial 0.1 in)
 * Weight Scale Feature 2A9E uint32: bit0 time stamp, bit1 multiple users, bit2 BMI,
 *   bits3-6 weight resolution, bits7-9 height resolution.
 */
import type { WallTime } from '../wall-clock.ts';
import { writeDateTime } from './date-time.ts';
import { ByteWriter, bit } from './writer.ts';

/** Field resolution of Weight Measurement; the Feature's resolution says how many digits are meaningful. */
export const WEIGHT_STEP = { kg: 0.005, lb: 0.01 } as const;
export const HEIGHT_STEP = { m: 0.001, in: 0.1 } as const;
export const BMI_STEP = 0.1;
/** Weight field value of an unsuccessful measurement (WSS §3.2.1.1). */
export const WEIGHT_UNSUCCESSFUL = 0xffff;

export interface WeightMeasurement {
  unit: 'kg' | 'lb';
  /** In kg or lb; null for "measurement unsuccessful". */
  weight: number | null;
  time?: WallTime;
  userId?: number;
  /** BMI in kg/m2 and height in m (SI) or in (imperial); both or neither. */
  bmi?: number;
  height?: number;
}

function steps(value: number, step: number): number {
  // Rounding the quotient avoids 70.2 / 0.005 = 14039.999999999998.
  return Math.round(value / step);
}

/** Weight Measurement 2A9D. */
export function encodeWeightMeasurement(m: WeightMeasurement): Uint8Array {
  const withBmi = m.bmi !== undefined && m.height !== undefined;
  const flags =
    bit(m.unit === 'lb', 0) | bit(m.time !== undefined, 1) | bit(m.userId !== undefined, 2) | bit(withBmi, 3);
  const w = new ByteWriter().u8(flags);
  w.u16(m.weight === null ? WEIGHT_UNSUCCESSFUL : steps(m.weight, WEIGHT_STEP[m.unit]));
  if (m.time) writeDateTime(w, m.time);
  if (m.userId !== undefined) w.u8(m.userId);
  if (withBmi) {
    w.u16(steps(m.bmi!, BMI_STEP));
    w.u16(steps(m.height!, m.unit === 'kg' ? HEIGHT_STEP.m : HEIGHT_STEP.in));
  }
  return w.toBytes();
}

/** Weight resolution codes of the Feature (kg / lb): 1 = 0.5/1, ..., 7 = 0.005/0.01; 0 = not specified. */
export type WeightResolutionCode = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;
/** Height resolution codes (m / in): 1 = 0.01/1, 2 = 0.005/0.5, 3 = 0.001/0.1; 0 = not specified. */
export type HeightResolutionCode = 0 | 1 | 2 | 3;

export interface WeightScaleFeature {
  timeStamp?: boolean;
  multipleUsers?: boolean;
  bmi?: boolean;
  weightResolution?: WeightResolutionCode;
  heightResolution?: HeightResolutionCode;
}

/** Weight Scale Feature 2A9E, uint32. */
export function encodeWeightScaleFeature(f: WeightScaleFeature): Uint8Array {
  const v =
    bit(f.timeStamp, 0) |
    bit(f.multipleUsers, 1) |
    bit(f.bmi, 2) |
    ((f.weightResolution ?? 0) << 3) |
    ((f.heightResolution ?? 0) << 7);
  return new ByteWriter().u32(v).toBytes();
}
