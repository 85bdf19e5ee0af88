import { describe, expect, it } from 'vitest';
import {
  bandOf,
  DEFAULT_RULES,
  type Episode,
  effectiveRule,
  evaluateRule,
  isClear,
  isContinuous,
  nestingProblem,
  type ReadingRule,
  type SeriesPoint,
  type ThresholdRule,
  type TrendRule,
} from './rules.ts';

const rule = (id: string) => DEFAULT_RULES.find((r) => r.id === id)! as ThresholdRule;
const NONE = { overrides: {}, targets: {} };
const T0 = Date.UTC(2026, 10, 24, 0, 0, 0);

/** Spot checks: one value every 10 minutes from one BLE device. */
const spot = (values: number[], fresh = true): SeriesPoint[] =>
  values.map((value, i) => ({ time: T0 + i * 600_000, value, deviceId: 'ble:aa', continuous: false, fresh }));

/** A continuous oximeter: one value per second, each flagged `continuous` by the gateway. */
const stream = (values: number[]): SeriesPoint[] =>
  values.map((value, i) => ({ time: T0 + i * 1000, value, deviceId: 'ble:ox', continuous: true, fresh: true }));

const repeat = (v: number, n: number) => Array.from({ length: n }, () => v);

describe('adult default bands (issue 7)', () => {
  it.each<[string, number, string | null]>([
    ['spo2_low', 89, 'high'],
    ['spo2_low', 90, 'medium'],
    ['spo2_low', 92, 'medium'],
    ['spo2_low', 93, null],
    ['pulse_high', 131, 'high'],
    ['pulse_high', 130, 'medium'],
    ['pulse_high', 111, 'medium'],
    ['pulse_high', 110, null],
    ['pulse_low', 39, 'high'],
    ['pulse_low', 40, 'medium'],
    ['pulse_low', 49, 'medium'],
    ['pulse_low', 50, null],
    ['systolic_high', 180, 'high'],
    ['systolic_high', 179, 'medium'],
    ['systolic_high', 160, 'medium'],
    ['systolic_high', 159, null],
    ['systolic_low', 89, 'high'],
    ['systolic_low', 90, null],
    ['diastolic_high', 110, 'high'],
    ['diastolic_high', 109, null],
    ['temperature_high', 39.0, 'high'],
    ['temperature_high', 38.9, 'medium'],
    ['temperature_high', 38.0, 'medium'],
    ['temperature_high', 37.9, null],
    ['temperature_low', 34.9, 'high'],
    ['temperature_low', 35.0, null],
    ['glucose_low', 69, 'high'],
    ['glucose_low', 70, null],
    ['glucose_high', 301, 'medium'],
    ['glucose_high', 300, null],
  ])('%s puts %d in band %s', (id, v, band) => {
    expect(bandOf(rule(id), v)).toBe(band);
  });

  it('keeps every default rule nested', () => {
    for (const r of DEFAULT_RULES) if (r.kind === 'threshold') expect(nestingProblem(r)).toBeNull();
  });

  it.each<[number, boolean]>([
    [93, false],
    [93.9, false],
    [94, true],
  ])('counts SpO2 %d as clear of the medium band only past the 1 % hysteresis: %s', (v, clear) => {
    expect(isClear(rule('spo2_low'), v)).toBe(clear);
  });
});

describe('per-patient target ranges and overrides', () => {
  it('moves the SpO2 limits with a COPD target range of 88–92 %', () => {
    const r = effectiveRule(rule('spo2_low'), {
      overrides: {},
      targets: { spo2: { low: 88, high: 92 } },
    }) as ThresholdRule;
    expect(r.bands).toEqual({ high: { value: 85, inclusive: false }, medium: { value: 88, inclusive: false } });
    expect(bandOf(r, 89)).toBeNull();
    expect(bandOf(r, 87)).toBe('medium');
    expect(bandOf(r, 84)).toBe('high');
  });

  it('applies an explicit limit over the target range and can remove a band', () => {
    const r = effectiveRule(rule('pulse_high'), {
      overrides: { pulse_high: { bands: { high: 140, medium: null } } },
      targets: {},
    });
    expect((r as ThresholdRule).bands).toEqual({ high: { value: 140, inclusive: false } });
  });

  it('disables a rule for a patient', () => {
    expect(
      effectiveRule(rule('glucose_high'), { overrides: { glucose_high: { enabled: false } }, targets: {} }),
    ).toBeNull();
  });

  it('refuses an override that breaks nesting, saying which limits', () => {
    expect(() =>
      effectiveRule(rule('spo2_low'), { overrides: { spo2_low: { bands: { high: 95 } } }, targets: {} }),
    ).toThrow(/the high limit \(95\) must be at or below the medium limit \(93\)/);
  });
});

