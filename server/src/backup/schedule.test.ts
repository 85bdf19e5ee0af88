import { describe, expect, it } from 'vitest';
import { backupAtProblem, dueDay } from './schedule.ts';

describe('dueDay', () => {
  it("is yesterday's backup before the time of day in the zone and today's from then on", () => {
    // 02:59 and 03:00 in Tokyo are 17:59 and 18:00 UTC of the day before.
    expect(dueDay(Date.parse('2026-12-02T17:59:00Z'), '03:00', 'Asia/Tokyo')).toBe('2026-12-02');
    expect(dueDay(Date.parse('2026-12-02T18:00:00Z'), '03:00', 'Asia/Tokyo')).toBe('2026-12-03');
    expect(dueDay(Date.parse('2026-12-03T14:59:00Z'), '03:00', 'Asia/Tokyo')).toBe('2026-12-03');
  });

  it('follows a zone with summer time across the change', () => {
    // Berlin changes to summer time at 02:00 on 2026-03-29; 03:00 local is then 01:00 UTC.
    expect(dueDay(Date.parse('2026-03-29T00:59:00Z'), '03:00', 'Europe/Berlin')).toBe('2026-03-28');
    expect(dueDay(Date.parse('2026-03-29T01:00:00Z'), '03:00', 'Europe/Berlin')).toBe('2026-03-29');
  });
});

describe('backupAtProblem', () => {
  it('accepts HH:MM and names what is wrong otherwise', () => {
    expect(backupAtProblem('03:00')).toBeNull();
    expect(backupAtProblem('23:59')).toBeNull();
    expect(backupAtProblem('3:00')).toMatch(/not a time of day as HH:MM/);
    expect(backupAtProblem('24:00')).toMatch(/HH:MM/);
  });
});
