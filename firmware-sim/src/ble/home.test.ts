import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { BpMonitor } from './devices/bp-monitor.ts';
import {
  buildHome,
  HomeSpecError,
  homeTimeline,
  loadHome,
  parseHome,
  takeMeasurement,
  VitalSignGenerator,
} from './home.ts';
import { SimWorld } from './world.ts';

const example = fileURLToPath(new URL('./homes/tanaka.json', import.meta.url));
let world: SimWorld | undefined;
afterEach(() => world?.close());

describe('home descriptions', () => {
  it('loads the example home', () => {
    const home = loadHome(example);
    expect(home.timezone).toBe('Asia/Tokyo');
    expect(home.devices.map((d) => d.kind)).toStrictEqual([
      'bp-monitor',
      'pulse-oximeter',
      'glucose-meter',
      'thermometer',
      'weight-scale',
    ]);
  });

  it('reports every problem at once', () => {
    const bad = {
      v: 2,
      name: '',
      timezone: 'Mars/Olympus',
      patient: { systolic: 120 },
      devices: [
        { kind: 'toaster', address: 'nope' },
        { kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:21', schedule: ['7:30'], unit: 'psi' },
        { kind: 'bp-monitor', address: 'C4:7C:8D:6A:3F:21', clock: 'late' },
      ],
    };
    let err: unknown;
    try {
      parseHome(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HomeSpecError);
    expect((err as HomeSpecError).problems).toStrictEqual([
      'v must be 1',
      'name must be a non-empty string',
      'timezone must be an IANA zone such as "Asia/Tokyo"',
      'patient.diastolic must be a number from 40 to 150',
      'patient.pulse must be a number from 30 to 200',
      'patient.spo2 must be a number from 70 to 100',
      'patient.temperature must be a number from 34 to 42',
      'patient.weightKg must be a number from 2 to 400',
      'patient.glucoseFasting must be a number from 20 to 600',
      'devices[0].kind must be one of bp-monitor, pulse-oximeter, glucose-meter, thermometer, weight-scale',
      'devices[0].address must be a BLE address like c4:7c:8d:6a:3f:21',
      'devices[1].schedule must be a list of "HH:MM" local times',
      'devices[1].unit must be one of mmHg, kPa',
      'devices[2].address C4:7C:8D:6A:3F:21 is used twice',
      'devices[2].clock must be "ok", "reset" or {"offsetMinutes": N}',
    ]);
  });

  it('says what to do when the file cannot be read', () => {
    expect(() => loadHome('/nonexistent/home.json')).toThrow(/check the path/);
  });
});

describe('vital sign generator', () => {
  const baseline = {
    systolic: 138,
    diastolic: 86,
    pulse: 72,
    spo2: 96,
    temperature: 36.5,
    weightKg: 61.5,
    glucoseFasting: 118,
  };

  it('gives the same values for the same seed and time whatever the call order', () => {
    const a = new VitalSignGenerator(baseline, 7, 'Asia/Tokyo');
    const b = new VitalSignGenerator(baseline, 7, 'Asia/Tokyo');
    const t = new Date('2026-11-24T22:30:00Z');
    b.plx(new Date('2026-11-25T00:00:00Z'));
    expect(b.bloodPressure(t)).toStrictEqual(a.bloodPressure(t));
    expect(new VitalSignGenerator(baseline, 8, 'Asia/Tokyo').bloodPressure(t)).not.toStrictEqual(a.bloodPressure(t));
  });

  it('keeps SpO2 mostly at 93-100 with rare dips below', () => {
    const g = new VitalSignGenerator(baseline, 7, 'UTC');
    const start = Date.UTC(2026, 10, 24);
    const values = Array.from({ length: 6 * 3600 }, (_, i) => g.plx(new Date(start + i * 1000)).spo2 as number);
    const low = values.filter((v) => v < 93).length;
    expect(values.every((v) => v >= 88 && v <= 100)).toBe(true);
    expect(low / values.length).toBeLessThan(0.02);
    expect(values.filter((v) => v >= 95 && v <= 98).length / values.length).toBeGreaterThan(0.8);
  });

  it('raises morning blood pressure above the evening on average', () => {
    const g = new VitalSignGenerator(baseline, 3, 'Asia/Tokyo');
    const mean = (localHour: number) => {
      let sum = 0;
      for (let d = 0; d < 60; d++) {
        sum += g.bloodPressure(new Date(Date.UTC(2026, 0, 1 + d, localHour - 9, 30))).systolic;
      }
      return sum / 60;
    };
    expect(mean(7)).toBeGreaterThan(mean(20) + 5);
  });
});

describe('home timeline', () => {
  it('lists each device schedule in the home zone, in time order', () => {
    const home = loadHome(example);
    const events = homeTimeline(home, new Date('2026-11-23T15:00:00Z'), new Date('2026-11-24T14:59:59Z'));
    // One Tokyo day: BP twice, glucose three times, thermometer and scale once; the oximeter streams.
    expect(events.map((e) => e.kind).sort()).toStrictEqual(
      [
        'bp-monitor',
        'bp-monitor',
        'glucose-meter',
        'glucose-meter',
        'glucose-meter',
        'thermometer',
        'weight-scale',
      ].sort(),
    );
    const bpMorning = events.find((e) => e.kind === 'bp-monitor')!;
    const late = bpMorning.at.getTime() - Date.parse('2026-11-23T22:30:00Z');
    expect(late >= 0 && late <= 600_000).toBe(true);
    expect(events.map((e) => e.at.getTime())).toStrictEqual(events.map((e) => e.at.getTime()).sort((a, b) => a - b));
  });

  it('builds the devices with their behaviour and takes measurements on them', () => {
    const home = loadHome(example);
    world = new SimWorld({ tz: home.timezone, seed: home.seed });
    const devices = buildHome(world, home);
    const bp = world.device('c4:7c:8d:6a:3f:21');
    expect(bp?.kind).toBe('bp-monitor');
    expect(bp!.clockNow().year).toBe(2000);
    expect(world.device('00:60:19:a1:b2:c3')!.battery).toBe(15);
    expect(world.device('c4:7c:8d:6a:3f:23')!.clockOffsetMs).toBe(-7 * 60_000);
    expect(devices.size).toBe(5);

    const events = homeTimeline(home, new Date('2026-11-23T15:00:00Z'), new Date('2026-11-24T14:59:59Z'));
    for (const e of events) takeMeasurement(world, e);
    const bpDevice = world.device('c4:7c:8d:6a:3f:21') as BpMonitor;
    expect(bpDevice.storedRecords).toBe(2);
    expect(bpDevice.advertising).toBe(true);
  });
});
