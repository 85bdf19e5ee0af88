/**
 * Patient-local days for the digest (DOMAIN.md, "Time"): the same wall-time functions of the
 * contract the alert schedules use (alerts/local-time.ts), kept here so that the timeline,
 * which the alert lifecycle writes to, does not depend on alerts/ in turn.
 */
import { wallTimeAt, wallTimeToUtc } from '@vitals/contract';

const pad = (n: number) => String(n).padStart(2, '0');

/** The local date (YYYY-MM-DD) and minutes since local midnight of an instant in `tz`. */
export function localParts(utcMs: number, tz: string): { date: string; minutes: number } {
  const w = wallTimeAt(utcMs, tz);
  return { date: `${w.year}-${pad(w.month)}-${pad(w.day)}`, minutes: w.hours * 60 + w.minutes };
}

/** The UTC instant of local `date` at `hhmm` in `tz`. */
export function localToUtc(date: string, hhmm: string, tz: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const [hours, minutes] = hhmm.split(':').map(Number) as [number, number];
  const utc = wallTimeToUtc({ year, month, day, hours, minutes, seconds: 0 }, tz);
  if (!utc) throw new Error(`no such local time: ${date} ${hhmm}`);
  return utc.getTime();
}

/** The local date `days` after `date`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
