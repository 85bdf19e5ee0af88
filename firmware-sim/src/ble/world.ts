/**
 * The simulated radio world: devices, the scanners (simulated bindings) that hear their
 * advertisements, a seeded random source, the wall-clock zone devices live in, and every
 * timer, so `close()` stops everything.
 */
import { BpMonitor, type BpMonitorOptions } from './devices/bp-monitor.ts';
import { GlucoseMeter, type GlucoseMeterOptions } from './devices/glucose-meter.ts';
import { PulseOximeter, type PulseOximeterOptions } from './devices/pulse-oximeter.ts';
import { Thermometer, type ThermometerOptions } from './devices/thermometer.ts';
import { WeightScale, type WeightScaleOptions } from './devices/weight-scale.ts';
import type { DeviceKind, SimPeripheral } from './peripheral.ts';
import { type Random, seededRandom } from './random.ts';

export interface SimTiming {
  /** Time between advertisements of an advertising device. */
  advertisingIntervalMs: number;
  /** Delay of each radio exchange (request, response, notification). */
  radioLatencyMs: number;
}

export interface SimWorldOptions {
  seed?: number;
  /** IANA zone of the devices' wall clocks (the home's zone). */
  tz?: string;
  /** The world's time; defaults to Date.now. */
  now?: () => number;
  timing?: Partial<SimTiming>;
}

export type DeviceSpec =
  | ({ kind: 'bp-monitor' } & BpMonitorOptions)
  | ({ kind: 'pulse-oximeter' } & PulseOximeterOptions)
  | ({ kind: 'glucose-meter' } & GlucoseMeterOptions)
  | ({ kind: 'thermometer' } & ThermometerOptions)
  | ({ kind: 'weight-scale' } & WeightScaleOptions);

export interface DeviceOfKind {
  'bp-monitor': BpMonitor;
  'pulse-oximeter': PulseOximeter;
  'glucose-meter': GlucoseMeter;
  thermometer: Thermometer;
  'weight-scale': WeightScale;
}

export type SimDevice = DeviceOfKind[DeviceKind];

/** What the world asks of a scanner (the simulated bindings). */
export interface SimScanner {
  onAdvertisement(device: SimPeripheral): void;
}

export class SimWorld {
  readonly tz: string;
  readonly random: Random;
  readonly timing: SimTiming;
  private readonly clock: () => number;
  private readonly byId = new Map<string, SimDevice>();
  private readonly scanners = new Set<SimScanner>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private closed = false;

  constructor(opts: SimWorldOptions = {}) {
    this.tz = opts.tz ?? 'UTC';
    this.random = seededRandom(opts.seed ?? 1);
    this.clock = opts.now ?? Date.now;
    this.timing = { advertisingIntervalMs: 100, radioLatencyMs: 2, ...opts.timing };
  }

  now(): number {
    return this.clock();
  }

  /** Adds a device; its kind picks the class (`world.addDevice({ kind: 'bp-monitor', address })`). */
  addDevice<S extends DeviceSpec>(spec: S): DeviceOfKind[S['kind']] {
    const device = this.create(spec);
    if (this.byId.has(device.id)) throw new Error(`a device with address ${device.address} is already in the world`);
    this.byId.set(device.id, device);
    device.start();
    return device as DeviceOfKind[S['kind']];
  }

  /** A device by address ("c4:7c:...") or noble id ("c47c..."). */
  device(addressOrId: string): SimDevice | undefined {
    return this.byId.get(addressOrId.toLowerCase().replaceAll(':', ''));
  }

  get devices(): SimDevice[] {
    return [...this.byId.values()];
  }

  attachScanner(scanner: SimScanner): void {
    this.scanners.add(scanner);
  }

  detachScanner(scanner: SimScanner): void {
    this.scanners.delete(scanner);
  }

  /** One advertising event of `device`, heard by every scanner shortly after. */
  advertiseSoon(device: SimPeripheral): void {
    this.timeout(() => {
      if (!device.advertising) return;
      for (const s of this.scanners) s.onAdvertisement(device);
    }, 0);
  }

  /** setTimeout that `close()` cancels and that never keeps the process alive. */
  timeout(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
    if (this.closed) return setTimeout(() => {}, 0);
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  /** setInterval that `close()` cancels and that never keeps the process alive. */
  interval(fn: () => void, ms: number): ReturnType<typeof setInterval> {
    if (this.closed) return setTimeout(() => {}, 0);
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.add(t);
    return t;
  }

  /** Stops every device timer; the world is unusable afterwards. */
  close(): void {
    this.closed = true;
    for (const d of this.byId.values()) d.stopAdvertising();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private create(spec: DeviceSpec): SimDevice {
    switch (spec.kind) {
      case 'bp-monitor':
        return new BpMonitor(this, spec);
      case 'pulse-oximeter':
        return new PulseOximeter(this, spec);
      case 'glucose-meter':
        return new GlucoseMeter(this, spec);
      case 'thermometer':
        return new Thermometer(this, spec);
      case 'weight-scale':
        return new WeightScale(this, spec);
      default:
        spec satisfies never;
        throw new Error(`unknown device kind ${(spec as { kind: string }).kind}`);
    }
  }
}
