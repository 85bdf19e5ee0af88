import { describe, expect, it } from 'vitest';
import { news2 } from './news2.ts';

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
