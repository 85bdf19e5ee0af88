/** Dates and times in the patient's time zone, with Intl (formatters cached: they are costly to build). */
import { INTL_LOCALE, type Locale } from './i18n.ts';

export const DEFAULT_TIMEZONE = 'Asia/Tokyo';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** API times are ISO 8601 strings; epoch milliseconds are accepted too. NaN when unreadable. */
export function toMillis(t: string | number): number {
  return typeof t === 'number' ? t : Date.parse(t);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, zone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_LOCALE[locale], { ...options, timeZone: zone });
    formatters.set(key, f);
  }
  return f;
}

/** A zone name the runtime accepts, else the default: a bad zone in patient data must not break the page. */
export function safeZone(zone: string | undefined | null): string {
  if (!zone) return DEFAULT_TIMEZONE;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return DEFAULT_TIMEZONE;
  }
}

const dayKeyFormatters = new Map<string, Intl.DateTimeFormat>();

/** `YYYY-MM-DD` of the instant in the zone. */
export function dayInZone(ms: number, zone: string): string {
  let f = dayKeyFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayKeyFormatters.set(zone, f);
  }
  const parts = f.formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const DATE: Intl.DateTimeFormatOptions = { month: 'short', day: 'numeric' };
const DATE_YEAR: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric' };

/**
 * A measurement time as a wall screen shows it: only the time when it is today in the zone,
 * the date too when not, and the year too when it is not this year.
 */
export function formatMeasurementTime(ms: number, zone: string, locale: Locale, nowMs: number): string {
  const day = dayInZone(ms, zone);
  const today = dayInZone(nowMs, zone);
  if (day === today) return formatter(locale, zone, TIME).format(ms);
  const options = day.slice(0, 4) === today.slice(0, 4) ? { ...DATE, ...TIME } : { ...DATE_YEAR, ...TIME };
  return formatter(locale, zone, options).format(ms);
}

/** Date and time with the year, for chart legends and tooltips. */
export function formatFullDateTime(ms: number, zone: string, locale: Locale): string {
  return formatter(locale, zone, { ...DATE_YEAR, ...TIME }).format(ms);
}

export function formatDate(ms: number, zone: string, locale: Locale): string {
  return formatter(locale, zone, DATE_YEAR).format(ms);
}

const relative = new Map<Locale, Intl.RelativeTimeFormat>();

/**
 * How long ago, in the largest whole unit ("5 minutes ago", "5分前"). Times up to a minute in
 * the future count as now: device and browser clocks differ by a few seconds.
 */
export function formatAgo(ms: number, nowMs: number, locale: Locale): string {
  let rtf = relative.get(locale);
  if (!rtf) {
    rtf = new Intl.RelativeTimeFormat(INTL_LOCALE[locale], { numeric: 'auto' });
    relative.set(locale, rtf);
  }
  const diff = nowMs - ms;
  if (diff > -MINUTE_MS && diff < MINUTE_MS) return rtf.format(0, 'second');
  const abs = Math.abs(diff);
  const sign = diff > 0 ? -1 : 1;
  if (abs < HOUR_MS) return rtf.format(sign * Math.floor(abs / MINUTE_MS), 'minute');
  if (abs < DAY_MS) return rtf.format(sign * Math.floor(abs / HOUR_MS), 'hour');
  return rtf.format(sign * Math.floor(abs / DAY_MS), 'day');
}

/** The zone's short name at that instant ("JST", "GMT+9"), to show beside times. */
export function zoneAbbreviation(zone: string, locale: Locale, ms: number): string {
  const parts = formatter(locale, zone, { timeZoneName: 'short' }).formatToParts(ms);
  return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
}

/**
 * Labels of the time axis ticks (uPlot gives splits in seconds and the tick spacing it chose).
 * Ticks a day or more apart show the date; closer ticks show the time, and the date where
 * the day changes (and on the first tick) so the reader never loses the day.
 */
export function timeAxisLabels(splitsSec: number[], incrSec: number, zone: string, locale: Locale): string[] {
  let previousDay = '';
  return splitsSec.map((s) => {
    const ms = s * 1000;
    if (incrSec >= DAY_MS / 1000) return formatter(locale, zone, DATE).format(ms);
    const day = dayInZone(ms, zone);
    const time = formatter(locale, zone, TIME).format(ms);
    const label = day !== previousDay ? `${formatter(locale, zone, DATE).format(ms)}\n${time}` : time;
    previousDay = day;
    return label;
  });
}

const durations = new Map<string, Intl.NumberFormat>();

/** A length of time in its largest whole unit ("12 min", "12分"), for how long an alert is open. */
export function formatDuration(ms: number, locale: Locale): string {
  const abs = Math.max(0, ms);
  const [n, unit] =
    abs < HOUR_MS
      ? [Math.floor(abs / MINUTE_MS), 'minute']
      : abs < DAY_MS
        ? [Math.floor(abs / HOUR_MS), 'hour']
        : [Math.floor(abs / DAY_MS), 'day'];
  const key = `${locale}|${unit}`;
  let f = durations.get(key);
  if (!f) {
    f = new Intl.NumberFormat(INTL_LOCALE[locale], { style: 'unit', unit, unitDisplay: 'short' });
    durations.set(key, f);
  }
  return f.format(n);
}
