/**
 * Simulated homes: a JSON description of one patient's devices and their behaviour, a loader
 * that reports every problem at once, a generator of plausible vital signs over time, and the
 * timeline of measurements the household takes.
 *
 * {
 *   "v": 1, "name": "Tanaka", "timezone": "Asia/Tokyo", "seed": 7,
 *   "patient": { "systolic": 138, "diastolic": 86, "pulse": 72, "spo2": 96, "temperature": 36.5,
 *                "weightKg": 61.5, "heightM": 1.58, "glucoseFasting": 118 },
 *   "devices": [
 *     { "kind": "bp-monitor", "address": "c4:7c:8d:6a:3f:21", "schedule": ["07:30", "19:30"],
 *       "advertisingWindowMs": 5000, "clock": "reset", "battery": 15 },
 *     { "kind": "pulse-oximeter", "address": "00:1c:05:12:34:56", "rateHz": 1 }
 *   ]
 * }
 */
import { readFileSync } from 'node:fs';
import { isValidTimeZone } from '@vitals/contract';
import type { BpValues } from './devices/bp-monitor.ts';
import type { GlucoseValues } from './devices/glucose-meter.ts';
import type { SpotCheckValues } from './devices/pulse-oximeter.ts';
import type { TemperatureValues } from './devices/thermometer.ts';
import type { WeightValues } from './devices/weight-scale.ts';
import type { PlxContinuous } from './encoders/pulse-oximeter.ts';
import type { DeviceKind } from './peripheral.ts';
import { seededRandom } from './random.ts';
import { utcOfWallTime, wallTimeAt } from './wall-clock.ts';
import type { DeviceOfKind, DeviceSpec, SimDevice, SimWorld } from './world.ts';

export const HOME_SPEC_VERSION = 1 as const;

export interface PatientBaseline {
  systolic: number;
  diastolic: number;
  pulse: number;
  spo2: number;
  /** Celsius. */
  temperature: number;
  weightKg: number;
  heightM?: number;
  /** mg/dL. */
  glucoseFasting: number;
}

export interface HomeDevice {
  kind: DeviceKind;
  address: string;
  model?: string;
  /** Local times ("HH:MM") of the daily measurements; a default per kind when left out. */
  schedule?: string[];
  advertisingWindowMs?: number;
  battery?: number;
  /** "ok", "reset" (2000-01-01 after a battery change) or minutes off. */
  clock?: 'ok' | 'reset' | { offsetMinutes: number };
  unit?: string;
  /** Pulse oximeters: continuous samples per second. */
  rateHz?: number;
}

export interface HomeSpec {
  v: typeof HOME_SPEC_VERSION;
  name: string;
  timezone: string;
  seed: number;
  patient: PatientBaseline;
  devices: HomeDevice[];
}

export class HomeSpecError extends Error {
  constructor(readonly problems: string[]) {
    super(`home description is invalid:\n- ${problems.join('\n- ')}`);
    this.name = 'HomeSpecError';
  }
}

const KINDS: readonly DeviceKind[] = ['bp-monitor', 'pulse-oximeter', 'glucose-meter', 'thermometer', 'weight-scale'];
const UNITS: Partial<Record<DeviceKind, readonly string[]>> = {
  'bp-monitor': ['mmHg', 'kPa'],
  thermometer: ['Cel', 'degF'],
  'weight-scale': ['kg', 'lb'],
};

