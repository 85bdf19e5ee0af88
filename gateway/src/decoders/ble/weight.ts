/**
 * Weight Measurement (2A9D) and Weight Scale Feature (2A9E), GSS 3.247 / 3.248, WSS 1.0.
 * Weight is raw x 0.005 kg (SI) or x 0.01 lb (imperial) and height raw x 0.001 m or x 0.1 in,
 * whatever the feature says: its resolution fields only tell how fine the scale measures.
 */
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import { type Layout, type Measured, needsError, noteTrailing, readLayout, readUint, reservedNote } from './layout.ts';
import { type BleContext, contextBytes, FROM_IN, FROM_LB, FROM_M, makeReading, userIdInfo } from './readings.ts';

export const WEIGHT_SCALE: readonly [kg: number, lb: number] = [0.005, 0.01];
export const HEIGHT_SCALE: readonly [m: number, inch: number] = [0.001, 0.1];

// Flags: bit 0 units (0 SI, 1 imperial), bit 1 time stamp, bit 2 user id, bit 3 BMI and height.
export const WEIGHT_MEASUREMENT: Layout = {
  characteristic: '2A9D',
  flags: 'u8',
  definedFlags: 0x0f,
  unitsFlag: 0x01,
  rows: [
    // WSS 3.2.1.2: 0xFFFF means "measurement unsuccessful".
    { name: 'weight', what: 'the weight', type: 'u16', scale: WEIGHT_SCALE, unsuccessful: 0xffff },
    { name: 'timestamp', what: 'the time stamp', type: 'datetime', flag: 0x02 },
    { name: 'userId', what: 'the user id', type: 'u8', flag: 0x04 },
    { name: 'bmi', what: 'the BMI', type: 'u16', flag: 0x08, scale: 0.1 },
    { name: 'height', what: 'the height', type: 'u16', flag: 0x08, scale: HEIGHT_SCALE },
  ],
};

/** Weight Scale Feature bits 3-6 and Body Composition Feature bits 11-14: index -> [kg, lb]. */
export const MASS_RESOLUTIONS: readonly (readonly [number, number] | null)[] = [
  null,
  [0.5, 1],
  [0.2, 0.5],
  [0.1, 0.2],
  [0.05, 0.1],
  [0.02, 0.05],
  [0.01, 0.02],
  [0.005, 0.01],
];

/** Weight Scale Feature bits 7-9 and Body Composition Feature bits 15-17: index -> [m, in]. */
export const HEIGHT_RESOLUTIONS: readonly (readonly [number, number] | null)[] = [
  null,
  [0.01, 1],
  [0.005, 0.5],
  [0.001, 0.1],
];

export interface Resolution {
  /** [SI, imperial] step, or undefined when the device does not say. */
  mass?: readonly [number, number];
  height?: readonly [number, number];
}

/** Reads a mass or height resolution index; reserved indexes give a note and no resolution. */
export function resolutionAt(
  table: readonly (readonly [number, number] | null)[],
  index: number,
  what: string,
  notes: string[],
): readonly [number, number] | undefined {
  if (index >= table.length) {
    notes.push(`${what} resolution value ${index} is reserved; ignored`);
    return undefined;
  }
  return table[index] ?? undefined;
}

export interface WeightScaleFeature extends Resolution {
  timeStamp: boolean;
  multipleUsers: boolean;
  bmi: boolean;
}

export function parseWeightScaleFeature(
  bytes: Uint8Array,
  notes: string[],
): { ok: true; feature: WeightScaleFeature } | { ok: false; error: string } {
  if (bytes.length < 4) return { ok: false, error: needsError('2A9E', 4, 'the weight scale feature', 0, bytes.length) };
  const bits = readUint(bytes, 0, 4);
  const feature: WeightScaleFeature = { timeStamp: !!(bits & 1), multipleUsers: !!(bits & 2), bmi: !!(bits & 4) };
  const mass = resolutionAt(MASS_RESOLUTIONS, (bits >> 3) & 0xf, 'weight', notes);
  const height = resolutionAt(HEIGHT_RESOLUTIONS, (bits >> 7) & 0x7, 'height', notes);
  if (mass) feature.mass = mass;
  if (height) feature.height = height;
  const reserved = bits - (bits & 0x3ff);
  if (reserved) notes.push(reservedNote('feature', reserved, 8));
  noteTrailing(notes, bytes, 4);
  return { ok: true, feature };
}

export function resolutionInfo(r: Resolution, imperial: boolean): Record<string, unknown> {
  const info: Record<string, unknown> = {};
  if (r.mass) info.weightResolution = { value: r.mass[imperial ? 1 : 0], unit: imperial ? '[lb_av]' : 'kg' };
  if (r.height) info.heightResolution = { value: r.height[imperial ? 1 : 0], unit: imperial ? '[in_i]' : 'm' };
  return info;
}

export function decodeWeightScaleFeature(bytes: Uint8Array): DecodeResult {
  const notes: string[] = [];
  const r = parseWeightScaleFeature(bytes, notes);
  if (!r.ok) return r;
  const { timeStamp, multipleUsers, bmi, mass, height } = r.feature;
  const info: Record<string, unknown> = {
    timeStampSupported: timeStamp,
    multipleUsersSupported: multipleUsers,
    bmiSupported: bmi,
    weightResolution: mass ? { kg: mass[0], lb: mass[1] } : 'not_specified',
    heightResolution: height ? { m: height[0], in: height[1] } : 'not_specified',
  };
  return { ok: true, readings: [], notes, info };
}

export function decodeWeight(bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = readLayout(WEIGHT_MEASUREMENT, bytes, { scaleOverride: ctx.scaleOverride });
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;
  const time = measurementTime(f.timestamp as DateTimeFields | undefined, ctx.tz, notes);
  const imperial = p.altUnits;
  const readings = [makeReading('body_weight', f.weight as Measured, { from: imperial ? FROM_LB : undefined, time })];
  if (f.bmi) {
    readings.push(makeReading('bmi', f.bmi as Measured, { time }));
    readings.push(makeReading('body_height', f.height as Measured, { from: imperial ? FROM_IN : FROM_M, time }));
  }
  let info: Record<string, unknown> = {};
  if (f.userId !== undefined) info.userId = userIdInfo(f.userId as number);
  const featureBytes = contextBytes(ctx, 'weightScaleFeature', notes);
  if (featureBytes) {
    const r = parseWeightScaleFeature(featureBytes, []);
    if (r.ok) info = { ...info, ...resolutionInfo(r.feature, imperial) };
    else notes.push(`context weightScaleFeature ignored: ${r.error}`);
  }
  noteTrailing(notes, bytes, p.end);
  return { ok: true, readings, notes, ...(Object.keys(info).length ? { info } : {}) };
}
