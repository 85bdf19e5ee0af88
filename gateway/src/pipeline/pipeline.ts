/**
 * The gateway's pipeline: frames from transports -> pure decoders -> contract Readings ->
 * the durable outbox -> the link is told there is something to send. Decode failures and
 * device trouble become events; one bad device never stops the others.
 */
import type { GatewayEvent, Reading } from '@vitals/contract';
import type { Logger } from 'pino';
import { DeviceClockTracker } from '../clock/device-clock.ts';
import { decodeBle, normalizeCharacteristic } from '../decoders/ble/index.ts';
import { BodyCompositionAssembler, GlucoseRecordAssembler } from '../decoders/ble/stream.ts';
import type { DecodeResult, StreamDecoder } from '../decoders/result.ts';
import { PerSecondDownsampler } from '../decoders/serial/downsample.ts';
import { SERIAL_PROTOCOLS } from '../decoders/serial/index.ts';
import type { ClockHold, Outbox } from '../outbox/outbox.ts';
import type { BleFrame, DeviceEvent, Frame, SerialChunk } from '../transports/frame.ts';
import { toWireReadings } from './wire-readings.ts';

/** The Device Information Service strings forwarded as a `device_info` event. */
const DEVICE_INFO_FIELDS = ['manufacturerName', 'modelNumber', 'serialNumber', 'firmwareRevision'] as const;

export interface PipelineOptions {
  outbox: Outbox;
  log: Logger;
  /** The zone device-local times are read in (from config; the server's config may change it). */
  timezone(): string;
  /** Whether the gateway's clock is synchronised (no RTC on a Pi until NTP answers). */
  gatewayClockOk(): boolean;
  /**
   * While the gateway clock is unsynchronised: where (boot, monotonic ms) a reading that
   * arrived at `receivedAt` was taken, so the outbox can hold it and re-stamp it later.
   */
  clockHold?(receivedAt: Date): ClockHold | undefined;
  /** Called after readings were stored durably. */
  stored(readings: Reading[]): void;
  event(e: GatewayEvent): void;
}

/** Decode errors of one device are reported at most this often. */
const DECODE_ERROR_REPORT_MS = 60_000;

interface SerialState {
  decoder: StreamDecoder;
  /** Continuous oximeters: one reading per metric per second (see downsample.ts). */
  downsampler?: PerSecondDownsampler;
  device: SerialChunk['device'];
  /** When the last chunk arrived: what a decoder still holds at a flush is from then. */
  lastAt: Date;
}

interface BleState {
  bodyComposition: BodyCompositionAssembler;
  glucose: GlucoseRecordAssembler;
  device: BleFrame['device'];
  lastAt: Date;
}

export class Pipeline {
  private readonly serialDecoders = new Map<string, SerialState>();
  private readonly bleDevices = new Map<string, BleState>();
  private readonly lastDecodeError = new Map<string, number>();
  private readonly deviceClocks = new DeviceClockTracker();
  readonly stats = { frames: 0, readings: 0, decodeErrors: 0, skippedBytes: 0, outboxDropped: 0, outboxFailures: 0 };
  readonly lastReadingAt = new Map<string, string>();

  constructor(private readonly o: PipelineOptions) {}

  frame(f: Frame): Reading[] {
    this.stats.frames++;
    try {
      return f.kind === 'ble' ? this.ble(f) : this.serial(f);
    } catch (e) {
      // A decoder must never throw; if one does, the device is reported, not the gateway stopped.
      this.decodeError(f.device.id, `unexpected decoder failure: ${(e as Error).message}`);
      return [];
    }
  }

  deviceEvent(e: DeviceEvent): void {
    if ((e.type === 'device_lost' || e.type === 'device_disconnected') && e.device) this.flushDevice(e.device);
    this.o.event({
      time: e.time.toISOString(),
      ...(e.device ? { device: e.device } : {}),
      type: e.type,
      ...(e.detail === undefined ? {} : { detail: e.detail }),
    });
  }