const summary = (e: Episode[]) =>
  e.map((x) => ({
    priority: x.priority,
    onset: (x.onset - T0) / 1000,
    firedAt: (x.firedAt - T0) / 1000,
    clearedAt: x.clearedAt === undefined ? null : (x.clearedAt - T0) / 1000,
  }));

describe('threshold evaluation on measurement time', () => {
  const cases: [string, ReadingRule, SeriesPoint[], ReturnType<typeof summary>][] = [
    [
      'a single low spot check alarms at once',
      rule('spo2_low'),
      spot([97, 89, 97]),
      [{ priority: 'high', onset: 600, firedAt: 600, clearedAt: 1200 }],
    ],
    [
      'a continuous dip to 88 % for 4 minutes alarms high after 2 minutes and clears on recovery',
      rule('spo2_low'),
      stream([...repeat(97, 60), ...repeat(88, 240), ...repeat(97, 60)]),
      [{ priority: 'high', onset: 60, firedAt: 180, clearedAt: 300 }],
    ],
    [
      'a continuous dip shorter than 2 minutes never alarms',
      rule('spo2_low'),
      stream([...repeat(97, 10), ...repeat(88, 100), ...repeat(97, 10)]),
      [],
    ],
    [
      'values flapping between 91 and 93 % on a continuous oximeter give one medium episode',
      rule('spo2_low'),
      stream([...repeat(97, 5), ...Array.from({ length: 600 }, (_, i) => (i % 2 ? 91 : 93)), ...repeat(97, 5)]),
      [{ priority: 'medium', onset: 6, firedAt: 126, clearedAt: 605 }],
    ],
    [
      'spot checks flapping within the hysteresis band give one episode',
      rule('pulse_high'),
      spot([80, 112, 108, 113, 107, 112, 80]),
      [{ priority: 'medium', onset: 600, firedAt: 600, clearedAt: 3600 }],
    ],
    [
      'priority rises to the highest band reached and is never lowered within an episode',
      rule('systolic_high'),
      spot([120, 165, 185, 165, 120]),
      [{ priority: 'high', onset: 600, firedAt: 600, clearedAt: 2400 }],
    ],
    [
      'a gap of over a minute in a continuous stream restarts the sustain timer',
      rule('spo2_low'),
      [...stream(repeat(88, 90)), ...stream(repeat(88, 90)).map((p) => ({ ...p, time: p.time + 300_000 }))],
      [],
    ],
    ['no value in any band gives no episode', rule('temperature_high'), spot([36.5, 37.2, 37.9]), []],
  ];
  it.each(cases)('%s', (_name, r, series, expected) => {
    expect(summary(evaluateRule(r, series))).toEqual(expected);
  });

  it('marks an episode as touching fresh data only when one of its readings is fresh', () => {
    const history = spot([97, 89, 97], false);
    expect(evaluateRule(rule('spo2_low'), history)[0]!.touchesFresh).toBe(false);
    history[2]!.fresh = true;
    expect(evaluateRule(rule('spo2_low'), history)[0]!.touchesFresh).toBe(true);
  });
});

