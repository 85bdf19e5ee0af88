/**
 * Pulse Oximeter Service (PLXS v1.0.1) values, GSS §3.169-3.171:
 * PLX Spot-Check Measurement 2A5E:
 *   flags uint8: bit0 time stamp, bit1 measurement status, bit2 device and sensor status,
 *                bit3 pulse amplitude index, bit4 device clock is not set
 *   SpO2 SFLOAT (%), PR SFLOAT (/min), time stamp Date Time (7), measurement status uint16,
 *   device and sensor status uint24, pulse amplitude index SFLOAT (%)
 * PLX Continuous Measurement 2A5F:
 *   flags uint8: bit0 SpO2PR-Fast, bit1 SpO2PR-Slow, bit2 measurement status,
 *                bit3 device and sensor status, bit4 pulse amplitude index
 *   SpO2PR-Normal (SpO2, PR: SFLOAT), SpO2PR-Fast, SpO2PR-Slow, measurement status uint16,
 *   device and sensor status uint24, pulse amplitude index SFLOAT
 * PLX Features 2A60: supported features uint16 (bit0 measurement status, bit1 device and sensor
 *   status, bit2 spot-check measurement storage, bit3 spot-check time stamp, bit4 SpO2PR-Fast,
 *   bit5 SpO2PR-Slow, bit6 pulse amplitude index, bit7 multiple bonds), then measurement status
 *   support uint16 if bit0, then device and sensor status support uint24 if bit1.
 */
import type { WallTime } from '../wall-clock.ts';
import { writeDateTime } from './date-time.ts';
import type { SpecialValue } from './ieee11073.ts';
import { ByteWriter, bit } from './writer.ts';

/** Measurement Status bits (PLXS §3.1.1.3); bits 0-4 are reserved. */
export const PLX_MEASUREMENT_STATUS = {
  measurementOngoing: 5,
  earlyEstimatedData: 6,
  validatedData: 7,
  fullyQualifiedData: 8,
  dataFromMeasurementStorage: 9,
  dataForDemonstration: 10,
  dataForTesting: 11,
  calibrationOngoing: 12,
  measurementUnavailable: 13,
  questionableMeasurementDetected: 14,
  invalidMeasurementDetected: 15,
} as const;

/** Device and Sensor Status bits (PLXS §3.1.1.4). */
export const PLX_DEVICE_SENSOR_STATUS = {
  extendedDisplayUpdateOngoing: 0,
  equipmentMalfunctionDetected: 1,
  signalProcessingIrregularityDetected: 2,
  inadequateSignalDetected: 3,
  poorSignalDetected: 4,
  lowPerfusionDetected: 5,
  erraticSignalDetected: 6,
  nonpulsatileSignalDetected: 7,
  questionablePulseDetected: 8,
  signalAnalysisOngoing: 9,
  sensorInterferenceDetected: 10,
  sensorUnconnectedToUser: 11,
  unknownSensorConnected: 12,
  sensorDisplaced: 13,
  sensorMalfunctioning: 14,
  sensorDisconnected: 15,
} as const;

export type PlxMeasurementStatus = keyof typeof PLX_MEASUREMENT_STATUS;
export type PlxDeviceSensorStatus = keyof typeof PLX_DEVICE_SENSOR_STATUS;

export function plxMeasurementStatusBits(s: readonly PlxMeasurementStatus[]): number {
  return s.reduce((acc, k) => acc | (1 << PLX_MEASUREMENT_STATUS[k]), 0);
}

export function plxDeviceSensorStatusBits(s: readonly PlxDeviceSensorStatus[]): number {
  return s.reduce((acc, k) => acc | (1 << PLX_DEVICE_SENSOR_STATUS[k]), 0);
}

export interface SpO2PR {
  spo2: number | SpecialValue;
  pulseRate: number | SpecialValue;
}