export const DEFAULT_SCHEDULES: Readonly<Record<DeviceKind, readonly string[]>> = {
  'bp-monitor': ['07:30', '19:30'],
  'weight-scale': ['07:15'],
  thermometer: ['08:00'],
  'glucose-meter': ['07:00', '13:30', '19:45'],
  'pulse-oximeter': [],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates a parsed home description; throws HomeSpecError listing every problem. */
export function parseHome(input: unknown): HomeSpec {
  const problems: string[] = [];
  if (!isRecord(input)) throw new HomeSpecError(['the description must be a JSON object']);
  const num = (
    obj: Record<string, unknown>,
    key: string,
    where: string,
    min: number,
    max: number,
    optional = false,
  ) => {
    const v = obj[key];
    if (v === undefined && optional) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      problems.push(`${where}.${key} must be a number from ${min} to ${max}`);
    }
  };
  if (input.v !== HOME_SPEC_VERSION) problems.push(`v must be ${HOME_SPEC_VERSION}`);
  if (typeof input.name !== 'string' || input.name === '') problems.push('name must be a non-empty string');
  if (typeof input.timezone !== 'string' || !isValidTimeZone(input.timezone)) {
    problems.push('timezone must be an IANA zone such as "Asia/Tokyo"');
  }
  num(input, 'seed', 'home', 0, 2 ** 32 - 1, true);
  if (!isRecord(input.patient)) problems.push('patient must be an object with the baseline vital signs');
  else {
    const p = input.patient;
    num(p, 'systolic', 'patient', 70, 250);
    num(p, 'diastolic', 'patient', 40, 150);
    num(p, 'pulse', 'patient', 30, 200);
    num(p, 'spo2', 'patient', 70, 100);
    num(p, 'temperature', 'patient', 34, 42);
    num(p, 'weightKg', 'patient', 2, 400);
    num(p, 'heightM', 'patient', 0.4, 2.5, true);
    num(p, 'glucoseFasting', 'patient', 20, 600);
  }
  if (!Array.isArray(input.devices) || input.devices.length === 0) problems.push('devices must be a non-empty array');
  else {
    const seen = new Set<string>();
    input.devices.forEach((d: unknown, i: number) => {
      const where = `devices[${i}]`;
      if (!isRecord(d)) {
        problems.push(`${where} must be an object`);
        return;
      }
      if (!KINDS.includes(d.kind as DeviceKind)) problems.push(`${where}.kind must be one of ${KINDS.join(', ')}`);
      if (typeof d.address !== 'string' || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(d.address)) {
        problems.push(`${where}.address must be a BLE address like c4:7c:8d:6a:3f:21`);
      } else if (seen.has(d.address.toLowerCase())) problems.push(`${where}.address ${d.address} is used twice`);
      else seen.add(d.address.toLowerCase());
      if (d.schedule !== undefined) {
        if (!Array.isArray(d.schedule) || !d.schedule.every((s) => typeof s === 'string' && parseHhMm(s) !== null)) {
          problems.push(`${where}.schedule must be a list of "HH:MM" local times`);
        }
      }
      num(d, 'advertisingWindowMs', where, 100, 600_000, true);
      num(d, 'battery', where, 0, 100, true);
      num(d, 'rateHz', where, 0.1, 100, true);
      if (d.clock !== undefined && d.clock !== 'ok' && d.clock !== 'reset') {
        if (!isRecord(d.clock) || typeof d.clock.offsetMinutes !== 'number') {
          problems.push(`${where}.clock must be "ok", "reset" or {"offsetMinutes": N}`);
        }
      }
      const units = UNITS[d.kind as DeviceKind];
      if (d.unit !== undefined && !(units ?? []).includes(d.unit as string)) {
        problems.push(`${where}.unit must be one of ${(units ?? ['(none)']).join(', ')}`);
      }
    });
  }
  if (problems.length > 0) throw new HomeSpecError(problems);
  return { seed: 1, ...input } as unknown as HomeSpec;
}

/** Reads and validates a home description file. */
export function loadHome(path: string): HomeSpec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(
      `cannot read home description ${path}: ${(e as Error).message}; check the path and the JSON syntax`,
    );
  }
  return parseHome(json);
}