  /** Completes what a device left half-assembled (it went away): nothing is held back. */
  flushDevice(deviceId: string): Reading[] {
    const out: Reading[] = [];
    const ble = this.bleDevices.get(deviceId);
    if (ble) {
      this.bleDevices.delete(deviceId);
      for (const r of [...ble.bodyComposition.flush(), ...ble.glucose.flush()])
        out.push(...this.bleResult(ble.device, r, ble.lastAt, ''));
    }
    for (const [key, st] of this.serialDecoders) {
      if (st.device.id !== deviceId) continue;
      this.serialDecoders.delete(key);
      out.push(...this.serialOutput(st, st.decoder.end(), st.lastAt));
      if (st.downsampler) out.push(...this.storeSeconds(st.device, st.downsampler.flush()));
    }
    return out;
  }

  /** Flushes every device (at shutdown). */
  flushAll(): void {
    for (const id of new Set([...this.bleDevices.keys(), ...[...this.serialDecoders.values()].map((s) => s.device.id)]))
      this.flushDevice(id);
  }

  private ble(f: BleFrame): Reading[] {
    const opts = { tz: this.o.timezone(), ...(f.device.model ? { model: f.device.model } : {}) };
    let st = this.bleDevices.get(f.device.id);
    if (!st) {
      st = {
        bodyComposition: new BodyCompositionAssembler(),
        glucose: new GlucoseRecordAssembler(),
        device: f.device,
        lastAt: f.receivedAt,
      };
      this.bleDevices.set(f.device.id, st);
    }
    st.device = f.device;
    st.lastAt = f.receivedAt;
    const uuid = normalizeCharacteristic(f.characteristic);
    // Multi-packet body composition and glucose context are joined across frames (stream.ts).
    const results: DecodeResult[] =
      uuid === '2A9C'
        ? st.bodyComposition.push(f.bytes, f.context, opts)
        : uuid === '2A18' || uuid === '2A34'
          ? st.glucose.push(uuid, f.bytes, f.context, opts)
          : [decodeBle(f.characteristic, f.bytes, f.context, opts)];
    const hex = Buffer.from(f.bytes).toString('hex');
    return results.flatMap((r) => this.bleResult(f.device, r, f.receivedAt, hex));
  }

  private bleResult(device: BleFrame['device'], result: DecodeResult, at: Date, hex: string): Reading[] {
    if (!result.ok) {
      this.decodeError(device.id, result.error, hex || undefined);
      return [];
    }
    if (typeof result.info?.batteryLevel === 'number')
      this.deviceEvent({ type: 'battery', device: device.id, detail: { level: result.info.batteryLevel }, time: at });
    // Device Information strings (2A29, 2A24, 2A25, 2A26) go to the server, which shows them as
    // the FHIR Device's manufacturer, model, serial number and firmware (issue 17).
    const deviceInfo = Object.fromEntries(
      DEVICE_INFO_FIELDS.flatMap((k) => (typeof result.info?.[k] === 'string' ? [[k, result.info[k]]] : [])),
    );
    if (Object.keys(deviceInfo).length > 0)
      this.deviceEvent({ type: 'device_info', device: device.id, detail: deviceInfo, time: at });
    return this.store(device, at, result.readings);
  }

  private serial(f: SerialChunk): Reading[] {
    const key = `${f.device.id}|${f.protocol}`;
    let st = this.serialDecoders.get(key);
    if (!st) {
      const protocol = SERIAL_PROTOCOLS[f.protocol];
      if (!protocol) {
        this.decodeError(f.device.id, `unknown serial protocol ${f.protocol}`);
        return [];
      }
      st = {
        decoder: protocol.createDecoder({ tz: this.o.timezone() }),
        device: f.device,
        lastAt: f.receivedAt,
        ...(protocol.continuous ? { downsampler: new PerSecondDownsampler() } : {}),
      };
      this.serialDecoders.set(key, st);
    }
    st.lastAt = f.receivedAt;
    return this.serialOutput(st, st.decoder.push(f.bytes), f.receivedAt);
  }

