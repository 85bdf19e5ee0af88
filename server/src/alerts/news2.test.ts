import { describe, expect, it } from 'vitest';
import { news2, news2Episodes } from './news2.ts';

describe('NEWS2 from home parameters', () => {
  it.each([
    ['all normal', { spo2: 97, pulse_rate: 70, bp_systolic: 130, body_temperature: 36.8 }, 0, null],
    ['a single red parameter', { spo2: 91, pulse_rate: 70, bp_systolic: 130, body_temperature: 36.8 }, 3, 'low'],
    ['medium aggregate', { spo2: 93, pulse_rate: 115, bp_systolic: 105, body_temperature: 36.8 }, 5, 'medium'],
    [
      'high aggregate',
      { spo2: 91, pulse_rate: 135, bp_systolic: 130, body_temperature: 39.5, respiratory_rate: 22 },
      10,
      'high',
    ],
    ['scale 2 for a COPD patient on air', { spo2: 88, pulse_rate: 70, bp_systolic: 130, scale2: true }, 0, null],
    [
      'scale 2 on oxygen above target',
      { spo2: 97, pulse_rate: 70, bp_systolic: 130, scale2: true, onOxygen: true },
      5,
      'medium',
    ],
  ])('scores %s', (_n, input, score, priority) => {
    const r = news2(input)!;
    expect(r.score).toBe(score);
    expect(r.priority).toBe(priority);
  });

  it('lists what a home does not measure and scores it as normal', () => {
    const r = news2({ spo2: 97, pulse_rate: 70, bp_systolic: 130 })!;
    expect(r.missing).toEqual(['respiratory_rate', 'body_temperature', 'air_or_oxygen', 'consciousness']);
  });

  it('is not computed from fewer than three parameters', () => {
    expect(news2({ spo2: 85, pulse_rate: 140 })).toBeNull();
  });

  it.each([
    [35.0, 3],
    [35.1, 1],
    [36.0, 1],
    [36.1, 0],
    [38.0, 0],
    [38.1, 1],
    [39.0, 1],
    [39.1, 2],
  ])('scores temperature %d °C as %d', (t, points) => {
    expect(news2({ spo2: 97, pulse_rate: 70, body_temperature: t })!.parameters.body_temperature).toBe(points);
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