function parseHhMm(s: string): { hours: number; minutes: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  return m ? { hours: Number(m[1]), minutes: Number(m[2]) } : null;
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const HOUR = 3_600_000;

/**
 * Plausible vital signs as a pure function of (seed, time): the same seed and instant always
 * give the same values, whatever the call order. Blood pressure has a morning surge and an
 * evening dip; SpO2 stays ~95-98 with rare short dips; temperature follows the circadian curve;
 * weight drifts slowly; glucose depends on the meal.
 */
export class VitalSignGenerator {
  constructor(
    readonly baseline: PatientBaseline,
    readonly seed: number,
    readonly tz: string,
  ) {}

  bloodPressure(at: Date): Required<Pick<BpValues, 'systolic' | 'diastolic' | 'pulseRate'>> & { irregular: boolean } {
    const r = this.rng('bp', at, 60_000);
    const hour = this.localHour(at);
    // Morning surge after waking (6-10 h), lower in the evening.
    const surge = hour >= 6 && hour < 10 ? 8 : hour >= 18 ? -3 : 0;
    const day = this.rng('bp-day', at, 24 * HOUR).normal(0, 4);
    const systolic = Math.round(this.baseline.systolic + surge + day + r.normal(0, 6));
    const diastolic = Math.round(this.baseline.diastolic + surge / 2 + day / 2 + r.normal(0, 4));
    return {
      systolic,
      diastolic: Math.min(diastolic, systolic - 20),
      pulseRate: Math.round(this.baseline.pulse + r.normal(0, 4)),
      irregular: r.chance(0.03),
    };
  }

  /** One continuous SpO2 / pulse sample (second resolution). */
  plx(at: Date): PlxContinuous {
    const r = this.rng('plx', at, 1000);
    // Dips last about a minute: decided per minute, rare.
    const dip = this.rng('plx-dip', at, 60_000).chance(0.004);
    const spo2 = dip ? r.int(88, 92) : Math.min(100, Math.max(93, Math.round(r.normal(this.baseline.spo2 + 0.5, 0.8))));
    return { spo2, pulseRate: Math.round(this.baseline.pulse + r.normal(0, 3)) };
  }

  temperature(at: Date): number {
    const hour = this.localHour(at);
    // Circadian: lowest about 04 h, highest about 17 h, +-0.3 degrees.
    const circadian = -0.3 * Math.cos(((hour - 4) / 24) * 2 * Math.PI);
    return Math.round((this.baseline.temperature + circadian + this.rng('temp', at, 60_000).normal(0, 0.1)) * 10) / 10;
  }

  weightKg(at: Date): number {
    const days = at.getTime() / (24 * HOUR);
    const trend = 0.4 * Math.sin(days / 30);
    return Math.round((this.baseline.weightKg + trend + this.rng('weight', at, 60_000).normal(0, 0.25)) * 20) / 20;
  }

  glucose(at: Date, meal: 'fasting' | 'postprandial' | 'casual'): number {
    const r = this.rng('glucose', at, 60_000);
    const rise = meal === 'postprandial' ? 45 : meal === 'casual' ? 20 : 0;
    return Math.max(40, Math.round(this.baseline.glucoseFasting + rise + r.normal(0, 12)));
  }

  private localHour(at: Date): number {
    const w = wallTimeAt(at.getTime(), this.tz);
    return w.hours + w.minutes / 60;
  }

  private rng(metric: string, at: Date, bucketMs: number) {
    return seededRandom(hashString(`${this.seed}:${metric}:${Math.floor(at.getTime() / bucketMs)}`));
  }
}

export type HomeMeasurement =
  | { kind: 'bp-monitor'; address: string; at: Date; values: BpValues }
  | { kind: 'glucose-meter'; address: string; at: Date; values: GlucoseValues }
  | { kind: 'thermometer'; address: string; at: Date; values: TemperatureValues }
  | { kind: 'weight-scale'; address: string; at: Date; values: WeightValues }
  | { kind: 'pulse-oximeter'; address: string; at: Date; values: SpotCheckValues };

export function generatorFor(home: HomeSpec): VitalSignGenerator {
  return new VitalSignGenerator(home.patient, home.seed, home.timezone);
}

/**
 * The measurements the household takes between `from` and `to`, in time order: each device's
 * daily schedule in the home's zone, a few minutes late as people are.
 */
export function homeTimeline(home: HomeSpec, from: Date, to: Date): HomeMeasurement[] {
  const gen = generatorFor(home);
  const out: HomeMeasurement[] = [];
  const first = wallTimeAt(from.getTime(), home.timezone);
  for (let dayStart = Date.UTC(first.year, first.month - 1, first.day); ; dayStart += 24 * HOUR) {
    const d = new Date(dayStart);
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (utcOfWallTime({ ...date, hours: 0, minutes: 0, seconds: 0 }, home.timezone).getTime() > to.getTime()) break;
    for (const device of home.devices) {
      const schedule = device.schedule ?? DEFAULT_SCHEDULES[device.kind];
      schedule.forEach((hhmm, slot) => {
        const t = parseHhMm(hhmm)!;
        const nominal = utcOfWallTime({ ...date, hours: t.hours, minutes: t.minutes, seconds: 0 }, home.timezone);
        const lateMs =
          seededRandom(hashString(`${home.seed}:${device.address}:${nominal.getTime()}`)).int(0, 600) * 1000;
        const at = new Date(nominal.getTime() + lateMs);
        if (at < from || at > to) return;
        out.push(measurementAt(gen, device, at, slot));
      });
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

function measurementAt(gen: VitalSignGenerator, device: HomeDevice, at: Date, slot: number): HomeMeasurement {
  const address = device.address;
  switch (device.kind) {
    case 'bp-monitor': {
      const bp = gen.bloodPressure(at);
      return {
        kind: 'bp-monitor',
        address,
        at,
        values: {
          systolic: bp.systolic,
          diastolic: bp.diastolic,
          pulseRate: bp.pulseRate,
          ...(bp.irregular ? { status: { irregularPulse: true } } : {}),
        },
      };
    }
    case 'glucose-meter': {
      const meal = slot === 0 ? 'fasting' : 'postprandial';
      return { kind: 'glucose-meter', address, at, values: { mgdl: gen.glucose(at, meal), context: { meal } } };
    }
    case 'thermometer':
      return { kind: 'thermometer', address, at, values: { temperature: gen.temperature(at) } };
    case 'weight-scale':
      return { kind: 'weight-scale', address, at, values: { kg: gen.weightKg(at) } };
    case 'pulse-oximeter': {
      const s = gen.plx(at);
      return { kind: 'pulse-oximeter', address, at, values: { spo2: s.spo2, pulseRate: s.pulseRate } };
    }
    default:
      device.kind satisfies never;
      throw new Error(`unknown device kind ${String(device.kind)}`);
  }
}

/** Adds the home's devices to a world, with their behaviour (clock, battery, window, units). */
export function buildHome(world: SimWorld, home: HomeSpec): Map<string, SimDevice> {
  const gen = generatorFor(home);
  const devices = new Map<string, SimDevice>();
  for (const d of home.devices) {
    const common = {
      address: d.address,
      ...(d.model ? { model: d.model } : {}),
      ...(d.battery !== undefined ? { battery: d.battery } : {}),
      ...(d.advertisingWindowMs !== undefined ? { advertisingWindowMs: d.advertisingWindowMs } : {}),
      ...(typeof d.clock === 'object' ? { clockOffsetMs: d.clock.offsetMinutes * 60_000 } : {}),
    };
    let spec: DeviceSpec;
    switch (d.kind) {
      case 'bp-monitor':
        spec = { kind: d.kind, ...common, ...(d.unit ? { unit: d.unit as 'mmHg' | 'kPa' } : {}) };
        break;
      case 'thermometer':
        spec = { kind: d.kind, ...common, ...(d.unit ? { unit: d.unit as 'Cel' | 'degF' } : {}) };
        break;
      case 'weight-scale':
        spec = {
          kind: d.kind,
          ...common,
          ...(d.unit ? { unit: d.unit as 'kg' | 'lb' } : {}),
          ...(home.patient.heightM ? { heightM: home.patient.heightM } : {}),
        };
        break;
      case 'glucose-meter':
        spec = { kind: d.kind, ...common };
        break;
      case 'pulse-oximeter':
        spec = {
          kind: d.kind,
          ...common,
          ...(d.rateHz ? { rateHz: d.rateHz } : {}),
          sample: () => gen.plx(new Date(world.now())),
        };
        break;
      default:
        d.kind satisfies never;
        throw new Error(`unknown device kind ${String(d.kind)}`);
    }
    const device = world.addDevice(spec);
    if (d.clock === 'reset') device.resetClock();
    devices.set(device.address, device);
  }
  return devices;
}

/** Takes one timeline measurement on its device (time stamp from the device's own clock). */
export function takeMeasurement(world: SimWorld, m: HomeMeasurement): void {
  const device = world.device(m.address);
  if (!device || device.kind !== m.kind) {
    throw new Error(`no ${m.kind} with address ${m.address} in the world; build the home first`);
  }
  switch (m.kind) {
    case 'bp-monitor':
      (device as DeviceOfKind['bp-monitor']).measure(m.values);
      return;
    case 'pulse-oximeter':
      (device as DeviceOfKind['pulse-oximeter']).measure(m.values);
      return;
    case 'glucose-meter':
      (device as DeviceOfKind['glucose-meter']).measure(m.values);
      return;
    case 'thermometer':
      (device as DeviceOfKind['thermometer']).measure(m.values);
      return;
    case 'weight-scale':
      (device as DeviceOfKind['weight-scale']).measure(m.values);
      return;
    default:
      m satisfies never;
  }
}
