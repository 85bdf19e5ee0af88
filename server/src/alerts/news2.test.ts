import { describe, expect, it } from 'vitest';
import { type News2Input, news2, news2Episodes, scoreParameter, settledValue } from './news2.ts';

/** Everything known and scoring 0: alert, on air, scale 1. */
const WELL: News2Input = {
  respiratory_rate: 16,
  spo2: 97,
  inhaled_oxygen_flow: 0,
  bp_systolic: 130,
  pulse_rate: 70,
  consciousness: 'A',
  body_temperature: 36.8,
};

// Every boundary of the RCP NEWS2 chart 1 (2017): the last value of one row and the first of the next.
describe('NEWS2 chart 1, every band boundary', () => {
  it.each([
    ['respiratory_rate', 8, 3],
    ['respiratory_rate', 9, 1],
    ['respiratory_rate', 11, 1],
    ['respiratory_rate', 12, 0],
    ['respiratory_rate', 20, 0],
    ['respiratory_rate', 21, 2],
    ['respiratory_rate', 24, 2],
    ['respiratory_rate', 25, 3],
    ['spo2', 91, 3],
    ['spo2', 92, 2],
    ['spo2', 93, 2],
    ['spo2', 94, 1],
    ['spo2', 95, 1],
    ['spo2', 96, 0],
    ['bp_systolic', 90, 3],
    ['bp_systolic', 91, 2],
    ['bp_systolic', 100, 2],
    ['bp_systolic', 101, 1],
    ['bp_systolic', 110, 1],
    ['bp_systolic', 111, 0],
    ['bp_systolic', 219, 0],
    ['bp_systolic', 220, 3],
    ['pulse_rate', 40, 3],
    ['pulse_rate', 41, 1],
    ['pulse_rate', 50, 1],
    ['pulse_rate', 51, 0],
    ['pulse_rate', 90, 0],
    ['pulse_rate', 91, 1],
    ['pulse_rate', 110, 1],
    ['pulse_rate', 111, 2],
    ['pulse_rate', 130, 2],
    ['pulse_rate', 131, 3],
    ['body_temperature', 35.0, 3],
    ['body_temperature', 35.1, 1],
    ['body_temperature', 36.0, 1],
    ['body_temperature', 36.1, 0],
    ['body_temperature', 38.0, 0],
    ['body_temperature', 38.1, 1],
    ['body_temperature', 39.0, 1],
    ['body_temperature', 39.1, 2],
    ['inhaled_oxygen_flow', 0, 0],
    ['inhaled_oxygen_flow', 0.5, 2],
    ['inhaled_oxygen_flow', 2, 2],
  ] as const)('scores %s %d as %d', (metric, value, points) => {
    const r = news2({ ...WELL, [metric]: value });
    expect(r.score).toBe(points);
    expect(r.partial).toBe(false);
  });

  it.each([
    ['A', 0],
    ['C', 3],
    ['V', 3],
    ['P', 3],
    ['U', 3],
  ])('scores consciousness %s as %d', (code, points) => {
    expect(news2({ ...WELL, consciousness: code }).parameters.consciousness).toEqual({ value: code, score: points });
  });

  it.each([
    // [SpO2, oxygen flow, points]
    [83, 0, 3],
    [84, 0, 2],
    [85, 0, 2],
    [86, 0, 1],
    [87, 0, 1],
    [88, 0, 0],
    [92, 0, 0],
    [93, 0, 0],
    [100, 0, 0],
    [88, 2, 0],
    [92, 2, 0],
    [93, 2, 1],
    [94, 2, 1],
    [95, 2, 2],
    [96, 2, 2],
    [97, 2, 3],
  ])('scores SpO2 %d %% on scale 2 at %d L/min of oxygen as %d', (spo2, flow, points) => {
    const r = news2({ ...WELL, spo2Scale: 2, spo2, inhaled_oxygen_flow: flow });
    expect(r.parameters.spo2).toEqual({ value: spo2, score: points });
    expect(r.parameters.airOrOxygen).toEqual({ value: flow, score: flow > 0 ? 2 : 0 });
  });
});

