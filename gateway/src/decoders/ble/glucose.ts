/**
 * Glucose Measurement (2A18), Glucose Measurement Context (2A34) and Glucose Feature (2A51),
 * GSS 3.106 / 3.107 / 3.105, GLS 1.0. A record's time is its base time plus the time offset
 * (minutes), read in the gateway's zone. The context characteristic carries the sequence
 * number of the measurement it belongs to; stream.ts joins the two.
 */
import type { Flag } from '@vitals/contract';
import { exactProduct } from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import { type Layout, type Measured, needsError, noteTrailing, readLayout, readUint, reservedNote } from './layout.ts';
import { type BleContext, bitNames, FROM_KGL, FROM_MOLL, infoNumber, makeReading } from './readings.ts';

export const CONTEXT_FOLLOWS_FLAG = 0x10;

// Flags: bit 0 time offset, 1 concentration + type/sample location, 2 units (0 kg/L, 1 mol/L),
// 3 sensor status annunciation, 4 context information follows.
export const GLUCOSE_MEASUREMENT: Layout = {
  characteristic: '2A18',
  flags: 'u8',
  definedFlags: 0x1f,
  unitsFlag: 0x04,
  rows: [
    { name: 'sequenceNumber', what: 'the sequence number', type: 'u16' },
    { name: 'baseTime', what: 'the base time', type: 'datetime' },
    { name: 'timeOffset', what: 'the time offset', type: 's16', flag: 0x01 },
    { name: 'concentration', what: 'the glucose concentration', type: 'sfloat', flag: 0x02 },
    { name: 'typeLocation', what: 'the type and sample location', type: 'u8', flag: 0x02 },
    { name: 'sensorStatus', what: 'the sensor status annunciation', type: 'u16', flag: 0x08 },
  ],
};

/** Type nibble (low 4 bits): 0 and 11-15 reserved. */
export const SAMPLE_TYPES: Readonly<Record<number, string>> = {
  1: 'capillary_whole_blood',
  2: 'capillary_plasma',
  3: 'venous_whole_blood',
  4: 'venous_plasma',
  5: 'arterial_whole_blood',
  6: 'arterial_plasma',
  7: 'undetermined_whole_blood',
  8: 'undetermined_plasma',
  9: 'interstitial_fluid',
  10: 'control_solution',
};

/** Sample location nibble (high 4 bits): 0 and 5-14 reserved. */
export const SAMPLE_LOCATIONS: Readonly<Record<number, string>> = {
  1: 'finger',
  2: 'alternate_site_test',
  3: 'earlobe',
  4: 'control_solution',
  15: 'not_available',
};

/** Sensor Status Annunciation: bits 12-15 reserved. */
export const SENSOR_STATUS_BITS: readonly (readonly [number, Flag])[] = [
  [0, 'battery_low'],
  [1, 'sensor_malfunction'],
  [2, 'sample_size_insufficient'],
  [3, 'strip_insertion_error'],
  [4, 'strip_type_incorrect'],
  [5, 'result_above_range'],
  [6, 'result_below_range'],
  [7, 'sensor_temperature_high'],
  [8, 'sensor_temperature_low'],
  [9, 'read_interrupted'],
  [10, 'device_fault'],
  [11, 'time_fault'],
];

function named(table: Readonly<Record<number, string>>, code: number, what: string, notes: string[]) {
  const name = table[code];
  if (!name) notes.push(`${what} ${code} is reserved; ignored`);
  return name;
}

export function decodeGlucose(bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = readLayout(GLUCOSE_MEASUREMENT, bytes);
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;
  const info: Record<string, unknown> = { sequenceNumber: f.sequenceNumber };
  const offset = (f.timeOffset as number | undefined) ?? 0;
  if (f.timeOffset !== undefined) info.timeOffsetMinutes = offset;
  const time = measurementTime(f.baseTime as DateTimeFields, ctx.tz, notes, offset, 'base time');

  const flags: Flag[] = [];
  if (f.sensorStatus !== undefined) {
    const { names, unknown } = bitNames(f.sensorStatus as number, SENSOR_STATUS_BITS);
    flags.push(...names);
    if (unknown) notes.push(reservedNote('sensor status annunciation', unknown, 4));
  }
  const readings = [];
  if (f.concentration) {
    const typeLocation = f.typeLocation as number;
    const sampleType = named(SAMPLE_TYPES, typeLocation & 0x0f, 'sample type', notes);
    const sampleLocation = named(SAMPLE_LOCATIONS, typeLocation >> 4, 'sample location', notes);
    if (sampleType) info.sampleType = sampleType;
    if (sampleLocation) info.sampleLocation = sampleLocation;
    if (sampleType === 'control_solution' || sampleLocation === 'control_solution') flags.unshift('control_solution');
    readings.push(
      makeReading('glucose', f.concentration as Measured, {
        from: p.altUnits ? FROM_MOLL : FROM_KGL,
        flags,
        time,
      }),
    );
  } else {
    notes.push('record carries no glucose concentration (flag bit 1 clear)');
  }
  if (p.flags & CONTEXT_FOLLOWS_FLAG) info.contextFollows = true;
  noteTrailing(notes, bytes, p.end);
  return { ok: true, readings, notes, info };
}

