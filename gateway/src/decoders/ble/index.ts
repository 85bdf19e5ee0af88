/**
 * The BLE decoder registry: one pure decoder per GATT characteristic of the health profiles,
 * the `decodeBle` entry point used by the pipeline and the `decode` command, and the request
 * encoders the gateway writes (RACP, clock).
 */
import { type ModelQuirks, quirksFor } from '../../devices/quirks.ts';
import { isValidTimeZone } from '../local-time.ts';
import type { DecodeOptions, DecodeResult } from '../result.ts';
import { decodeBloodPressure, decodeIntermediateCuffPressure } from './blood-pressure.ts';
import { decodeBodyComposition, decodeBodyCompositionFeature } from './body-composition.ts';
import { decodeCurrentTime, decodeDateTime } from './clock.ts';
import { decodeBatteryLevel, decodeSystemId, stringDecoder } from './device-info.ts';
import { decodeGlucose, decodeGlucoseContext, decodeGlucoseFeature } from './glucose.ts';
import { decodeHeartRate } from './heart-rate.ts';
import { hex } from './layout.ts';
import { decodePlxContinuous, decodePlxFeatures, decodePlxSpotCheck } from './plx.ts';
import { decodeRacp } from './racp.ts';
import { type BleContext, contextBytes } from './readings.ts';
import { decodeIntermediateTemperature, decodeTemperature, decodeTemperatureType } from './temperature.ts';
import { decodeWeight, decodeWeightScaleFeature, parseWeightScaleFeature } from './weight.ts';

export {
  type AdjustReason,
  encodeCurrentTime,
  encodeDateTime,
} from './clock.ts';
export {
  encodeRacpAbort,
  encodeRacpReportAll,
  encodeRacpReportFromSequence,
  encodeRacpReportNumberFromSequence,
  encodeRacpReportNumberOfRecords,
  RACP_FILTER_TYPES,
  RACP_OP_CODES,
  RACP_OPERATORS,
  RACP_RESPONSE_CODES,
} from './racp.ts';

export type CharacteristicKind = 'measurement' | 'intermediate' | 'context' | 'control' | 'info';

interface Entry {
  uuid: string;
  name: string;
  kind: CharacteristicKind;
  /** The `context` key under which the device manager passes this characteristic's value. */
  contextKey?: string;
  decode: (bytes: Uint8Array, ctx: BleContext) => DecodeResult;
}

const ENTRIES: readonly Entry[] = [
  { uuid: '2A35', name: 'Blood Pressure Measurement', kind: 'measurement', decode: decodeBloodPressure },
  { uuid: '2A36', name: 'Intermediate Cuff Pressure', kind: 'intermediate', decode: decodeIntermediateCuffPressure },
  { uuid: '2A1C', name: 'Temperature Measurement', kind: 'measurement', decode: decodeTemperature },
  { uuid: '2A1E', name: 'Intermediate Temperature', kind: 'intermediate', decode: decodeIntermediateTemperature },
  {
    uuid: '2A1D',
    name: 'Temperature Type',
    kind: 'context',
    contextKey: 'temperatureType',
    decode: decodeTemperatureType,
  },
  { uuid: '2A37', name: 'Heart Rate Measurement', kind: 'measurement', decode: decodeHeartRate },
  { uuid: '2A5E', name: 'PLX Spot-Check Measurement', kind: 'measurement', decode: decodePlxSpotCheck },
  { uuid: '2A5F', name: 'PLX Continuous Measurement', kind: 'measurement', decode: decodePlxContinuous },
  { uuid: '2A60', name: 'PLX Features', kind: 'context', contextKey: 'plxFeatures', decode: decodePlxFeatures },
  { uuid: '2A9D', name: 'Weight Measurement', kind: 'measurement', decode: decodeWeight },
  {
    uuid: '2A9E',
    name: 'Weight Scale Feature',
    kind: 'context',
    contextKey: 'weightScaleFeature',
    decode: decodeWeightScaleFeature,
  },
  { uuid: '2A9C', name: 'Body Composition Measurement', kind: 'measurement', decode: decodeBodyComposition },
  {
    uuid: '2A9B',
    name: 'Body Composition Feature',
    kind: 'context',
    contextKey: 'bodyCompositionFeature',
    decode: decodeBodyCompositionFeature,
  },
  { uuid: '2A18', name: 'Glucose Measurement', kind: 'measurement', decode: decodeGlucose },
  { uuid: '2A34', name: 'Glucose Measurement Context', kind: 'context', decode: decodeGlucoseContext },
  {
    uuid: '2A51',
    name: 'Glucose Feature',
    kind: 'context',
    contextKey: 'glucoseFeature',
    decode: decodeGlucoseFeature,
  },
  { uuid: '2A52', name: 'Record Access Control Point', kind: 'control', decode: decodeRacp },
  { uuid: '2A19', name: 'Battery Level', kind: 'info', decode: decodeBatteryLevel },
  { uuid: '2A29', name: 'Manufacturer Name String', kind: 'info', decode: stringDecoder('manufacturerName') },
  { uuid: '2A24', name: 'Model Number String', kind: 'info', decode: stringDecoder('modelNumber') },
  { uuid: '2A25', name: 'Serial Number String', kind: 'info', decode: stringDecoder('serialNumber') },
  { uuid: '2A26', name: 'Firmware Revision String', kind: 'info', decode: stringDecoder('firmwareRevision') },
  { uuid: '2A27', name: 'Hardware Revision String', kind: 'info', decode: stringDecoder('hardwareRevision') },
  { uuid: '2A28', name: 'Software Revision String', kind: 'info', decode: stringDecoder('softwareRevision') },
  { uuid: '2A23', name: 'System ID', kind: 'info', decode: decodeSystemId },
  { uuid: '2A2B', name: 'Current Time', kind: 'info', decode: (b, ctx) => decodeCurrentTime(b, ctx.tz) },
  { uuid: '2A08', name: 'Date Time', kind: 'info', decode: (b, ctx) => decodeDateTime(b, ctx.tz) },
];

