/**
 * Wall-clock time in an IANA zone: the one place the system converts between a zone's local
 * fields and UTC. Device clocks report local time without a zone (read in the gateway's zone,
 * as the contract says); schedules and hand-overs are local-time rules in a patient's or
 * rota's zone, across DST where it exists.
 */

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hours: number;
  minutes: number;
  seconds: number;
  ms?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of the instant `utcMs` in zone `tz` (whole seconds). */
export function wallTimeAt(utcMs: number, tz: string): WallTime {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(utcMs)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hours: p.hour!, minutes: p.minute!, seconds: p.second! };
}

/** Offset of `tz` from UTC at the instant `utcMs`, in milliseconds. */
export function zoneOffsetMs(tz: string, utcMs: number): number {
  const w = wallTimeAt(utcMs, tz);
  return Date.UTC(w.year, w.month - 1, w.day, w.hours, w.minutes, w.seconds) - Math.floor(utcMs / 1000) * 1000;
}

/** True when the fields name a real calendar time (no month 13, no 31 February). */
export function isRealWallTime(w: WallTime): boolean {
  if (!Number.isInteger(w.year) || w.year < 1582 || w.year > 9999) return false;
  if (w.month < 1 || w.month > 12 || w.day < 1) return false;
  if (w.day > new Date(Date.UTC(w.year, w.month, 0)).getUTCDate()) return false;
  return w.hours >= 0 && w.hours <= 23 && w.minutes >= 0 && w.minutes <= 59 && w.seconds >= 0 && w.seconds <= 59;
}

/**
 * The UTC instant at which `tz` shows the wall time `w`. In a DST overlap the earlier instant
 * is taken; in a gap the fields are shifted forward as a clock would be. Null for impossible fields.
 */
export function wallTimeToUtc(w: WallTime, tz: string): Date | null {
  if (!isRealWallTime(w)) return null;
  const naive = Date.UTC(w.year, w.month - 1, w.day, w.hours, w.minutes, w.seconds, w.ms ?? 0);
  // Two passes settle the offset at the target instant, DST transitions included.
  let guess = naive - zoneOffsetMs(tz, naive);
  guess = naive - zoneOffsetMs(tz, guess);
  return new Date(guess);
}
