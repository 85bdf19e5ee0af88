/**
 * Local wall time in a patient's or rota's zone. Schedules ("morning blood pressure by
 * 10:00") and hand-over times are local-time rules evaluated in that zone, across DST
 * where it exists (shared/DOMAIN.md, "Time").
 */
import { isValidTimeZone, wallTimeAt, wallTimeToUtc } from '@vitals/contract';

export interface LocalParts {
  date: string; // YYYY-MM-DD
  minutes: number; // minutes since local midnight
  weekday: number; // 0 Sunday .. 6 Saturday
}

export function localParts(utcMs: number, tz: string): LocalParts {
  const w = wallTimeAt(utcMs, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    date: `${w.year}-${pad(w.month)}-${pad(w.day)}`,
    minutes: w.hours * 60 + w.minutes,
    weekday: new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay(),
  };
}

/** The UTC instant of local `date` (YYYY-MM-DD) at `hhmm` ("10:00") in `tz`. */
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

export function isHhMm(s: unknown): s is string {
  return typeof s === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

export const isTimeZone = isValidTimeZone;