const REGISTRY = new Map(ENTRIES.map((e) => [e.uuid, e]));

/** Every characteristic `decodeBle` understands. */
export const BLE_CHARACTERISTICS: readonly {
  uuid: string;
  name: string;
  kind: CharacteristicKind;
  contextKey?: string;
}[] = ENTRIES.map(({ uuid, name, kind, contextKey }) =>
  contextKey ? { uuid, name, kind, contextKey } : { uuid, name, kind },
);

const BASE_UUID = /^0000([0-9a-f]{4})-0000-1000-8000-00805f9b34fb$/i;

/** "2a35", "0x2A35" or the full base UUID -> "2A35"; null when it is none of those. */
export function normalizeCharacteristic(characteristic: string): string | null {
  const s = characteristic.trim();
  const full = BASE_UUID.exec(s);
  const short = full ? full[1]! : s.replace(/^0x/i, '');
  return /^[0-9a-f]{4}$/i.test(short) ? short.toUpperCase() : null;
}

/** Characteristics whose decoders read a device time stamp (a clock-zone quirk matters there). */
const TIMESTAMPED = new Set(['2A35', '2A36', '2A1C', '2A1E', '2A5E', '2A9D', '2A9C', '2A18', '2A08', '2A2B']);

interface Quirked {
  bytes: Uint8Array;
  ctx: BleContext;
  notes: string[];
  /** Added only when the decode produced a time. */
  timeNote?: string;
}

/** Applies the model's quirks around the spec decoders: patched flags, zone, scale overrides. */
export function applyQuirks(
  uuid: string,
  bytes: Uint8Array,
  ctx: BleContext,
  model: string | undefined,
  quirks: ModelQuirks | undefined = quirksFor(model),
): Quirked {
  const out: Quirked = { bytes, ctx, notes: [] };
  if (!quirks) return out;
  const label = `model ${model} quirk (${quirks.description})`;
  const mask = quirks.clearFlags?.[uuid];
  if (mask !== undefined && bytes.length > 0 && bytes[0]! & mask) {
    out.bytes = Uint8Array.from(bytes);
    out.bytes[0] = bytes[0]! & ~mask;
    out.notes.push(`${label}: flag bits ${hex(bytes[0]! & mask, 2)} cleared`);
  }
  if (quirks.clockZone && TIMESTAMPED.has(uuid)) {
    out.ctx = { ...out.ctx, tz: quirks.clockZone };
    out.timeNote = `${label}: device time read in ${quirks.clockZone}`;
  }
  if (quirks.weightScaleFromFeature && uuid === '2A9D') {
    const featureBytes = contextBytes(ctx, 'weightScaleFeature', []);
    const parsed = featureBytes ? parseWeightScaleFeature(featureBytes, []) : undefined;
    const mass = parsed?.ok ? parsed.feature.mass : undefined;
    if (mass) {
      out.ctx = { ...out.ctx, scaleOverride: { ...out.ctx.scaleOverride, weight: mass } };
      out.notes.push(`${label}: weight scaled by ${mass[0]} kg / ${mass[1]} lb`);
    } else {
      out.notes.push(`${label}: no weight resolution in context weightScaleFeature; specification scale used`);
    }
  }
  return out;
}

/**
 * Decodes one value of a GATT characteristic. `characteristic` is the 16-bit UUID in hex
 * (any case, with or without 0x); `context` holds hex values of other characteristics
 * (see BLE_CHARACTERISTICS[].contextKey); device-local times are read in `opts.tz`.
 * Never throws.
 */
export function decodeBle(
  characteristic: string,
  bytes: Uint8Array,
  context: Record<string, string>,
  opts: DecodeOptions,
): DecodeResult {
  const uuid = normalizeCharacteristic(characteristic);
  const entry = uuid ? REGISTRY.get(uuid) : undefined;
  if (!uuid || !entry)
    return { ok: false, error: `unknown characteristic "${characteristic}": the gateway has no BLE decoder for it` };
  if (!isValidTimeZone(opts.tz))
    return { ok: false, error: `unknown time zone "${opts.tz}": give an IANA zone such as Asia/Tokyo or UTC` };
  try {
    const q = applyQuirks(uuid, bytes, { tz: opts.tz, context }, opts.model);
    const result = entry.decode(q.bytes, q.ctx);
    if (!result.ok) return result;
    const hasTime = result.readings.some((r) => r.time !== undefined) || result.info?.clock !== undefined;
    const notes = q.timeNote && hasTime ? [...q.notes, q.timeNote] : q.notes;
    if (notes.length > 0) result.notes.unshift(...notes);
    return result;
  } catch (e) {
    return {
      ok: false,
      error: `${uuid}: internal decoder error (${(e as Error).message}); please report this payload as a bug`,
    };
  }
}
