/** Payload types of the wire contract v1 (see shared/CONTRACT.md). */
import type { GatewaySettingsReport } from './gateway-settings.ts';
import type { AcvpuCode, Metric } from './metrics.ts';

export const CONTRACT_VERSION = 1 as const;
export const MAX_BATCH_READINGS = 1000;
export const MAX_BATCH_BYTES = 256 * 1024;

export type Transport = 'ble' | 'serial';
export type TimeSource = 'device' | 'gateway';

export interface DeviceRef {
  /** `ble:<address lower-case>` or `serial:<stable port id>`. */
  id: string;
  transport: Transport;
  model?: string;
}

/** A value as the device reported it, kept when it differs from the canonical unit. */
export interface SourceValue {
  value: number;
  unit: string;
}

export interface Reading {
  id: string;
  device: DeviceRef;
  /** Measurement time, UTC, ISO 8601 with milliseconds. */
  time: string;
  timeSource: TimeSource;
  metric: Metric;
  /** Absent when the device sent a special value (NaN, NRes, ±INF); `flags` says why. */
  value?: number;
  /** The code of a coded metric (`consciousness`: ACVPU), which has no `value`. */
  code?: AcvpuCode;
  /** The canonical unit of the metric; "" for a coded metric. */
  unit: string;
  source?: SourceValue;
  group?: string;
  flags?: string[];
  notes?: string[];
}

export interface ReadingBatch {
  v: typeof CONTRACT_VERSION;
  gatewayId: string;
  batchId: string;
  sentAt: string;
  readings: Reading[];
}

export interface GatewayStatus {
  state: 'online' | 'offline';
  time: string;
  version: string;
  bootId: string;
  /** Extension (issue 18): the remote settings the gateway applied. */
  settings?: GatewaySettingsReport;
}

export interface GatewayEvent {
  time: string;
  device?: string;
  type: string;
  detail?: unknown;
}

export interface GatewayConfig {
  v: typeof CONTRACT_VERSION;
  devices: { id: string; allow: boolean; label?: string }[];
  timezone: string;
  [extension: string]: unknown;
}

export interface BatchAck {
  v: typeof CONTRACT_VERSION;
  batchId: string;
  accepted: number;
  duplicates: number;
  rejected: { id: string; reason: string }[];
}

/** One reading as the decoder command prints it: before ids, devices and times are attached. */
export interface DecodedReading {
  metric: Metric;
  value?: number;
  unit: string;
  time?: string;
  source?: SourceValue;
  flags?: string[];
}