export interface PlxSpotCheck extends SpO2PR {
  time?: WallTime;
  measurementStatus?: readonly PlxMeasurementStatus[];
  deviceSensorStatus?: readonly PlxDeviceSensorStatus[];
  pulseAmplitudeIndex?: number | SpecialValue;
  deviceClockNotSet?: boolean;
}

/** PLX Spot-Check Measurement 2A5E. */
export function encodePlxSpotCheck(m: PlxSpotCheck): Uint8Array {
  const flags =
    bit(m.time !== undefined, 0) |
    bit(m.measurementStatus !== undefined, 1) |
    bit(m.deviceSensorStatus !== undefined, 2) |
    bit(m.pulseAmplitudeIndex !== undefined, 3) |
    bit(m.deviceClockNotSet, 4);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2).sfloat(m.pulseRate);
  if (m.time) writeDateTime(w, m.time);
  if (m.measurementStatus) w.u16(plxMeasurementStatusBits(m.measurementStatus));
  if (m.deviceSensorStatus) w.u24(plxDeviceSensorStatusBits(m.deviceSensorStatus));
  if (m.pulseAmplitudeIndex !== undefined) w.sfloat(m.pulseAmplitudeIndex);
  return w.toBytes();
}

export interface PlxContinuous extends SpO2PR {
  fast?: SpO2PR;
  slow?: SpO2PR;
  measurementStatus?: readonly PlxMeasurementStatus[];
  deviceSensorStatus?: readonly PlxDeviceSensorStatus[];
  pulseAmplitudeIndex?: number | SpecialValue;
}

/** PLX Continuous Measurement 2A5F. */
export function encodePlxContinuous(m: PlxContinuous): Uint8Array {
  const flags =
    bit(m.fast !== undefined, 0) |
    bit(m.slow !== undefined, 1) |
    bit(m.measurementStatus !== undefined, 2) |
    bit(m.deviceSensorStatus !== undefined, 3) |
    bit(m.pulseAmplitudeIndex !== undefined, 4);
  const w = new ByteWriter().u8(flags).sfloat(m.spo2).sfloat(m.pulseRate);
  if (m.fast) w.sfloat(m.fast.spo2).sfloat(m.fast.pulseRate);
  if (m.slow) w.sfloat(m.slow.spo2).sfloat(m.slow.pulseRate);
  if (m.measurementStatus) w.u16(plxMeasurementStatusBits(m.measurementStatus));
  if (m.deviceSensorStatus) w.u24(plxDeviceSensorStatusBits(m.deviceSensorStatus));
  if (m.pulseAmplitudeIndex !== undefined) w.sfloat(m.pulseAmplitudeIndex);
  return w.toBytes();
}

export interface PlxFeatures {
  /** Measurement status bits the device can set; presence sets feature bit0. */
  measurementStatusSupport?: readonly PlxMeasurementStatus[];
  /** Device and sensor status bits the device can set; presence sets feature bit1. */
  deviceSensorStatusSupport?: readonly PlxDeviceSensorStatus[];
  spotCheckStorage?: boolean;
  spotCheckTimeStamp?: boolean;
  fast?: boolean;
  slow?: boolean;
  pulseAmplitudeIndex?: boolean;
  multipleBonds?: boolean;
}

/** PLX Features 2A60. */
export function encodePlxFeatures(f: PlxFeatures): Uint8Array {
  const supported =
    bit(f.measurementStatusSupport !== undefined, 0) |
    bit(f.deviceSensorStatusSupport !== undefined, 1) |
    bit(f.spotCheckStorage, 2) |
    bit(f.spotCheckTimeStamp, 3) |
    bit(f.fast, 4) |
    bit(f.slow, 5) |
    bit(f.pulseAmplitudeIndex, 6) |
    bit(f.multipleBonds, 7);
  const w = new ByteWriter().u16(supported);
  if (f.measurementStatusSupport) w.u16(plxMeasurementStatusBits(f.measurementStatusSupport));
  if (f.deviceSensorStatusSupport) w.u24(plxDeviceSensorStatusBits(f.deviceSensorStatusSupport));
  return w.toBytes();
}
