/**
 * Body Composition Measurement (2A9C) and Body Composition Feature (2A9B), GSS 3.33 / 3.32,
 * BCS 1.0. body_fat, body_weight and body_height are readings; the other compartments go to
 * `info` in canonical units (kg, kJ, %, ohm). A measurement too long for one ATT packet comes in
 * two packets with the Multiple Packet Measurement flag set (BCS 4.2.1); stream.ts joins them,
 * this module decodes each packet and the joined fields.
 */
import { lbToKg } from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import {
  type Layout,
  type Measured,
  needsError,
  noteTrailing,
  type Parsed,
  type ParseResult,
  type ReadOptions,
  readLayout,
  readUint,
  reservedNote,
} from './layout.ts';
import {
  type BleContext,
  bitNames,
  contextBytes,
  FROM_IN,
  FROM_LB,
  FROM_M,
  makeReading,
  userIdInfo,
} from './readings.ts';
import {
  HEIGHT_RESOLUTIONS,
  HEIGHT_SCALE,
  MASS_RESOLUTIONS,
  type Resolution,
  resolutionAt,
  resolutionInfo,
  WEIGHT_SCALE,
} from './weight.ts';

export const MULTIPLE_PACKET_FLAG = 0x1000;

// Flags (16 bit): bit 0 units (0 SI, 1 imperial), 1 time stamp, 2 user id, 3 basal metabolism,
// 4 muscle percentage, 5 muscle mass, 6 fat free mass, 7 soft lean mass, 8 body water mass,
// 9 impedance, 10 weight, 11 height, 12 multiple packet measurement.
export const BODY_COMPOSITION_MEASUREMENT: Layout = {
  characteristic: '2A9C',
  flags: 'u16',
  definedFlags: 0x1fff,
  unitsFlag: 0x0001,
  rows: [
    // BCS 3.2.1.2: 0xFFFF means "measurement unsuccessful".
    { name: 'bodyFat', what: 'the body fat percentage', type: 'u16', scale: 0.1, unsuccessful: 0xffff },
    { name: 'timestamp', what: 'the time stamp', type: 'datetime', flag: 0x0002 },
    { name: 'userId', what: 'the user id', type: 'u8', flag: 0x0004 },
    { name: 'basalMetabolism', what: 'the basal metabolism', type: 'u16', flag: 0x0008, scale: 1 },
    { name: 'musclePercentage', what: 'the muscle percentage', type: 'u16', flag: 0x0010, scale: 0.1 },
    { name: 'muscleMass', what: 'the muscle mass', type: 'u16', flag: 0x0020, scale: WEIGHT_SCALE },
    { name: 'fatFreeMass', what: 'the fat free mass', type: 'u16', flag: 0x0040, scale: WEIGHT_SCALE },
    { name: 'softLeanMass', what: 'the soft lean mass', type: 'u16', flag: 0x0080, scale: WEIGHT_SCALE },
    { name: 'bodyWaterMass', what: 'the body water mass', type: 'u16', flag: 0x0100, scale: WEIGHT_SCALE },
    { name: 'impedance', what: 'the impedance', type: 'u16', flag: 0x0200, scale: 0.1 },
    { name: 'weight', what: 'the weight', type: 'u16', flag: 0x0400, scale: WEIGHT_SCALE },
    { name: 'height', what: 'the height', type: 'u16', flag: 0x0800, scale: HEIGHT_SCALE },
  ],
};

/** Reads one packet; the notes include reserved flags and trailing bytes of that packet. */
export function parseBodyComposition(bytes: Uint8Array, opts: ReadOptions = {}): ParseResult {
  const p = readLayout(BODY_COMPOSITION_MEASUREMENT, bytes, opts);
  if (!p.ok) return p;
  noteTrailing(p.notes, bytes, p.end);
  return p;
}

const MASS_INFO = [
  ['muscleMass', 'muscleMassKg'],
  ['fatFreeMass', 'fatFreeMassKg'],
  ['softLeanMass', 'softLeanMassKg'],
  ['bodyWaterMass', 'bodyWaterMassKg'],
] as const;