describe('weight trend', () => {
  const weight = DEFAULT_RULES.find((r) => r.id === 'weight_gain') as TrendRule;
  const daily = (values: number[]): SeriesPoint[] =>
    values.map((value, i) => ({
      time: T0 + i * 86_400_000,
      value,
      deviceId: 'ble:scale',
      continuous: false,
      fresh: true,
    }));

  it.each<[string, number[], ReturnType<typeof summary>]>([
    [
      '+2.1 kg over 3 days alarms medium',
      [60.0, 60.8, 61.5, 62.1],
      [{ priority: 'medium', onset: 0, firedAt: 259200, clearedAt: null }],
    ],
    ['+1.9 kg over 3 days does not', [60.0, 60.8, 61.5, 61.9], []],
    ['+2.0 kg spread over 5 days does not', [60.0, 60.5, 61.0, 61.5, 61.8, 62.0], []],
    [
      'the episode ends when the gain falls below 1.5 kg',
      [60.0, 61.0, 62.0, 61.2],
      [{ priority: 'medium', onset: 0, firedAt: 172800, clearedAt: 259200 }],
    ],
  ])('%s', (_n, values, expected) => {
    expect(summary(evaluateRule(weight, daily(values)))).toEqual(expected);
  });

  it('lets a weighing 3 days and some hours later still count', () => {
    const s = daily([60.0, 62.2]);
    s[1]!.time = T0 + 75 * 3_600_000;
    expect(evaluateRule(weight, s)).toHaveLength(1);
  });
});

describe('persistence is judged by the device-declared continuous flag alone (issue 14)', () => {
  /** Readings as stored: [seconds after T0, value], with the gateway's flags. */
  const readings = (deviceId: string, flags: string[] | null, pts: [number, number][]): SeriesPoint[] =>
    pts.map(([sec, value]) => ({
      time: T0 + sec * 1000,
      value,
      deviceId,
      continuous: isContinuous(flags),
      fresh: true,
    }));
  const oneSecond = (from: number, to: number, v: number): [number, number][] =>
    Array.from({ length: to - from }, (_, i) => [from + i, v]);

  it.each<[string, SeriesPoint[], ReturnType<typeof summary>]>([
    [
      'the first reading of a continuous BLE oximeter (2A5F) never alarms at once',
      readings('ble:c4:7c:8d:6a:3f:01', ['continuous'], [[0, 85]]),
      [],
    ],
    [
      'the first reading of a serial oximeter stream never alarms at once',
      readings('serial:cms50d', ['continuous', 'low_perfusion'], [[0, 85]]),
      [],
    ],
    [
      'a continuous stream alarms once the band held for the sustain time',
      readings('ble:c4:7c:8d:6a:3f:01', ['continuous'], oneSecond(0, 150, 85)),
      [{ priority: 'high', onset: 0, firedAt: 120, clearedAt: null }],
    ],
    [
      'a spot check (2A5E, no flag) alarms at once',
      readings('ble:c4:7c:8d:6a:3f:01', null, [[0, 85]]),
      [{ priority: 'high', onset: 0, firedAt: 0, clearedAt: null }],
    ],
    [
      'spot checks taken 20 s apart stay spot checks and alarm at once',
      readings('ble:c4:7c:8d:6a:3f:01', null, [
        [0, 97],
        [20, 85],
        [40, 85],
      ]),
      [{ priority: 'high', onset: 20, firedAt: 20, clearedAt: null }],
    ],
    [
      'a serial device without the flag is a spot check',
      readings('serial:ultra2', null, [[0, 85]]),
      [{ priority: 'high', onset: 0, firedAt: 0, clearedAt: null }],
    ],
  ])('%s', (_name, series, expected) => {
    expect(summary(evaluateRule(rule('spo2_low'), series))).toEqual(expected);
  });

  it.each([
    [['continuous'], true],
    [['low_perfusion', 'continuous'], true],
    [['low_perfusion'], false],
    [[], false],
    [null, false],
  ])('flags %j are continuous: %s', (flags, expected) => {
    expect(isContinuous(flags)).toBe(expected);
  });
});

it('has no unrecognised rule in the defaults', () => {
  expect(new Set(DEFAULT_RULES.map((r) => r.id)).size).toBe(DEFAULT_RULES.length);
  expect(NONE).toEqual({ overrides: {}, targets: {} });
});
