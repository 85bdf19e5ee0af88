/**
 * The gateway's BLE device manager on noble: scans for health services, connects to allowed
 * devices (several at once), reads their context, sets wrong clocks, subscribes, downloads
 * stored records, lets non-continuous devices go when done and reconnects continuous ones with
 * backoff. It delivers bytes as BleFrames and happenings as DeviceEvents; it never decodes a
 * measurement, and one failing device never stops the others.
 */
import type { DeviceRef } from '@vitals/contract';
import { encodeCurrentTime, encodeRacpReportAll, encodeRacpReportFromSequence } from '../../decoders/ble/index.ts';
import {
  BATTERY,
  BLE_PROFILES,
  type BleServiceProfile,
  CURRENT_TIME,
  DEVICE_INFORMATION,
  RACP,
} from '../../devices/profiles.ts';
import type { BleFrame, DeviceEvent, TransportSinks } from '../frame.ts';
import { backoffDelay } from './backoff.ts';
import { Connection, GattStepError, LinkLostError } from './connection.ts';
import {
  deviceTime,
  glucoseSequenceNumber,
  parseRacpResponse,
  RACP_NO_RECORDS_FOUND,
  RACP_SUCCESS,
  type RacpResponse,
  shortUuid,
} from './control.ts';
import type { CharacteristicLike, NobleLike, PeripheralLike } from './noble-like.ts';

/** pino's call shape: fields first, then the message. */
type LogFn = (fields: Record<string, unknown>, msg?: string) => void;
export interface BleLogger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** Where the last downloaded glucose sequence number of each device is kept. */
export interface RecordSequenceStore {
  get(deviceId: string): number | undefined;
  set(deviceId: string, sequenceNumber: number): void;
}

export function memorySequenceStore(): RecordSequenceStore {
  const m = new Map<string, number>();
  return { get: (id) => m.get(id), set: (id, seq) => void m.set(id, seq) };
}

export interface BleTiming {
  /** Give up a connection attempt (the device stopped advertising) after this long. */
  connectTimeoutMs: number;
  /** Every GATT step (discovery, read, write, subscribe). */
  operationTimeoutMs: number;
  /** A whole RACP record download. */
  recordTransferTimeoutMs: number;
  /** A non-continuous device is let go after this long without a frame. */
  idleReleaseMs: number;
  /** After a completed session, ignore the device's advertisements this long. */
  cooldownMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A connection that lasted this long resets the backoff. */
  backoffResetAfterMs: number;
  /** How long stop() waits for links to close. */
  stopTimeoutMs: number;
}

export const DEFAULT_BLE_TIMING: BleTiming = {
  connectTimeoutMs: 10_000,
  operationTimeoutMs: 5_000,
  recordTransferTimeoutMs: 60_000,
  idleReleaseMs: 3_000,
  cooldownMs: 2_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  backoffResetAfterMs: 60_000,
  stopTimeoutMs: 2_000,
};

export interface BleTransportOptions {
  noble: NobleLike;
  /** Device ids are `ble:<address lower-case>`; only allowed devices are connected. */
  allow: (deviceId: string) => boolean;
  sinks: TransportSinks;
  /** IANA zone device clocks are read and set in. */
  tz: string;
  log?: BleLogger;
  sequenceStore?: RecordSequenceStore;
  timing?: Partial<BleTiming>;
  /** A device clock further off than this is set (Current Time 2A2B). Default 60 s. */
  clockToleranceMs?: number;
  /** Whether the gateway's own clock can be trusted; while it cannot, device clocks are left alone. */
  gatewayClockSynced?: () => boolean;
  /** Battery events at or below this carry `low: true`. Default 20 %. */
  lowBatteryPercent?: number;
  profiles?: readonly BleServiceProfile[];
  now?: () => number;
  random?: () => number;
}

export type BleDevicePhase = 'idle' | 'connecting' | 'connected';

export interface BleDeviceStatus {
  id: string;
  phase: BleDevicePhase;
  model?: string;
  continuous?: boolean;
  failures: number;
  lastSeen: string;
}

