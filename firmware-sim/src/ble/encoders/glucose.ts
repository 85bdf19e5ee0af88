/**
 * Glucose Service (GLS v1.0.1) values, GSS §3.104-3.106:
 * Glucose Measurement 2A18:
 *   flags uint8: bit0 time offset, bit1 concentration + type-sample location,
 *                bit2 concentration unit (0 kg/L, 1 mol/L), bit3 sensor status annunciation,
 *                bit4 context information follows
 *   sequence number uint16, base time Date Time (7), time offset sint16 (minutes),
 *   concentration SFLOAT, type (low nibble) and sample location (high nibble) uint8,
 *   sensor status annunciation uint16
 * Glucose Measurement Context 2A34:
 *   flags uint8: bit0 carbohydrate, bit1 meal, bit2 tester-health, bit3 exercise,
 *                bit4 medication, bit5 medication unit (0 kg, 1 L), bit6 HbA1c, bit7 extended flags
 *   sequence number uint16, extended flags uint8, carbohydrate id uint8 + SFLOAT (kg),
 *   meal uint8, tester (low nibble) and health (high nibble) uint8, exercise duration uint16 (s)
 *   + intensity uint8 (%), medication id uint8 + SFLOAT (kg or L), HbA1c SFLOAT (%)
 * Glucose Feature 2A51 uint16 (GLS §3.3).
 */
import type { WallTime } from '../wall-clock.ts';
import { writeDateTime } from './date-time.ts';
import type { SpecialValue } from './ieee11073.ts';
import { ByteWriter, bit } from './writer.ts';

export const GLUCOSE_TYPE = {
  capillaryWholeBlood: 1,
  capillaryPlasma: 2,
  venousWholeBlood: 3,
  venousPlasma: 4,
  arterialWholeBlood: 5,
  arterialPlasma: 6,
  undeterminedWholeBlood: 7,
  undeterminedPlasma: 8,
  interstitialFluid: 9,
  controlSolution: 10,
} as const;

export const SAMPLE_LOCATION = {
  finger: 1,
  alternateSiteTest: 2,
  earlobe: 3,
  controlSolution: 4,
  notAvailable: 15,
} as const;

export const SENSOR_STATUS_ANNUNCIATION = {
  batteryLow: 0,
  sensorMalfunction: 1,
  sampleSizeInsufficient: 2,
  stripInsertionError: 3,
  stripTypeIncorrect: 4,
  resultTooHigh: 5,
  resultTooLow: 6,
  temperatureTooHigh: 7,
  temperatureTooLow: 8,
  readInterrupted: 9,
  generalDeviceFault: 10,
  timeFault: 11,
} as const;

export type GlucoseType = keyof typeof GLUCOSE_TYPE;
export type SampleLocation = keyof typeof SAMPLE_LOCATION;
export type SensorStatus = keyof typeof SENSOR_STATUS_ANNUNCIATION;

export interface GlucoseMeasurement {
  sequenceNumber: number;
  baseTime: WallTime;
  /** Minutes added to the base time (GLS §3.1.1.3). */
  timeOffsetMinutes?: number;
  concentration?: {
    unit: 'kg/L' | 'mol/L';
    value: number | SpecialValue;
    /** SFLOAT exponent; meters commonly send mg/dL as mantissa with exponent -5 (kg/L). */
    exponent?: number;
    type: GlucoseType;
    location: SampleLocation;
  };
  sensorStatus?: readonly SensorStatus[];
  contextFollows?: boolean;
}

/** Glucose Measurement 2A18. */
export function encodeGlucoseMeasurement(m: GlucoseMeasurement): Uint8Array {
  const c = m.concentration;
  const flags =
    bit(m.timeOffsetMinutes !== undefined, 0) |
    bit(c !== undefined, 1) |
    bit(c?.unit === 'mol/L', 2) |
    bit(m.sensorStatus !== undefined, 3) |
    bit(m.contextFollows, 4);
  const w = new ByteWriter().u8(flags).u16(m.sequenceNumber);
  writeDateTime(w, m.baseTime);
  if (m.timeOffsetMinutes !== undefined) w.s16(m.timeOffsetMinutes);
  if (c) {
    w.sfloat(c.value, typeof c.value === 'number' ? c.exponent : undefined);
    w.u8(GLUCOSE_TYPE[c.type] | (SAMPLE_LOCATION[c.location] << 4));
  }
  if (m.sensorStatus) {
    w.u16(m.sensorStatus.reduce((acc, s) => acc | (1 << SENSOR_STATUS_ANNUNCIATION[s]), 0));
  }
  return w.toBytes();
}