describe('NEWS2 chart 2, the bands of the aggregate score', () => {
  it.each([
    ['all normal', {}, 0, 'low', null],
    ['an aggregate of 4 without a single 3', { pulse_rate: 115, spo2: 94, respiratory_rate: 10 }, 4, 'low', null],
    ['a single red parameter', { spo2: 91 }, 3, 'low-medium', 'low'],
    ['an aggregate of 5', { spo2: 93, pulse_rate: 115, bp_systolic: 105 }, 5, 'medium', 'medium'],
    ['an aggregate of 6 with a red parameter', { spo2: 91, pulse_rate: 115, bp_systolic: 105 }, 6, 'medium', 'medium'],
    ['an aggregate of 7', { consciousness: 'V', pulse_rate: 115, bp_systolic: 100 }, 7, 'high', 'high'],
    ['supplemental oxygen', { inhaled_oxygen_flow: 2, spo2: 93, pulse_rate: 115 }, 6, 'medium', 'medium'],
  ] as const)('puts %s in its band', (_n, changes, score, band, priority) => {
    const r = news2({ ...WELL, ...changes });
    expect({ score: r.score, band: r.band, priority: r.priority, partial: r.partial }).toEqual({
      score,
      band,
      priority,
      partial: false,
    });
  });
});

describe('NEWS2 from what is known: partial scores', () => {
  it('never assumes consciousness or air: both are missing when not known', () => {
    const r = news2({ spo2: 97, pulse_rate: 70, bp_systolic: 130, respiratory_rate: 16, body_temperature: 36.8 });
    expect(r).toMatchObject({ score: 0, partial: true, missing: ['airOrOxygen', 'consciousness'] });
    expect(r.parameters.consciousness).toBeUndefined();
  });

  it('surfaces a single red parameter as low-medium even when it is the only one known', () => {
    const r = news2({ spo2: 85 });
    expect(r).toMatchObject({ score: 3, band: 'low-medium', priority: 'low', partial: true });
    expect(r.missing).toEqual([
      'respiratoryRate',
      'airOrOxygen',
      'systolicBloodPressure',
      'pulse',
      'consciousness',
      'temperature',
    ]);
  });

  it('scores two parameters as a lower bound: 5 from pulse and SpO2 is medium', () => {
    expect(news2({ spo2: 91, pulse_rate: 115 })).toMatchObject({ score: 5, band: 'medium', partial: true });
  });

  it('gives score 0, partial, with every parameter missing when nothing is known', () => {
    expect(news2({})).toMatchObject({ score: 0, band: 'low', partial: true, parameters: {} });
    expect(news2({}).missing).toHaveLength(7);
  });

  it.each([
    [93, 'missing'],
    [97, 'missing'],
    [92, 0],
    [86, 1],
  ] as const)('on scale 2 with oxygen unknown scores SpO2 %d %% as %s', (spo2, expected) => {
    const r = news2({ spo2Scale: 2, spo2, pulse_rate: 70 });
    if (expected === 'missing') {
      expect(r.missing).toContain('spo2');
      expect(r.parameters.spo2).toBeUndefined();
    } else expect(r.parameters.spo2).toEqual({ value: spo2, score: expected });
    expect(r.missing).toContain('airOrOxygen');
  });

  it('ignores a code that is not ACVPU', () => {
    expect(news2({ ...WELL, consciousness: 'X' }).missing).toEqual(['consciousness']);
  });
});

