/**
 * Pulse oximeter: PLX Spot-Check Measurement (2A5E), PLX Continuous Measurement (2A5F) and PLX
 * Features (2A60), GSS 3.172-3.174 / PLXS 1.0. The measurement's flags decide which fields are
 * present; when PLX Features (context `plxFeatures`) lists which status bits the device
 * supports, set bits outside that list are ignored with a note (PLXS: unsupported bits are 0).
 */
import type { Flag } from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { type DateTimeFields, measurementTime } from './datetime.ts';
import {
  hex,
  type Layout,
  type Measured,
  needsError,
  noteTrailing,
  readLayout,
  readUint,
  reservedNote,
} from './layout.ts';
import { type BleContext, bitNames, contextBytes, makeReading } from './readings.ts';

// Flags: bit 0 timestamp, 1 measurement status, 2 device and sensor status, 3 pulse amplitude
// index, 4 device clock is not set.
export const PLX_SPOT_CHECK: Layout = {
  characteristic: '2A5E',
  flags: 'u8',
  definedFlags: 0x1f,
  rows: [
    { name: 'spo2', what: 'the SpO2', type: 'sfloat' },
    { name: 'pr', what: 'the pulse rate', type: 'sfloat' },
    { name: 'timestamp', what: 'the time stamp', type: 'datetime', flag: 0x01 },
    { name: 'measurementStatus', what: 'the measurement status', type: 'u16', flag: 0x02 },
    { name: 'deviceSensorStatus', what: 'the device and sensor status', type: 'u24', flag: 0x04 },
    { name: 'pai', what: 'the pulse amplitude index', type: 'sfloat', flag: 0x08 },
  ],
};

// Flags: bit 0 SpO2PR-Fast, 1 SpO2PR-Slow, 2 measurement status, 3 device and sensor status,
// 4 pulse amplitude index.
export const PLX_CONTINUOUS: Layout = {
  characteristic: '2A5F',
  flags: 'u8',
  definedFlags: 0x1f,
  rows: [
    { name: 'spo2', what: 'the SpO2 (normal)', type: 'sfloat' },
    { name: 'pr', what: 'the pulse rate (normal)', type: 'sfloat' },
    { name: 'spo2Fast', what: 'the SpO2 (fast)', type: 'sfloat', flag: 0x01 },
    { name: 'prFast', what: 'the pulse rate (fast)', type: 'sfloat', flag: 0x01 },
    { name: 'spo2Slow', what: 'the SpO2 (slow)', type: 'sfloat', flag: 0x02 },
    { name: 'prSlow', what: 'the pulse rate (slow)', type: 'sfloat', flag: 0x02 },
    { name: 'measurementStatus', what: 'the measurement status', type: 'u16', flag: 0x04 },
    { name: 'deviceSensorStatus', what: 'the device and sensor status', type: 'u24', flag: 0x08 },
    { name: 'pai', what: 'the pulse amplitude index', type: 'sfloat', flag: 0x10 },
  ],
};

/** PLXS Measurement Status: bits 0-4 reserved. */
export const MEASUREMENT_STATUS_BITS: readonly (readonly [number, Flag])[] = [
  [5, 'measurement_ongoing'],
  [6, 'early_estimate'],
  [7, 'validated'],
  [8, 'fully_qualified'],
  [9, 'from_storage'],
  [10, 'demonstration_data'],
  [11, 'test_data'],
  [12, 'calibration_ongoing'],
  [13, 'measurement_unavailable'],
  [14, 'questionable_measurement'],
  [15, 'invalid_measurement'],
];

/** PLXS Device and Sensor Status: bits 16-23 reserved. */
export const DEVICE_SENSOR_STATUS_BITS: readonly (readonly [number, Flag])[] = [
  [0, 'extended_display_update'],
  [1, 'equipment_malfunction'],
  [2, 'signal_processing_irregularity'],
  [3, 'inadequate_signal'],
  [4, 'poor_signal'],
  [5, 'low_perfusion'],
  [6, 'erratic_signal'],
  [7, 'nonpulsatile_signal'],
  [8, 'questionable_pulse'],
  [9, 'signal_analysis_ongoing'],
  [10, 'sensor_interference'],
  [11, 'sensor_unconnected'],
  [12, 'unknown_sensor'],
  [13, 'sensor_displaced'],
  [14, 'sensor_malfunction'],
  [15, 'sensor_disconnected'],
];

const SUPPORTED_FEATURES = [
  [0, 'measurement_status'],
  [1, 'device_sensor_status'],
  [2, 'spot_check_storage'],
  [3, 'spot_check_timestamp'],
  [4, 'spo2pr_fast'],
  [5, 'spo2pr_slow'],
  [6, 'pulse_amplitude_index'],
  [7, 'multiple_bonds'],
] as const;

export interface PlxFeatures {
  supported: string[];
  measurementStatusSupport?: number;
  deviceSensorStatusSupport?: number;
}

type FeaturesResult = { ok: true; features: PlxFeatures; end: number; notes: string[] } | { ok: false; error: string };