export interface BleTransport {
  /** Stops scanning, lets every device go and waits (bounded) for the links to close. */
  stop(): Promise<void>;
  /** A new reconnect back-off ceiling, for the next failures (remote settings, issue 18). */
  setBackoffMaxMs(ms: number): void;
  devices(): BleDeviceStatus[];
}

interface DeviceState {
  id: string;
  peripheral: PeripheralLike;
  phase: BleDevicePhase;
  failures: number;
  notBefore: number;
  lastSeen: number;
  model?: string;
  continuous?: boolean;
  session?: Promise<void>;
  release?: () => void;
}

interface Outcome {
  kind: 'done' | 'lost' | 'error';
  initiatedBy?: 'gateway' | 'device';
}

const COMMON_SERVICES = new Set<string>([DEVICE_INFORMATION.service, BATTERY.service, CURRENT_TIME.service]);
const noop: LogFn = () => {};
const silent: BleLogger = { debug: noop, info: noop, warn: noop, error: noop };

export function deviceIdOf(p: PeripheralLike): string {
  const address = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(p.address) ? p.address : p.id;
  return `ble:${address.toLowerCase().replaceAll('-', ':')}`;
}

export function startBleTransport(opts: BleTransportOptions): BleTransport {
  const { noble, sinks, tz } = opts;
  const log = opts.log ?? silent;
  const timing: BleTiming = { ...DEFAULT_BLE_TIMING, ...opts.timing };
  const now = opts.now ?? Date.now;
  const random = opts.random ?? Math.random;
  const store = opts.sequenceStore ?? memorySequenceStore();
  const clockTolerance = opts.clockToleranceMs ?? 60_000;
  const lowBattery = opts.lowBatteryPercent ?? 20;
  const profiles = opts.profiles ?? (BLE_PROFILES as readonly BleServiceProfile[]);
  const scanServices = profiles.map((p) => p.service.toLowerCase());
  const devices = new Map<string, DeviceState>();
  const refused = new Set<string>();
  let stopped = false;
  let scanning = false;

  const event = (type: DeviceEvent['type'], device: string | undefined, detail?: unknown) => {
    try {
      sinks.event({
        type,
        ...(device ? { device } : {}),
        ...(detail !== undefined ? { detail } : {}),
        time: new Date(now()),
      });
    } catch (e) {
      log.error({ err: e, type, device }, 'event sink threw; event dropped');
    }
  };

  const startScan = () => {
    if (stopped || scanning) return;
    scanning = true;
    // Duplicates on: a short-window device must be seen again after its cooldown or backoff.
    noble.startScanning(scanServices, true, (e) => {
      if (e) {
        scanning = false;
        log.error({ err: e }, 'BLE scan could not start; check the adapter (hciconfig) and permissions');
      }
    });
    log.info({ services: scanServices }, 'BLE scanning');
  };

  const onStateChange = (state: string) => {
    if (state === 'poweredOn') startScan();
    else {
      scanning = false;
      log.warn({ state }, 'BLE adapter is not powered on; waiting for it');
    }
  };

  const onDiscover = (p: PeripheralLike) => {
    if (stopped) return;
    const id = deviceIdOf(p);
    let allowed = false;
    try {
      allowed = opts.allow(id);
    } catch (e) {
      log.error({ err: e, device: id }, 'allow-list check threw; device ignored');
    }
    if (!allowed) {
      if (refused.size > 1000) refused.clear();
      if (!refused.has(id)) {
        refused.add(id);
        log.debug({ device: id, name: p.advertisement?.localName }, 'device not on the allow list; ignored');
      }
      return;
    }
    refused.delete(id);
    let dev = devices.get(id);
    if (!dev) {
      dev = { id, peripheral: p, phase: 'idle', failures: 0, notBefore: 0, lastSeen: now() };
      devices.set(id, dev);
    }
    dev.peripheral = p;
    dev.lastSeen = now();
    if (dev.phase !== 'idle' || now() < dev.notBefore) return;
    const d = dev;
    d.phase = 'connecting';
    d.session = runSession(d)
      .catch((e) => {
        log.error({ err: e, device: id }, 'BLE session failed unexpectedly');
        d.failures++;
        d.notBefore = now() + backoffDelay(d.failures, backoffPolicy, random);
      })
      .finally(() => {
        d.phase = 'idle';
        d.session = undefined;
        d.release = undefined;
      });
  };

  const backoffPolicy = { baseMs: timing.backoffBaseMs, maxMs: timing.backoffMaxMs };

  async function connect(dev: DeviceState): Promise<boolean> {
    const p = dev.peripheral;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gaveUp = false;
    try {
      await new Promise<void>((resolve, reject) => {
        timer = setTimeout(() => {
          gaveUp = true;
          p.cancelConnect();
          reject(new GattStepError('connect', `no connection within ${timing.connectTimeoutMs} ms`));
        }, timing.connectTimeoutMs);
        p.connect((e) => {
          // A connection that completes after we gave up (cancel raced it) is nobody's: end it.
          if (gaveUp && !e) p.disconnect();
          if (e) reject(new GattStepError('connect', String(e instanceof Error ? e.message : e)));
          else resolve();
        });
      });
      return true;
    } catch (e) {
      if (stopped) return false;
      log.warn({ device: dev.id, err: e }, 'BLE connect failed');
      event('device_error', dev.id, { stage: 'connect', error: (e as Error).message });
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async function runSession(dev: DeviceState): Promise<void> {
    if (!(await connect(dev))) {
      dev.failures++;
      dev.notBefore = now() + backoffDelay(dev.failures, backoffPolicy, random);
      return;
    }
    const startedAt = now();
    const conn = new Connection(dev.peripheral, timing.operationTimeoutMs);
    dev.phase = 'connected';
    let released = false;
    const releaseNow = () => {
      released = true;
      if (!conn.isLost) dev.peripheral.disconnect();
    };
    dev.release = releaseNow;
    if (stopped) releaseNow();
    let frames = 0;
    const outcome: Outcome = await session(
      dev,
      conn,
      () => frames++,
      () => released,
    ).catch((e: unknown) => {
      if (e instanceof LinkLostError)
        return { kind: released ? 'done' : 'lost', initiatedBy: released ? 'gateway' : 'device' };
      const stage = e instanceof GattStepError ? e.stage : 'session';
      log.warn({ device: dev.id, err: e }, 'BLE device failed; letting it go');
      event('device_error', dev.id, { stage, error: (e as Error).message });
      return { kind: 'error' } as Outcome;
    });
    if (!conn.isLost) {
      released = true;
      dev.peripheral.disconnect();
      await conn.sleep(timing.operationTimeoutMs).catch(() => {});
    }
    conn.dispose();
    const lasted = now() - startedAt;
    if (outcome.kind === 'done') {
      dev.failures = 0;
      dev.notBefore = now() + timing.cooldownMs;
      event('device_disconnected', dev.id, { initiatedBy: outcome.initiatedBy ?? 'gateway', frames });
      return;
    }
    if (outcome.kind === 'lost') {
      event('device_lost', dev.id, { reason: conn.lostReason ?? null, frames });
    }
    if (lasted >= timing.backoffResetAfterMs) dev.failures = 0;
    dev.failures++;
    dev.notBefore = now() + backoffDelay(dev.failures, backoffPolicy, random);
  }

  /** Everything between connect and let-go. Throws LinkLostError or GattStepError. */
  async function session(
    dev: DeviceState,
    conn: Connection,
    counted: () => void,
    released: () => boolean,
  ): Promise<Outcome> {
    const services = await conn.discoverServices();
    const chars = new Map<string, CharacteristicLike>();
    const present: BleServiceProfile[] = [];
    for (const service of services) {
      const uuid = shortUuid(service.uuid);
      const profile = profiles.find((p) => p.service === uuid);
      if (!profile && !COMMON_SERVICES.has(uuid)) continue;
      if (profile) present.push(profile);
      for (const c of await conn.discoverCharacteristics(service)) chars.set(shortUuid(c.uuid), c);
    }
    if (present.length === 0) {
      throw new GattStepError('discover_services', 'no supported health service on the device');
    }
    const has = (uuid: string, prop?: string) => {
      const c = chars.get(uuid);
      return c && (!prop || c.properties.includes(prop)) ? c : undefined;
    };

    // Device information and context, read once per connection.
    const modelChar = has(DEVICE_INFORMATION.modelNumber, 'read');
    if (modelChar) {
      const model = (await conn.read(modelChar)).toString('utf8').replace(/\0+$/, '').trim();
      if (model) dev.model = model;
    }
    const context: Record<string, string> = {};
    for (const profile of present) {
      for (const ctx of profile.context) {
        const c = has(ctx.characteristic, 'read');
        if (c) context[ctx.key] = (await conn.read(c)).toString('hex');
      }
    }
    const battery = has(BATTERY.level, 'read');
    if (battery) reportBattery(dev, await conn.read(battery));

    dev.continuous = present.some((p) => p.continuousWith.some((u) => chars.has(u)));
    const racp = present.some((p) => p.records === 'racp') ? has(RACP.characteristic) : undefined;
    event('device_connected', dev.id, {
      ...(dev.model ? { model: dev.model } : {}),
      services: present.map((p) => p.service),
      rssi: dev.peripheral.rssi,
      continuous: dev.continuous,
    });

    await adjustClock(dev, conn, has(CURRENT_TIME.currentTime));

    // Subscriptions: data listeners first, so stored indications that follow a CCCD write are not missed.
    const ref = (): DeviceRef => ({ id: dev.id, transport: 'ble', ...(dev.model ? { model: dev.model } : {}) });
    let lastActivity = now();
    let highestSequence: number | undefined;
    const listeners: [CharacteristicLike, (data: Buffer, isNotification: boolean) => void][] = [];
    const listen = (c: CharacteristicLike, fn: (data: Buffer) => void) => {
      const l = (data: Buffer, isNotification: boolean) => {
        if (isNotification) fn(data);
      };
      c.on('data', l);
      listeners.push([c, l]);
    };
    let racpWaiter: ((r: RacpResponse) => void) | undefined;
    let subscribed = false;
    try {
      for (const profile of present) {
        for (const m of profile.measurements) {
          const c = chars.get(m.characteristic);
          if (!c || !(c.properties.includes('notify') || c.properties.includes('indicate'))) continue;
          const characteristic = m.characteristic;
          listen(c, (data) => {
            lastActivity = now();
            counted();
            const frame: BleFrame = {
              kind: 'ble',
              device: ref(),
              characteristic,
              bytes: new Uint8Array(data),
              context: { ...context },
              receivedAt: new Date(now()),
            };
            try {
              sinks.frame(frame);
            } catch (e) {
              log.error({ err: e, device: dev.id, characteristic }, 'frame sink threw; frame dropped');
              return;
            }
            if (characteristic === '2A18') {
              const seq = glucoseSequenceNumber(frame.bytes);
              const last = store.get(dev.id);
              if (seq !== undefined && (last === undefined || seq > last)) {
                highestSequence = seq;
                store.set(dev.id, seq);
              }
            }
          });
          await conn.subscribe(c);
          subscribed = true;
        }
      }
      if (battery?.properties.includes('notify') && dev.continuous) {
        listen(battery, (data) => reportBattery(dev, data));
        await conn.subscribe(battery);
      }

      if (racp && !released()) {
        listen(racp, (data) => {
          lastActivity = now();
          const r = parseRacpResponse(data);
          if (r) racpWaiter?.(r);
          else log.warn({ device: dev.id, hex: data.toString('hex') }, 'unrecognised RACP indication ignored');
        });
        await conn.subscribe(racp);
        const last = store.get(dev.id);
        const from = last === undefined ? undefined : (last + 1) & 0xffff;
        const response = new Promise<RacpResponse>((resolve) => {
          racpWaiter = resolve;
        });
        await conn.write(racp, from === undefined ? encodeRacpReportAll() : encodeRacpReportFromSequence(from));
        const r = await conn.call<RacpResponse>(
          'racp_report_records',
          (done) => void response.then((v) => done(null, v)),
          timing.recordTransferTimeoutMs,
        );
        if (r.kind !== 'response' || (r.code !== RACP_SUCCESS && r.code !== RACP_NO_RECORDS_FOUND)) {
          throw new GattStepError('racp_report_records', `meter answered ${JSON.stringify(r)}`);
        }
        log.info({ device: dev.id, result: r.name, from, highestSequence }, 'records downloaded');
        if (!dev.continuous) return { kind: 'done', initiatedBy: 'gateway' };
      }

      if (dev.continuous) await conn.lost;
      // Stored indications flow until the device is quiet (or hangs up, as A&D monitors do).
      while (!released()) {
        const quietFor = now() - lastActivity;
        if (quietFor >= timing.idleReleaseMs) break;
        await conn.sleep(timing.idleReleaseMs - quietFor);
      }
      return { kind: 'done', initiatedBy: 'gateway' };
    } catch (e) {
      // A store-and-forward device hanging up once subscribed is how its transfer ends.
      if (e instanceof LinkLostError && subscribed && !racp && !dev.continuous && !released()) {
        return { kind: 'done', initiatedBy: 'device' };
      }
      throw e;
    } finally {
      for (const [c, l] of listeners) c.removeListener('data', l);
    }
  }

  function reportBattery(dev: DeviceState, data: Buffer): void {
    const level = data[0];
    if (level === undefined || level > 100) {
      log.warn({ device: dev.id, hex: data.toString('hex') }, 'battery level out of range ignored');
      return;
    }
    event('battery', dev.id, { level, ...(level <= lowBattery ? { low: true } : {}) });
  }

  async function adjustClock(dev: DeviceState, conn: Connection, c: CharacteristicLike | undefined): Promise<void> {
    if (!c || !(c.properties.includes('write') || c.properties.includes('writeWithoutResponse'))) return;
    // A Pi without an RTC boots in the past until NTP answers: never copy that time into a device.
    if (opts.gatewayClockSynced && !opts.gatewayClockSynced()) return;
    let device: Date | null = null;
    if (c.properties.includes('read')) {
      device = deviceTime(await conn.read(c), tz);
      if (device && Math.abs(device.getTime() - now()) <= clockTolerance) return;
    }
    const gateway = new Date(now());
    await conn.write(c, encodeCurrentTime(gateway, tz, ['external_reference_time_update']));
    event('clock_adjusted', dev.id, {
      deviceTime: device ? device.toISOString() : null,
      gatewayTime: gateway.toISOString(),
      offsetMs: device ? device.getTime() - gateway.getTime() : null,
    });
  }

  noble.on('stateChange', onStateChange);
  noble.on('discover', onDiscover);
  if (noble.state === 'poweredOn') startScan();

  return {
    setBackoffMaxMs(ms) {
      backoffPolicy.maxMs = ms;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      noble.removeListener('discover', onDiscover);
      noble.removeListener('stateChange', onStateChange);
      try {
        noble.stopScanning();
      } catch (e) {
        log.warn({ err: e }, 'stopping the BLE scan failed');
      }
      const sessions: Promise<void>[] = [];
      for (const dev of devices.values()) {
        if (dev.phase === 'connecting') dev.peripheral.cancelConnect();
        dev.release?.();
        if (dev.session) sessions.push(dev.session);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.allSettled(sessions),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timing.stopTimeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
    devices() {
      return [...devices.values()].map((d) => ({
        id: d.id,
        phase: d.phase,
        failures: d.failures,
        lastSeen: new Date(d.lastSeen).toISOString(),
        ...(d.model ? { model: d.model } : {}),
        ...(d.continuous !== undefined ? { continuous: d.continuous } : {}),
      }));
    },
  };
}