/** Readings and info of parsed (possibly joined) fields. */
export function bodyCompositionResult(p: Parsed, ctx: BleContext): DecodeResult {
  const notes = [...p.notes];
  const f = p.fields;
  const time = measurementTime(f.timestamp as DateTimeFields | undefined, ctx.tz, notes);
  const imperial = p.altUnits;
  const readings = [makeReading('body_fat', f.bodyFat as Measured, { time })];
  if (f.weight)
    readings.push(makeReading('body_weight', f.weight as Measured, { from: imperial ? FROM_LB : undefined, time }));
  if (f.height)
    readings.push(makeReading('body_height', f.height as Measured, { from: imperial ? FROM_IN : FROM_M, time }));

  const info: Record<string, unknown> = {};
  const num = (name: string) => (f[name] as Measured & { kind: 'number' }).value;
  if (f.userId !== undefined) info.userId = userIdInfo(f.userId as number);
  if (f.basalMetabolism) info.basalMetabolismKJ = num('basalMetabolism');
  if (f.musclePercentage) info.musclePercent = num('musclePercentage');
  for (const [field, key] of MASS_INFO) if (f[field]) info[key] = imperial ? lbToKg(num(field)) : num(field);
  if (f.impedance) info.impedanceOhm = num('impedance');
  if (p.flags & MULTIPLE_PACKET_FLAG) info.multiplePacket = true;
  const featureBytes = contextBytes(ctx, 'bodyCompositionFeature', notes);
  if (featureBytes) {
    const r = parseFeature(featureBytes, []);
    if (r.ok) Object.assign(info, resolutionInfo(r.resolution, imperial));
    else notes.push(`context bodyCompositionFeature ignored: ${r.error}`);
  }
  return { ok: true, readings, notes, ...(Object.keys(info).length ? { info } : {}) };
}

/** One packet on its own (the decoder command); a part of a multi-packet measurement says so. */
export function decodeBodyComposition(bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = parseBodyComposition(bytes, { scaleOverride: ctx.scaleOverride });
  if (!p.ok) return p;
  const r = bodyCompositionResult(p, ctx);
  if (r.ok && p.flags & MULTIPLE_PACKET_FLAG)
    r.notes.push('one packet of a multiple-packet measurement; the other packet completes it');
  return r;
}

const BCS_FEATURES = [
  [0, 'time_stamp'],
  [1, 'multiple_users'],
  [2, 'basal_metabolism'],
  [3, 'muscle_percentage'],
  [4, 'muscle_mass'],
  [5, 'fat_free_mass'],
  [6, 'soft_lean_mass'],
  [7, 'body_water_mass'],
  [8, 'impedance'],
  [9, 'weight'],
  [10, 'height'],
] as const;

type FeatureResult = { ok: true; supported: string[]; resolution: Resolution } | { ok: false; error: string };

function parseFeature(bytes: Uint8Array, notes: string[]): FeatureResult {
  if (bytes.length < 4)
    return { ok: false, error: needsError('2A9B', 4, 'the body composition feature', 0, bytes.length) };
  const bits = readUint(bytes, 0, 4);
  const resolution: Resolution = {};
  const mass = resolutionAt(MASS_RESOLUTIONS, Math.floor(bits / 2 ** 11) & 0xf, 'mass', notes);
  const height = resolutionAt(HEIGHT_RESOLUTIONS, Math.floor(bits / 2 ** 15) & 0x7, 'height', notes);
  if (mass) resolution.mass = mass;
  if (height) resolution.height = height;
  const reserved = bits - (bits % 2 ** 18);
  if (reserved) notes.push(reservedNote('feature', reserved, 8));
  noteTrailing(notes, bytes, 4);
  return { ok: true, supported: bitNames(bits % 2 ** 11, BCS_FEATURES).names, resolution };
}

export function decodeBodyCompositionFeature(bytes: Uint8Array): DecodeResult {
  const notes: string[] = [];
  const r = parseFeature(bytes, notes);
  if (!r.ok) return r;
  const { mass, height } = r.resolution;
  return {
    ok: true,
    readings: [],
    notes,
    info: {
      supportedFeatures: r.supported,
      massResolution: mass ? { kg: mass[0], lb: mass[1] } : 'not_specified',
      heightResolution: height ? { m: height[0], in: height[1] } : 'not_specified',
    },
  };
}