describe('NEWS2 episodes over a scored series', () => {
  const MIN = 60_000;
  // Pulse 125 (2), temperature 39.5 (2), SpO2 91 (3 on scale 1): 7 = high.
  const ill = news2({ pulse_rate: 125, body_temperature: 39.5, spo2: 91, bp_systolic: 120 });
  const worse = news2({ pulse_rate: 135, body_temperature: 39.5, spo2: 91, bp_systolic: 120 });
  const well = news2({ pulse_rate: 70, body_temperature: 36.6, spo2: 97, bp_systolic: 120 });

  it('finds an episode inside a series that ends well, with its onset, worst score and clearing time', () => {
    const series = [
      { t: 0, r: well },
      { t: MIN, r: ill },
      { t: 2 * MIN, r: worse },
      { t: 3 * MIN, r: ill },
      { t: 4 * MIN, r: well },
      { t: 5 * MIN, r: well },
    ];
    const [e, ...rest] = news2Episodes(series);
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ onset: MIN, last: 3 * MIN, priority: 'high', clearedAt: 4 * MIN });
    expect(e!.worst.score).toBe(worse!.score);
    expect(e!.lastScore).toBe(ill!.score);
  });

  it('keeps an episode still going at the end of the series open, and finds two apart', () => {
    const eps = news2Episodes([
      { t: 0, r: ill },
      { t: MIN, r: well },
      { t: 2 * MIN, r: null }, // too few parameters: not an alert band
      { t: 3 * MIN, r: ill },
    ]);
    expect(eps.map((e) => [e.onset, e.clearedAt])).toEqual([
      [0, MIN],
      [3 * MIN, undefined],
    ]);
  });

  it('finds nothing in a series that stays well', () => {
    expect(
      news2Episodes([
        { t: 0, r: well },
        { t: MIN, r: well },
      ]),
    ).toEqual([]);
  });
});

describe('a continuous monitor’s value counts for NEWS2 once it has held for two minutes', () => {
  const spo2 = (v: number) => scoreParameter('spo2', v);
  const run = (start: number, values: number[], stepMs = 1000) =>
    values.map((value, i) => ({ time: start + i * stepMs, value }));
  const GAP = 60_000;

  it('a ten-second dip inside a steady run does not count: the value that held scores least', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i >= 280 && i < 290 ? 85 : 97));
    const r = run(0, values);
    expect(settledValue(r, 289_000, spo2, GAP)).toEqual({ time: 279_000, value: 97 });
  });

  it('a low value that has held for the whole window counts', () => {
    const values = Array.from({ length: 300 }, (_, i) => (i >= 150 ? 85 : 97));
    expect(settledValue(run(0, values), 299_000, spo2, GAP)?.value).toBe(85);
  });

  it('the value holding when the window opened counts with the ones inside it', () => {
    // One reading a minute: 93 % (2 points) at the window's start, 85 % (3 points) since.
    const r = [
      { time: 0, value: 93 },
      { time: 60_000, value: 85 },
      { time: 120_000, value: 85 },
      { time: 150_000, value: 85 },
    ];
    expect(settledValue(r, 150_000, spo2, GAP)).toEqual({ time: 0, value: 93 });
  });

  it('a monitor put on less than two minutes ago has not settled', () => {
    expect(settledValue(run(0, Array(100).fill(85)), 99_000, spo2, GAP)).toBeNull();
  });

  it('a gap longer than the run allows starts the wait again', () => {
    const r = [...run(0, Array(200).fill(85)), ...run(300_000, Array(60).fill(85))];
    expect(settledValue(r, 359_000, spo2, GAP)).toBeNull();
    expect(settledValue(r, 199_000, spo2, GAP)?.value).toBe(85);
  });

  it('a monitor silent for longer than a gap at the time scored has no settled value', () => {
    expect(settledValue(run(0, Array(200).fill(85)), 400_000, spo2, GAP)).toBeNull();
  });

  it('readings after the time scored are ignored', () => {
    const values = Array.from({ length: 400 }, (_, i) => (i >= 300 ? 97 : 85));
    expect(settledValue(run(0, values), 299_000, spo2, GAP)?.value).toBe(85);
  });
});
