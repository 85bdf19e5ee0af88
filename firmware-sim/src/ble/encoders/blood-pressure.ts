/**
 * Blood Pressure Service (BLS v1.1.1) values:
 * Blood Pressure Measurement 2A35 and Intermediate Cuff Pressure 2A36 share one layout (GSS §3.31):
 *   flags uint8: bit0 unit (0 mmHg, 1 kPa), bit1 time stamp, bit2 pulse rate, bit3 user id,
 *                bit4 measurement status
 *   systolic, diastolic, mean arterial pressure: SFLOAT (2A36: current cuff pressure, then NaN, NaN)
 *   time stamp: Date Time (7)   pulse rate: SFLOAT   user id: uint8 (0xFF = unknown user)
 *   measurement status uint16: bit0 body movement, bit1 cuff too loose, bit2 irregular pulse,
 *     bits3-4 pulse rate range (0 within, 1 above upper limit, 2 below lower limit),
 *     bit5 improper measurement position
 * Blood Pressure Feature 2A49: uint16 of supported status bits (same order) + bit5 multiple bond.
 */
import type { WallTime } from '../wall-clock.ts';
import { writeDateTime } from './date-time.ts';
import type { SpecialValue } from './ieee11073.ts';
import { ByteWriter, bit } from './writer.ts';

export type PressureUnit = 'mmHg' | 'kPa';

export interface BpMeasurementStatus {
  bodyMovement?: boolean;
  cuffTooLoose?: boolean;
  irregularPulse?: boolean;
  pulseRateRange?: 'within' | 'above' | 'below';
  improperPosition?: boolean;
}

export interface BloodPressureMeasurement {
  unit: PressureUnit;
  /** In `unit`. A special value stands in for a failed component. */
  systolic: number | SpecialValue;
  diastolic: number | SpecialValue;
  meanArterial: number | SpecialValue;
  time?: WallTime;
  pulseRate?: number | SpecialValue;
  userId?: number;
  status?: BpMeasurementStatus;
}

const PULSE_RANGE = { within: 0, above: 1, below: 2 } as const;

export function encodeBpStatus(s: BpMeasurementStatus): number {
  return (
    bit(s.bodyMovement, 0) |
    bit(s.cuffTooLoose, 1) |
    bit(s.irregularPulse, 2) |
    (PULSE_RANGE[s.pulseRateRange ?? 'within'] << 3) |
    bit(s.improperPosition, 5)
  );
}

function encodeBp(m: BloodPressureMeasurement): Uint8Array {
  const flags =
    bit(m.unit === 'kPa', 0) |
    bit(m.time !== undefined, 1) |
    bit(m.pulseRate !== undefined, 2) |
    bit(m.userId !== undefined, 3) |
    bit(m.status !== undefined, 4);
  const w = new ByteWriter().u8(flags).sfloat(m.systolic).sfloat(m.diastolic).sfloat(m.meanArterial);
  if (m.time) writeDateTime(w, m.time);
  if (m.pulseRate !== undefined) w.sfloat(m.pulseRate);
  if (m.userId !== undefined) w.u8(m.userId);
  if (m.status) w.u16(encodeBpStatus(m.status));
  return w.toBytes();
}

/** Blood Pressure Measurement 2A35. */
export function encodeBloodPressureMeasurement(m: BloodPressureMeasurement): Uint8Array {
  return encodeBp(m);
}

export interface IntermediateCuffPressure {
  unit: PressureUnit;
  cuffPressure: number | SpecialValue;
  time?: WallTime;
  pulseRate?: number | SpecialValue;
  userId?: number;
  status?: BpMeasurementStatus;
}

/** Intermediate Cuff Pressure 2A36: diastolic and mean fields are NaN (BLS §3.2). */
export function encodeIntermediateCuffPressure(m: IntermediateCuffPressure): Uint8Array {
  const { cuffPressure, ...rest } = m;
  return encodeBp({ ...rest, systolic: cuffPressure, diastolic: 'NaN', meanArterial: 'NaN' });
}

export interface BpFeatures {
  bodyMovement?: boolean;
  cuffFit?: boolean;
  irregularPulse?: boolean;
  pulseRateRange?: boolean;
  measurementPosition?: boolean;
  multipleBond?: boolean;
}

/** Blood Pressure Feature 2A49, uint16. */
export function encodeBloodPressureFeature(f: BpFeatures): Uint8Array {
  const v =
    bit(f.bodyMovement, 0) |
    bit(f.cuffFit, 1) |
    bit(f.irregularPulse, 2) |
    bit(f.pulseRateRange, 3) |
    bit(f.measurementPosition, 4) |
    bit(f.multipleBond, 5);
  return new ByteWriter().u16(v).toBytes();
}
