import { describe, expect, it } from 'vitest';
import {
  dayInZone,
  formatAgo,
  formatDuration,
  formatFullDateTime,
  formatMeasurementTime,
  safeZone,
  timeAxisLabels,
  toMillis,
  zoneAbbreviation,
} from './time-format.ts';

const NOW = Date.parse('2026-11-24T06:00:00.000Z'); // 15:00 in Tokyo, 22:00 the day before in Los Angeles
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('formatMeasurementTime', () => {
  it("shows only the time for a measurement from today in the patient's zone", () => {
    const t = Date.parse('2026-11-24T05:28:00.000Z');
    expect(formatMeasurementTime(t, 'Asia/Tokyo', 'ja', NOW)).toBe('14:28');
    expect(formatMeasurementTime(t, 'Asia/Tokyo', 'en', NOW)).toBe('14:28');
  });

  it("decides what today is in the patient's zone, not in UTC", () => {
    expect(formatMeasurementTime(Date.parse('2026-11-23T15:00:00.000Z'), 'Asia/Tokyo', 'ja', NOW)).toBe('00:00');
    expect(formatMeasurementTime(Date.parse('2026-11-23T14:59:00.000Z'), 'Asia/Tokyo', 'ja', NOW)).toBe(
      '11月23日 23:59',
    );
    expect(formatMeasurementTime(Date.parse('2026-11-23T14:59:00.000Z'), 'Asia/Tokyo', 'en', NOW)).toBe(
      'Nov 23, 23:59',
    );
  });

  it('adds the year for a measurement from another year', () => {
    const t = Date.parse('2025-11-23T14:59:00.000Z');
    expect(formatMeasurementTime(t, 'Asia/Tokyo', 'ja', NOW)).toBe('2025年11月23日 23:59');
    expect(formatMeasurementTime(t, 'Asia/Tokyo', 'en', NOW)).toBe('Nov 23, 2025, 23:59');
  });

  it("shows the time in the patient's zone when it differs from Tokyo", () => {
    expect(formatMeasurementTime(Date.parse('2026-11-24T05:28:00.000Z'), 'America/Los_Angeles', 'en', NOW)).toBe(
      '21:28',
    );
  });
});

describe('formatAgo', () => {
  it('says now for anything within a minute, including small clock differences into the future', () => {
    expect(formatAgo(NOW - 30_000, NOW, 'en')).toBe('now');
    expect(formatAgo(NOW + 30_000, NOW, 'ja')).toBe('今');
  });

  it('uses whole minutes, hours and days in the chosen language', () => {
    expect(formatAgo(NOW - 10 * MIN, NOW, 'en')).toBe('10 minutes ago');
    expect(formatAgo(NOW - 10 * MIN, NOW, 'ja')).toBe('10 分前');
    expect(formatAgo(NOW - 3 * HOUR - 59 * MIN, NOW, 'en')).toBe('3 hours ago');
    expect(formatAgo(NOW - 26 * HOUR, NOW, 'en')).toBe('yesterday');
    expect(formatAgo(NOW - 80 * HOUR, NOW, 'en')).toBe('3 days ago');
  });

  it('says a time well in the future is in the future, which points at a wrong device clock', () => {
    expect(formatAgo(NOW + 5 * MIN, NOW, 'en')).toBe('in 5 minutes');
  });
});

describe('time axis labels', () => {
  it('show the date on the first tick and where the day changes, otherwise only the time', () => {
    const s = NOW / 1000;
    expect(timeAxisLabels([s, s + 9 * 3600, s + 18 * 3600], 9 * 3600, 'Asia/Tokyo', 'en')).toStrictEqual([
      'Nov 24\n15:00',
      'Nov 25\n00:00',
      '09:00',
    ]);
  });

  it('show only dates when ticks are a day or more apart', () => {
    expect(timeAxisLabels([NOW / 1000, NOW / 1000 + 86_400], 86_400, 'Asia/Tokyo', 'ja')).toStrictEqual([
      '11月24日',
      '11月25日',
    ]);
  });
});

describe('zones', () => {
  it('fall back to Asia/Tokyo for a missing or unknown zone', () => {
    expect(safeZone(undefined)).toBe('Asia/Tokyo');
    expect(safeZone('Mars/Olympus_Mons')).toBe('Asia/Tokyo');
    expect(safeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('give the calendar day of an instant in a zone', () => {
    expect(dayInZone(NOW, 'Asia/Tokyo')).toBe('2026-11-24');
    expect(dayInZone(NOW, 'America/Los_Angeles')).toBe('2026-11-23');
  });

  it('have a short name per language', () => {
    expect(zoneAbbreviation('Asia/Tokyo', 'ja', NOW)).toBe('JST');
    expect(zoneAbbreviation('Asia/Tokyo', 'en', NOW)).toBe('GMT+9');
  });

  it('format full date and time for chart legends', () => {
    expect(formatFullDateTime(NOW, 'Asia/Tokyo', 'ja')).toBe('2026年11月24日 15:00');
  });
});

describe('toMillis', () => {
  it('reads ISO strings and passes epoch milliseconds through', () => {
    expect(toMillis('2026-11-24T06:00:00.000Z')).toBe(NOW);
    expect(toMillis(NOW)).toBe(NOW);
    expect(toMillis('not a time')).toBeNaN();
  });
});

describe('formatDuration', () => {
  it('says how long in the largest whole unit, in either language', () => {
    expect(formatDuration(12 * 60_000 + 5_000, 'en')).toBe('12 min');
    expect(formatDuration(12 * 60_000, 'ja')).toBe('12 分');
    expect(formatDuration(3 * 3_600_000 + 1, 'en')).toBe('3 hr');
    expect(formatDuration(2 * 86_400_000, 'ja')).toBe('2 日');
    expect(formatDuration(-5, 'en')).toBe('0 min');
  });
});