  private serialOutput(st: SerialState, out: ReturnType<StreamDecoder['push']>, at: Date): Reading[] {
    const device = st.device;
    if (out.skippedBytes > 0) {
      this.stats.skippedBytes += out.skippedBytes;
      this.decodeError(device.id, `skipped ${out.skippedBytes} corrupt bytes while resynchronising`);
    }
    for (const e of out.events) this.deviceEvent({ type: e.type, device: device.id, detail: e.detail, time: at });
    if (!st.downsampler) return this.store(device, at, out.readings);
    return this.storeSeconds(device, st.downsampler.push(out.readings, at.getTime()));
  }

  private storeSeconds(
    device: SerialChunk['device'],
    seconds: { second: number; reading: Parameters<typeof toWireReadings>[0][number] }[],
  ): Reading[] {
    const bySecond = new Map<number, Parameters<typeof toWireReadings>[0]>();
    for (const s of seconds) {
      const list = bySecond.get(s.second);
      if (list) list.push(s.reading);
      else bySecond.set(s.second, [s.reading]);
    }
    return [...bySecond].flatMap(([second, readings]) => this.store(device, new Date(second), readings));
  }

  private store(device: Frame['device'], receivedAt: Date, decoded: Parameters<typeof toWireReadings>[0]): Reading[] {
    if (decoded.length === 0) return [];
    const gatewayClockOk = this.o.gatewayClockOk();
    const deviceTimes = decoded.flatMap((d) => (d.time ? [Date.parse(d.time)] : [])).filter(Number.isFinite);
    const { verdict, change } = this.deviceClocks.observe(
      device.id,
      deviceTimes,
      gatewayClockOk ? receivedAt.getTime() : undefined,
    );
    if (change) {
      this.o.log.warn(
        change,
        'device clock judged differently; readings are corrected or stamped with the gateway time',
      );
      this.o.event({
        time: new Date().toISOString(),
        device: device.id,
        type: 'clock_adjusted',
        detail: { clock: 'device', from: change.from, to: change.to, aheadMs: change.aheadMs },
      });
    }
    const readings = toWireReadings(decoded, {
      device,
      receivedAt,
      gatewayClockOk,
      ...(verdict.kind === 'drift' ? { deviceClockCorrectionMs: verdict.correctionMs } : {}),
      newIds: (n) => this.o.outbox.newReadingIds(n),
    });
    const hold = gatewayClockOk ? undefined : this.o.clockHold?.(receivedAt);
    const { added, dropped, failed } = this.o.outbox.append(readings, hold);
    if (dropped > 0) {
      this.stats.outboxDropped += dropped;
      this.o.log.error({ dropped }, 'outbox full: oldest unsent readings dropped to keep the newest');
      this.o.event({ time: new Date().toISOString(), type: 'outbox_overflow', detail: { dropped } });
    }
    if (failed) {
      this.stats.outboxFailures++;
      this.o.log.error(
        { err: failed, lost: readings.length },
        'cannot store readings (disk full?); free space on the gateway',
      );
      this.o.event({
        time: new Date().toISOString(),
        device: device.id,
        type: 'outbox_write_failed',
        detail: { error: failed, lost: readings.length },
      });
      return [];
    }
    this.stats.readings += added;
    this.lastReadingAt.set(device.id, new Date().toISOString());
    if (added > 0) this.o.stored(readings);
    return readings;
  }

  private decodeError(deviceId: string, error: string, hex?: string) {
    this.stats.decodeErrors++;
    const last = this.lastDecodeError.get(deviceId) ?? 0;
    if (Date.now() - last < DECODE_ERROR_REPORT_MS) return;
    this.lastDecodeError.set(deviceId, Date.now());
    this.o.log.warn({ device: deviceId, error }, 'device sent data that cannot be decoded');
    this.o.event({
      time: new Date().toISOString(),
      device: deviceId,
      type: 'decode_error',
      detail: { error, ...(hex ? { hex: hex.slice(0, 512) } : {}) },
    });
  }
}
