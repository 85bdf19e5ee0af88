/**
 * Time characteristics, from the GATT Specification Supplement (GSS):
 * Date Time 2A08 (§3.67): year uint16 (0 = unknown), month, day, hours, minutes, seconds (uint8).
 * Day Date Time 2A0A: Date Time + Day of Week 2A09 (1 = Monday .. 7 = Sunday, 0 = unknown).
 * Current Time 2A2B (CTS §3.1): Exact Time 256 (Day Date Time + Fractions256) + Adjust Reason.
 */
import type { WallTime } from '../wall-clock.ts';
import { ByteWriter, bit } from './writer.ts';

export function writeDateTime(w: ByteWriter, t: WallTime): ByteWriter {
  return w.u16(t.year).u8(t.month).u8(t.day).u8(t.hours).u8(t.minutes).u8(t.seconds);
}

/** Date Time 2A08, 7 bytes. */
export function encodeDateTime(t: WallTime): Uint8Array {
  return writeDateTime(new ByteWriter(), t).toBytes();
}

/** ISO day of week (1 = Monday .. 7 = Sunday) of a calendar date. */
export function dayOfWeek(t: WallTime): number {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export interface AdjustReason {
  manualTimeUpdate?: boolean;
  externalReferenceTimeUpdate?: boolean;
  changeOfTimeZone?: boolean;
  changeOfDst?: boolean;
}

export interface CurrentTime {
  time: WallTime;
  /** Day of week; computed from the date when left out. */
  dayOfWeek?: number;
  /** 1/256 s units. */
  fractions256?: number;
  adjustReason?: AdjustReason;
}

/** Current Time 2A2B, 10 bytes. */
export function encodeCurrentTime(c: CurrentTime): Uint8Array {
  const r = c.adjustReason ?? {};
  const reason =
    bit(r.manualTimeUpdate, 0) |
    bit(r.externalReferenceTimeUpdate, 1) |
    bit(r.changeOfTimeZone, 2) |
    bit(r.changeOfDst, 3);
  return writeDateTime(new ByteWriter(), c.time)
    .u8(c.dayOfWeek ?? dayOfWeek(c.time))
    .u8(c.fractions256 ?? 0)
    .u8(reason)
    .toBytes();
}

/**
 * Reads the Date Time at the start of a Current Time (or Date Time) value that a client wrote.
 * Returns null when the value is shorter than 7 bytes or names no real time.
 */
export function parseWrittenDateTime(bytes: Uint8Array): WallTime | null {
  if (bytes.length < 7) return null;
  const t: WallTime = {
    year: bytes[0]! | (bytes[1]! << 8),
    month: bytes[2]!,
    day: bytes[3]!,
    hours: bytes[4]!,
    minutes: bytes[5]!,
    seconds: bytes[6]!,
  };
  const daysInMonth = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
  const real =
    t.year >= 1582 &&
    t.year <= 9999 &&
    t.month >= 1 &&
    t.month <= 12 &&
    t.day >= 1 &&
    t.day <= daysInMonth &&
    t.hours <= 23 &&
    t.minutes <= 59 &&
    t.seconds <= 59;
  return real ? t : null;
}
