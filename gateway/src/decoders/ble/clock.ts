/**
 * Device clocks: Date Time (2A08, GSS 3.70) and Current Time (2A2B, GSS 3.62: Date Time,
 * Day of Week, Fractions256, Adjust Reason). Decoded into `info.clock`; the encoders write the
 * device clock from a Date as wall time in the gateway's zone.
 */
import type { DecodeResult } from '../result.ts';
import {
  DATE_TIME_SIZE,
  type DateTimeFields,
  deviceTime,
  formatDateTime,
  readDateTime,
  wallFields,
  writeDateTime,
} from './datetime.ts';
import { needsError, reservedNote, trailingNote } from './layout.ts';
import { bitNames } from './readings.ts';

/** Day of Week (GSS 3.72): 0 unknown, 1 Monday ... 7 Sunday. */
export const DAYS_OF_WEEK = ['unknown', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

export const ADJUST_REASONS = [
  [0, 'manual_time_update'],
  [1, 'external_reference_time_update'],
  [2, 'change_of_time_zone'],
  [3, 'change_of_dst'],
] as const;
export type AdjustReason = (typeof ADJUST_REASONS)[number][1];

function clockInfo(d: DateTimeFields, tz: string, notes: string[]): Record<string, unknown> {
  const clock: Record<string, unknown> = { local: formatDateTime(d) };
  const t = deviceTime(d, tz, 0, 'device clock');
  if (t.ok) clock.time = t.time;
  else notes.push(t.note);
  return clock;
}

export function decodeDateTime(bytes: Uint8Array, tz: string): DecodeResult {
  if (bytes.length < DATE_TIME_SIZE)
    return { ok: false, error: needsError('2A08', DATE_TIME_SIZE, 'the date time', 0, bytes.length) };
  const notes: string[] = [];
  const clock = clockInfo(readDateTime(bytes, 0), tz, notes);
  if (bytes.length > DATE_TIME_SIZE) notes.push(trailingNote(bytes.length - DATE_TIME_SIZE));
  return { ok: true, readings: [], notes, info: { clock } };
}

export function decodeCurrentTime(bytes: Uint8Array, tz: string): DecodeResult {
  const fields = [
    ['the date time', DATE_TIME_SIZE],
    ['the day of week', 1],
    ['the fractions256', 1],
    ['the adjust reason', 1],
  ] as const;
  let at = 0;
  for (const [what, size] of fields) {
    if (bytes.length < at + size) return { ok: false, error: needsError('2A2B', size, what, at, bytes.length) };
    at += size;
  }
  const notes: string[] = [];
  const clock = clockInfo(readDateTime(bytes, 0), tz, notes);
  const day = bytes[7]!;
  if (day <= 7) clock.dayOfWeek = DAYS_OF_WEEK[day];
  else notes.push(`day of week ${day} is reserved; ignored`);
  clock.fractions256 = bytes[8]!;
  const { names, unknown } = bitNames(bytes[9]!, ADJUST_REASONS);
  clock.adjustReason = names;
  if (unknown) notes.push(reservedNote('adjust reason', unknown, 2));
  if (bytes.length > 10) notes.push(trailingNote(bytes.length - 10));
  return { ok: true, readings: [], notes, info: { clock } };
}

/** Date Time (7 bytes) of `date` as wall time in `tz`, for writing 2A08. */
export function encodeDateTime(date: Date, tz: string): Uint8Array {
  const out = new Uint8Array(DATE_TIME_SIZE);
  writeDateTime(out, 0, wallFields(date, tz));
  return out;
}

/** Current Time (10 bytes) of `date` as wall time in `tz`, for writing 2A2B. */
export function encodeCurrentTime(date: Date, tz: string, adjustReasons: readonly AdjustReason[] = []): Uint8Array {
  const w = wallFields(date, tz);
  const out = new Uint8Array(10);
  writeDateTime(out, 0, w);
  out[7] = w.dayOfWeek;
  out[8] = Math.floor((w.ms * 256) / 1000);
  out[9] = ADJUST_REASONS.filter(([, name]) => adjustReasons.includes(name)).reduce(
    (acc, [bit]) => acc | (1 << bit),
    0,
  );
  return out;
}
