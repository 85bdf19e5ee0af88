/**
 * Device clocks keep local wall time without a zone. The simulator keeps each device's clock
 * as "naive" milliseconds (wall-clock fields read as if they were UTC), so a clock that is
 * wrong, reset or set by the gateway is one offset from the world's wall time.
 */

// The simulator keeps its own encoders, but time-zone arithmetic is the contract's, shared by all.
import { type WallTime, wallTimeAt } from '@vitals/contract';

export { type WallTime, wallTimeAt };

/** Wall-clock fields as naive milliseconds (the fields read as UTC). */
export function naiveMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hours, w.minutes, w.seconds);
}

/** Wall-clock fields of naive milliseconds. */
export function wallOfNaive(ms: number): WallTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}

/** Naive wall-clock milliseconds of the instant `utcMs` in `tz` (sub-second part kept). */
export function naiveWallMs(utcMs: number, tz: string): number {
  return naiveMs(wallTimeAt(utcMs, tz)) + (((utcMs % 1000) + 1000) % 1000);
}

/**
 * The UTC instant at which zone `tz` shows the wall time `w` (the earlier one in a DST overlap;
 * in a gap the fields are shifted forward as a clock would be).
 */
export function utcOfWallTime(w: WallTime, tz: string): Date {
  const naive = naiveMs(w);
  let guess = naive - (naiveWallMs(naive, tz) - naive);
  guess = naive - (naiveWallMs(guess, tz) - guess);
  return new Date(guess);
}
