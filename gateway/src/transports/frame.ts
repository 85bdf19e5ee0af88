/**
 * What transports hand to the gateway's pipeline. Transports never decode: they deliver
 * bytes with enough context (which device, which characteristic or protocol) for the
 * pure decoders to do their work.
 */
import type { DeviceRef } from '@vitals/contract';

/** One BLE notification, indication or read value. */
export interface BleFrame {
  kind: 'ble';
  device: DeviceRef;
  /** 16-bit characteristic UUID, upper-case hex without 0x (e.g. "2A35"). */
  characteristic: string;
  bytes: Uint8Array;
  /** Values of context characteristics read from the same device, hex (e.g. weightScaleFeature). */
  context: Record<string, string>;
  receivedAt: Date;
}

/** One chunk of a serial port's byte stream, as the port delivered it. */
export interface SerialChunk {
  kind: 'serial';
  device: DeviceRef;
  protocol: string;
  bytes: Uint8Array;
  receivedAt: Date;
}

export type Frame = BleFrame | SerialChunk;

/** Device-level happenings the gateway reports on the `events` topic. */
export interface DeviceEvent {
  type: 'device_connected' | 'device_lost' | 'battery' | 'decode_error' | 'clock_adjusted' | string;
  device?: string;
  detail?: unknown;
  time: Date;
}

/** A transport is started with sinks for frames and events and can be stopped. */
export interface TransportSinks {
  frame(frame: Frame): void;
  event(event: DeviceEvent): void;
}
