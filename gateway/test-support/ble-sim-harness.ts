/**
 * Test harness: the REAL noble (with-bindings) over the firmware simulator's bindings, with the
 * BLE transport started on it and everything it reports collected. Used by *.int.test.ts.
 */
import { createRequire } from 'node:module';
import {
  createSimulatedBindings,
  type SimulatedBindings,
  SimWorld,
  type SimWorldOptions,
} from '@vitals/firmware-sim/ble/index.ts';
import type { NobleLike } from '../src/transports/ble/noble-like.ts';
import {
  type BleTiming,
  type BleTransport,
  type BleTransportOptions,
  startBleTransport,
} from '../src/transports/ble/transport.ts';
import type { BleFrame, DeviceEvent, Frame } from '../src/transports/frame.ts';

const require = createRequire(import.meta.url);
const withBindings = require('@abandonware/noble/with-bindings') as (bindings: SimulatedBindings) => NobleLike;

/** Short timings so integration tests run in well under a second per scenario. */
export const FAST_TIMING: Partial<BleTiming> = {
  connectTimeoutMs: 1_000,
  operationTimeoutMs: 500,
  recordTransferTimeoutMs: 2_000,
  idleReleaseMs: 150,
  cooldownMs: 50,
  backoffBaseMs: 40,
  backoffMaxMs: 200,
  backoffResetAfterMs: 5_000,
  stopTimeoutMs: 500,
};

export interface Harness {
  world: SimWorld;
  bindings: SimulatedBindings;
  noble: NobleLike;
  frames: BleFrame[];
  events: DeviceEvent[];
  start(opts?: Partial<Omit<BleTransportOptions, 'noble' | 'sinks'>>): BleTransport;
  /** Polls until `check` holds; throws with `what` after `timeoutMs`. */
  waitFor(what: string, check: () => boolean, timeoutMs?: number): Promise<void>;
  eventsOf(type: string): DeviceEvent[];
  framesOf(characteristic: string): BleFrame[];
  close(): Promise<void>;
}

export function createHarness(world: SimWorldOptions = {}): Harness {
  const w = new SimWorld({ timing: { advertisingIntervalMs: 20, radioLatencyMs: 1 }, ...world });
  const bindings = createSimulatedBindings(w);
  const noble = withBindings(bindings);
  const frames: BleFrame[] = [];
  const events: DeviceEvent[] = [];
  const transports: BleTransport[] = [];
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return {
    world: w,
    bindings,
    noble,
    frames,
    events,
    start(opts = {}) {
      const t = startBleTransport({
        noble,
        allow: () => true,
        tz: w.tz,
        timing: FAST_TIMING,
        sinks: {
          frame: (f: Frame) => {
            if (f.kind === 'ble') frames.push(f);
          },
          event: (e) => events.push(e),
        },
        ...opts,
      });
      transports.push(t);
      return t;
    },
    async waitFor(what, check, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) {
          const seen = frames.map((f) => `${f.characteristic}:${hex(f.bytes)}`);
          const types = events.map((e) => `${e.type}${e.detail ? JSON.stringify(e.detail) : ''}`);
          throw new Error(
            `timed out waiting for ${what}; frames ${JSON.stringify(seen)}; events ${JSON.stringify(types)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    eventsOf: (type) => events.filter((e) => e.type === type),
    framesOf: (c) => frames.filter((f) => f.characteristic === c),
    async close() {
      for (const t of transports) await t.stop();
      bindings.close();
      w.close();
    },
  };
}

export const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