export const CARBOHYDRATE_ID = { breakfast: 1, lunch: 2, dinner: 3, snack: 4, drink: 5, supper: 6, brunch: 7 } as const;
export const MEAL = { preprandial: 1, postprandial: 2, fasting: 3, casual: 4, bedtime: 5 } as const;
export const TESTER = { self: 1, healthCareProfessional: 2, labTest: 3, notAvailable: 15 } as const;
export const HEALTH = {
  minorIssues: 1,
  majorIssues: 2,
  duringMenses: 3,
  underStress: 4,
  noIssues: 5,
  notAvailable: 15,
} as const;
export const MEDICATION_ID = {
  rapidActingInsulin: 1,
  shortActingInsulin: 2,
  intermediateActingInsulin: 3,
  longActingInsulin: 4,
  premixedInsulin: 5,
} as const;

export interface GlucoseContext {
  sequenceNumber: number;
  extendedFlags?: number;
  carbohydrate?: { id: keyof typeof CARBOHYDRATE_ID; kg: number };
  meal?: keyof typeof MEAL;
  testerHealth?: { tester: keyof typeof TESTER; health: keyof typeof HEALTH };
  exercise?: { durationSeconds: number; intensityPercent: number };
  medication?: { id: keyof typeof MEDICATION_ID; unit: 'kg' | 'L'; value: number };
  hba1cPercent?: number;
}

/** Glucose Measurement Context 2A34. */
export function encodeGlucoseContext(c: GlucoseContext): Uint8Array {
  const flags =
    bit(c.carbohydrate !== undefined, 0) |
    bit(c.meal !== undefined, 1) |
    bit(c.testerHealth !== undefined, 2) |
    bit(c.exercise !== undefined, 3) |
    bit(c.medication !== undefined, 4) |
    bit(c.medication?.unit === 'L', 5) |
    bit(c.hba1cPercent !== undefined, 6) |
    bit(c.extendedFlags !== undefined, 7);
  const w = new ByteWriter().u8(flags).u16(c.sequenceNumber);
  if (c.extendedFlags !== undefined) w.u8(c.extendedFlags);
  if (c.carbohydrate) w.u8(CARBOHYDRATE_ID[c.carbohydrate.id]).sfloat(c.carbohydrate.kg);
  if (c.meal) w.u8(MEAL[c.meal]);
  if (c.testerHealth) w.u8(TESTER[c.testerHealth.tester] | (HEALTH[c.testerHealth.health] << 4));
  if (c.exercise) w.u16(c.exercise.durationSeconds).u8(c.exercise.intensityPercent);
  if (c.medication) w.u8(MEDICATION_ID[c.medication.id]).sfloat(c.medication.value);
  if (c.hba1cPercent !== undefined) w.sfloat(c.hba1cPercent);
  return w.toBytes();
}

export const GLUCOSE_FEATURE = {
  lowBatteryDetection: 0,
  sensorMalfunctionDetection: 1,
  sensorSampleSize: 2,
  sensorStripInsertionErrorDetection: 3,
  sensorStripTypeErrorDetection: 4,
  sensorResultHighLowDetection: 5,
  sensorTemperatureHighLowDetection: 6,
  sensorReadInterruptDetection: 7,
  generalDeviceFault: 8,
  timeFault: 9,
  multipleBond: 10,
} as const;

/** Glucose Feature 2A51, uint16. */
export function encodeGlucoseFeature(features: readonly (keyof typeof GLUCOSE_FEATURE)[]): Uint8Array {
  return new ByteWriter().u16(features.reduce((acc, f) => acc | (1 << GLUCOSE_FEATURE[f]), 0)).toBytes();
}