function parseFeatures(bytes: Uint8Array): FeaturesResult {
  if (bytes.length < 2) return { ok: false, error: needsError('2A60', 2, 'the supported features', 0, bytes.length) };
  const bits = readUint(bytes, 0, 2);
  const { names, unknown } = bitNames(bits, SUPPORTED_FEATURES);
  const notes = unknown ? [reservedNote('supported features', unknown, 4)] : [];
  const features: PlxFeatures = { supported: names };
  let end = 2;
  if (bits & 0x01) {
    if (bytes.length < end + 2)
      return { ok: false, error: needsError('2A60', 2, 'the measurement status support', end, bytes.length) };
    features.measurementStatusSupport = readUint(bytes, end, 2);
    end += 2;
  }
  if (bits & 0x02) {
    if (bytes.length < end + 3)
      return { ok: false, error: needsError('2A60', 3, 'the device and sensor status support', end, bytes.length) };
    features.deviceSensorStatusSupport = readUint(bytes, end, 3);
    end += 3;
  }
  return { ok: true, features, end, notes };
}

export function decodePlxFeatures(bytes: Uint8Array): DecodeResult {
  const r = parseFeatures(bytes);
  if (!r.ok) return r;
  const info: Record<string, unknown> = { supportedFeatures: r.features.supported };
  if (r.features.measurementStatusSupport !== undefined)
    info.measurementStatusSupport = bitNames(r.features.measurementStatusSupport, MEASUREMENT_STATUS_BITS).names;
  if (r.features.deviceSensorStatusSupport !== undefined)
    info.deviceSensorStatusSupport = bitNames(r.features.deviceSensorStatusSupport, DEVICE_SENSOR_STATUS_BITS).names;
  noteTrailing(r.notes, bytes, r.end);
  return { ok: true, readings: [], notes: r.notes, info };
}

function statusFlags(
  value: number,
  table: readonly (readonly [number, Flag])[],
  support: number | undefined,
  what: string,
  digits: number,
  notes: string[],
): Flag[] {
  const { names, unknown } = bitNames(value, table);
  if (unknown) notes.push(reservedNote(what, unknown, digits));
  if (support === undefined) return names;
  const unsupported = (value - unknown) & ~support;
  if (unsupported) notes.push(`${what} bits ${hex(unsupported, digits)} are not supported per PLX Features; ignored`);
  return bitNames((value - unknown) & support, table).names;
}

function decode(layout: Layout, spotCheck: boolean, bytes: Uint8Array, ctx: BleContext): DecodeResult {
  const p = readLayout(layout, bytes);
  if (!p.ok) return p;
  const notes = [...p.notes];
  const f = p.fields;

  let features: PlxFeatures | undefined;
  const featureBytes = contextBytes(ctx, 'plxFeatures', notes);
  if (featureBytes) {
    const r = parseFeatures(featureBytes);
    if (r.ok) features = r.features;
    else notes.push(`context plxFeatures ignored: ${r.error}`);
  }

  const status: Flag[] = [];
  if (f.measurementStatus !== undefined)
    status.push(
      ...statusFlags(
        f.measurementStatus as number,
        MEASUREMENT_STATUS_BITS,
        features?.measurementStatusSupport,
        'measurement status',
        4,
        notes,
      ),
    );
  if (f.deviceSensorStatus !== undefined)
    status.push(
      ...statusFlags(
        f.deviceSensorStatus as number,
        DEVICE_SENSOR_STATUS_BITS,
        features?.deviceSensorStatusSupport,
        'device and sensor status',
        6,
        notes,
      ),
    );

  let time: string | undefined;
  if (spotCheck && f.timestamp) {
    if (p.flags & 0x10) notes.push('device clock is not set (flag bit 4): reading has no time');
    else time = measurementTime(f.timestamp as DateTimeFields, ctx.tz, notes);
  }

  // The device declares continuity by the characteristic: the server judges persistence by this flag.
  const kind: Flag[] = spotCheck ? [] : ['continuous'];
  const readings = [
    makeReading('spo2', f.spo2 as Measured, { flags: [...kind, ...status], time }),
    makeReading('pulse_rate', f.pr as Measured, { flags: [...kind, ...status], time }),
  ];
  if (f.spo2Fast) {
    readings.push(makeReading('spo2', f.spo2Fast as Measured, { flags: [...kind, 'fast', ...status], time }));
    readings.push(makeReading('pulse_rate', f.prFast as Measured, { flags: [...kind, 'fast', ...status], time }));
  }
  if (f.spo2Slow) {
    readings.push(makeReading('spo2', f.spo2Slow as Measured, { flags: [...kind, 'slow', ...status], time }));
    readings.push(makeReading('pulse_rate', f.prSlow as Measured, { flags: [...kind, 'slow', ...status], time }));
  }
  if (f.pai) readings.push(makeReading('perfusion_index', f.pai as Measured, { flags: [...kind, ...status], time }));
  noteTrailing(notes, bytes, p.end);
  return { ok: true, readings, notes };
}

export const decodePlxSpotCheck = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(PLX_SPOT_CHECK, true, bytes, ctx);

export const decodePlxContinuous = (bytes: Uint8Array, ctx: BleContext): DecodeResult =>
  decode(PLX_CONTINUOUS, false, bytes, ctx);
