import { describe, expect, it } from 'vitest';
import { isRealWallTime, wallTimeToUtc } from './zoned-time.ts';

describe('wallTimeToUtc', () => {
  it('reads a Tokyo wall time nine hours ahead of UTC', () => {
    const d = wallTimeToUtc({ year: 2026, month: 11, day: 24, hours: 8, minutes: 0, seconds: 5 }, 'Asia/Tokyo');
    expect(d?.toISOString()).toBe('2026-11-23T23:00:05.000Z');
  });

  it('follows daylight saving time in New York', () => {
    const summer = wallTimeToUtc(
      { year: 2026, month: 7, day: 1, hours: 12, minutes: 0, seconds: 0 },
      'America/New_York',
    );
    const winter = wallTimeToUtc(
      { year: 2026, month: 1, day: 1, hours: 12, minutes: 0, seconds: 0 },
      'America/New_York',
    );
    expect(summer?.toISOString()).toBe('2026-07-01T16:00:00.000Z');
    expect(winter?.toISOString()).toBe('2026-01-01T17:00:00.000Z');
  });

  it('returns null for a date that does not exist', () => {
    expect(wallTimeToUtc({ year: 2026, month: 2, day: 30, hours: 0, minutes: 0, seconds: 0 }, 'UTC')).toBeNull();
    expect(isRealWallTime({ year: 0, month: 0, day: 0, hours: 0, minutes: 0, seconds: 0 })).toBe(false);
  });
});
