/**
 * The GATT Date Time structure (GSS 3.70, characteristic 2A08): year uint16, month, day,
 * hours, minutes, seconds (uint8 each); year 0, month 0 or day 0 mean "not known". Device
 * clocks hold local wall time without a zone; the contract reads it in the gateway's zone.
 */
import { type WallTime, wallTimeToUtc, zoneOffsetMs } from '../local-time.ts';

export const DATE_TIME_SIZE = 7;

export interface DateTimeFields {
  year: number;
  month: number;
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export function readDateTime(bytes: Uint8Array, offset: number): DateTimeFields {
  return {
    year: bytes[offset]! | (bytes[offset + 1]! << 8),
    month: bytes[offset + 2]!,
    day: bytes[offset + 3]!,
    hours: bytes[offset + 4]!,
    minutes: bytes[offset + 5]!,
    seconds: bytes[offset + 6]!,
  };
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2026-11-24 08:00:05`, the fields exactly as the device sent them. */
export function formatDateTime(d: DateTimeFields): string {
  return `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)} ${pad(d.hours)}:${pad(d.minutes)}:${pad(d.seconds)}`;
}

export type DeviceTime = { ok: true; time: string } | { ok: false; note: string };

/**
 * The UTC time of a device time stamp read in `tz`, with an optional offset in minutes added to
 * the wall time (Glucose base time + time offset gives the user-facing time, GLS 3.106.3).
 */
export function deviceTime(d: DateTimeFields, tz: string, offsetMinutes = 0, what = 'time stamp'): DeviceTime {
  if (d.year === 0 || d.month === 0 || d.day === 0)
    return { ok: false, note: `${what} ${formatDateTime(d)} is not known (year, month or day is 0)` };
  const base: WallTime = { ...d };
  let wall = base;
  if (offsetMinutes !== 0 && isCalendarTime(d)) {
    const shifted = new Date(
      Date.UTC(d.year, d.month - 1, d.day, d.hours, d.minutes, d.seconds) + offsetMinutes * 60_000,
    );
    wall = {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hours: shifted.getUTCHours(),
      minutes: shifted.getUTCMinutes(),
      seconds: shifted.getUTCSeconds(),
    };
  }
  const utc = isCalendarTime(d) ? wallTimeToUtc(wall, tz) : null;
  if (!utc) return { ok: false, note: `${what} ${formatDateTime(d)} is not a real date and time` };
  return { ok: true, time: utc.toISOString() };
}

/** The time of a measurement's time stamp, or undefined with a note saying why there is none. */
export function measurementTime(
  d: DateTimeFields | undefined,
  tz: string,
  notes: string[],
  offsetMinutes = 0,
  what = 'time stamp',
): string | undefined {
  if (!d) return undefined;
  const t = deviceTime(d, tz, offsetMinutes, what);
  if (t.ok) return t.time;
  notes.push(`${t.note}: reading has no time`);
  return undefined;
}

function isCalendarTime(d: DateTimeFields): boolean {
  if (d.year < 1582 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  if (d.day > new Date(Date.UTC(d.year, d.month, 0)).getUTCDate()) return false;
  return d.hours <= 23 && d.minutes <= 59 && d.seconds <= 59;
}

/** Wall-clock fields of the instant `date` in `tz`, plus milliseconds and ISO weekday (1 = Monday). */
export function wallFields(date: Date, tz: string): DateTimeFields & { ms: number; dayOfWeek: number } {
  const ms = date.getTime();
  const local = new Date(ms + zoneOffsetMs(tz, ms));
  const weekday = local.getUTCDay();
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hours: local.getUTCHours(),
    minutes: local.getUTCMinutes(),
    seconds: local.getUTCSeconds(),
    ms: local.getUTCMilliseconds(),
    dayOfWeek: weekday === 0 ? 7 : weekday,
  };
}

export function writeDateTime(out: Uint8Array, offset: number, d: DateTimeFields): void {
  out[offset] = d.year & 0xff;
  out[offset + 1] = d.year >> 8;
  out[offset + 2] = d.month;
  out[offset + 3] = d.day;
  out[offset + 4] = d.hours;
  out[offset + 5] = d.minutes;
  out[offset + 6] = d.seconds;
}