// Flags: bit 0 carbohydrate, 1 meal, 2 tester-health, 3 exercise, 4 medication, 5 medication
// units (0 kg, 1 L), 6 HbA1c, 7 extended flags.
export const GLUCOSE_CONTEXT: Layout = {
  characteristic: '2A34',
  flags: 'u8',
  definedFlags: 0xff,
  rows: [
    { name: 'sequenceNumber', what: 'the sequence number', type: 'u16' },
    { name: 'extendedFlags', what: 'the extended flags', type: 'u8', flag: 0x80 },
    { name: 'carbohydrateId', what: 'the carbohydrate id', type: 'u8', flag: 0x01 },
    { name: 'carbohydrate', what: 'the carbohydrate amount', type: 'sfloat', flag: 0x01 },
    { name: 'meal', what: 'the meal', type: 'u8', flag: 0x02 },
    { name: 'testerHealth', what: 'the tester and health', type: 'u8', flag: 0x04 },
    { name: 'exerciseDuration', what: 'the exercise duration', type: 'u16', flag: 0x08 },
    { name: 'exerciseIntensity', what: 'the exercise intensity', type: 'u8', flag: 0x08 },
    { name: 'medicationId', what: 'the medication id', type: 'u8', flag: 0x10 },
    { name: 'medication', what: 'the medication amount', type: 'sfloat', flag: 0x10 },
    { name: 'hba1c', what: 'the HbA1c', type: 'sfloat', flag: 0x40 },
  ],
};

export const CARBOHYDRATES: Readonly<Record<number, string>> = {
  1: 'breakfast',
  2: 'lunch',
  3: 'dinner',
  4: 'snack',
  5: 'drink',
  6: 'supper',
  7: 'brunch',
};
export const MEALS: Readonly<Record<number, string>> = {
  1: 'preprandial',
  2: 'postprandial',
  3: 'fasting',
  4: 'casual',
  5: 'bedtime',
};
export const TESTERS: Readonly<Record<number, string>> = {
  1: 'self',
  2: 'health_care_professional',
  3: 'lab_test',
  15: 'not_available',
};
export const HEALTH: Readonly<Record<number, string>> = {
  1: 'minor_health_issues',
  2: 'major_health_issues',
  3: 'during_menses',
  4: 'under_stress',
  5: 'no_health_issues',
  15: 'not_available',
};
export const MEDICATIONS: Readonly<Record<number, string>> = {
  1: 'rapid_acting_insulin',
  2: 'short_acting_insulin',
  3: 'intermediate_acting_insulin',
  4: 'long_acting_insulin',
  5: 'pre_mixed_insulin',
};

/** Context fields go to `info` (no readings, per the contract's decoder command). */
export function decodeGlucoseContext(bytes: Uint8Array): DecodeResult {
  const p = readLayout(GLUCOSE_CONTEXT, bytes);
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;
  const info: Record<string, unknown> = { sequenceNumber: f.sequenceNumber };
  if (f.extendedFlags !== undefined && f.extendedFlags !== 0)
    notes.push(reservedNote('extended flag', f.extendedFlags as number, 2));
  if (f.carbohydrateId !== undefined) {
    const carbohydrate: Record<string, unknown> = {};
    const meal = named(CARBOHYDRATES, f.carbohydrateId as number, 'carbohydrate id', notes);
    if (meal) carbohydrate.id = meal;
    const kg = infoNumber(f.carbohydrate as Measured, 'carbohydrate amount', notes);
    if (kg !== undefined) carbohydrate.grams = exactProduct(kg, 1000);
    info.carbohydrate = carbohydrate;
  }
  if (f.meal !== undefined) {
    const meal = named(MEALS, f.meal as number, 'meal', notes);
    if (meal) info.meal = meal;
  }
  if (f.testerHealth !== undefined) {
    const tester = named(TESTERS, (f.testerHealth as number) & 0x0f, 'tester', notes);
    const health = named(HEALTH, (f.testerHealth as number) >> 4, 'health', notes);
    if (tester) info.tester = tester;
    if (health) info.health = health;
  }
  if (f.exerciseDuration !== undefined) {
    info.exerciseDurationS = f.exerciseDuration;
    // GSS 3.107: 65535 means the duration overran the counter.
    if (f.exerciseDuration === 0xffff) notes.push('exercise duration overrun (65535 s)');
    info.exerciseIntensityPercent = f.exerciseIntensity;
  }
  if (f.medicationId !== undefined) {
    const medication: Record<string, unknown> = {};
    const id = named(MEDICATIONS, f.medicationId as number, 'medication id', notes);
    if (id) medication.id = id;
    const amount = infoNumber(f.medication as Measured, 'medication amount', notes);
    if (amount !== undefined) {
      if (p.flags & 0x20) medication.milliliters = exactProduct(amount, 1000);
      else medication.milligrams = exactProduct(amount, 1e6);
    }
    info.medication = medication;
  }
  if (f.hba1c) {
    const v = infoNumber(f.hba1c as Measured, 'HbA1c', notes);
    if (v !== undefined) info.hba1cPercent = v;
  }
  noteTrailing(notes, bytes, p.end);
  return { ok: true, readings: [], notes, info };
}

const GLUCOSE_FEATURES = [
  [0, 'low_battery_detection'],
  [1, 'sensor_malfunction_detection'],
  [2, 'sample_size'],
  [3, 'strip_insertion_error_detection'],
  [4, 'strip_type_error_detection'],
  [5, 'result_high_low_detection'],
  [6, 'temperature_high_low_detection'],
  [7, 'read_interrupt_detection'],
  [8, 'general_device_fault'],
  [9, 'time_fault'],
  [10, 'multiple_bond'],
] as const;

export function decodeGlucoseFeature(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 2) return { ok: false, error: needsError('2A51', 2, 'the glucose feature', 0, bytes.length) };
  const notes: string[] = [];
  const { names, unknown } = bitNames(readUint(bytes, 0, 2), GLUCOSE_FEATURES);
  if (unknown) notes.push(reservedNote('feature', unknown, 4));
  noteTrailing(notes, bytes, 2);
  return { ok: true, readings: [], notes, info: { supportedFeatures: names } };
}
