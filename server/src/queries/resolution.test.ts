import { describe, expect, it } from 'vitest';
import { bucketSecondsFor, resolutionLabel } from './resolution.ts';

describe('chart resolution', () => {
  it('picks one-minute buckets for a day at 1,000 points', () => {
    expect(bucketSecondsFor(86_400_000, 1000)).toBe(120);
    expect(bucketSecondsFor(86_400_000, 1440)).toBe(60);
  });

  it('picks three-hour buckets for 90 days at 1,000 points (7,776 s needed)', () => {
    expect(bucketSecondsFor(90 * 86_400_000, 1000)).toBe(10800);
  });

  it('labels buckets in the largest whole unit', () => {
    expect(resolutionLabel(60)).toBe('1m');
    expect(resolutionLabel(7200)).toBe('2h');
    expect(resolutionLabel(86400)).toBe('1d');
    expect(resolutionLabel(15)).toBe('15s');
  });

  it('goes beyond a week in whole days for very long ranges', () => {
    expect(bucketSecondsFor(10 * 365 * 86_400_000, 100)).toBe(37 * 86400);
  });
});
