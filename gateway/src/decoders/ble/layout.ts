/**
 * Byte layouts as data: a characteristic is a flags field followed by rows (name, type, the
 * flag bit that makes it present, scale). One reader interprets every layout; decoders keep
 * only the irregular parts (RR interval lists, op-code dependent operands, strings).
 * All multi-byte fields are little-endian (Core Spec Vol 3 Part G 3.3.3 / GSS 2.2).
 */
import { roundTo } from '@vitals/contract';
import { decodeFloat, decodeSfloat, type MderValue, type SpecialValue } from '../ieee11073.ts';
import { DATE_TIME_SIZE, type DateTimeFields, readDateTime } from './datetime.ts';

export type FieldType = 'u8' | 'u16' | 's16' | 'u24' | 'u32' | 'sfloat' | 'float' | 'datetime';

export const FIELD_SIZE: Record<FieldType, number> = {
  u8: 1,
  u16: 2,
  s16: 2,
  u24: 3,
  u32: 4,
  sfloat: 2,
  float: 4,
  datetime: DATE_TIME_SIZE,
};

/** A fixed resolution, or one per unit system: [units flag clear (SI), units flag set (imperial)]. */
export type Scale = number | readonly [number, number];

export interface FieldRow {
  name: string;
  /** Used in errors: "needs 7 bytes for <what> at offset 7". */
  what: string;
  type: FieldType;
  /** Present only when this flag bit is set. */
  flag?: number;
  /** Present only when this flag bit is clear. */
  flagClear?: number;
  /** Integer fields with a scale are measurements: raw x scale, returned as a Measured. */
  scale?: Scale;
  /** Raw value meaning "measurement unsuccessful" (GSS Weight/Body Composition: 0xFFFF). */
  unsuccessful?: number;
}

export interface Layout {
  /** Four hex digits, upper-case, used to prefix errors. */
  characteristic: string;
  flags: 'u8' | 'u16';
  /** Flag bits the specification defines; the others are reserved and ignored with a note. */
  definedFlags: number;
  /** The flag bit that selects the second unit system (kPa, degF, imperial). */
  unitsFlag?: number;
  rows: readonly FieldRow[];
}

export type Measured = MderValue | { kind: 'unsuccessful' };
export type FieldValue = number | Measured | DateTimeFields;

export interface Parsed {
  flags: number;
  /** True when the units flag is set. */
  altUnits: boolean;
  fields: Record<string, FieldValue>;
  /** Offset just after the last field read. */
  end: number;
  notes: string[];
}

export type ParseResult = ({ ok: true } & Parsed) | { ok: false; error: string };

const hex = (n: number, digits: number): string => `0x${n.toString(16).toUpperCase().padStart(digits, '0')}`;

export function needsError(characteristic: string, size: number, what: string, offset: number, length: number): string {
  const got = Math.max(0, length - offset);
  return `${characteristic}: needs ${size} byte${size === 1 ? '' : 's'} for ${what} at offset ${offset}, got ${got}`;
}

export function readUint(bytes: Uint8Array, offset: number, size: number): number {
  let v = 0;
  for (let i = size - 1; i >= 0; i--) v = v * 256 + bytes[offset + i]!;
  return v;
}

function decimalsOf(scale: number): number {
  return (String(scale).split('.')[1] ?? '').length;
}

export function scaleFor(scale: Scale, altUnits: boolean): number {
  return typeof scale === 'number' ? scale : scale[altUnits ? 1 : 0];
}

/** raw x scale without binary noise (0.005 x 14000 = 70, not 70.00000000000001). */
export function applyScale(raw: number, scale: number): number {
  return roundTo(raw * scale, decimalsOf(scale));
}

function readField(row: FieldRow, bytes: Uint8Array, offset: number, altUnits: boolean, scale?: Scale): FieldValue {
  switch (row.type) {
    case 'sfloat':
      return decodeSfloat(readUint(bytes, offset, 2));
    case 'float':
      return decodeFloat(readUint(bytes, offset, 4));
    case 'datetime':
      return readDateTime(bytes, offset);
    case 'u8':
    case 'u16':
    case 'u24':
    case 'u32':
    case 's16': {
      let raw = readUint(bytes, offset, FIELD_SIZE[row.type]);
      if (row.type === 's16' && raw >= 0x8000) raw -= 0x10000;
      const s = scale ?? row.scale;
      if (s === undefined) return raw;
      if (row.unsuccessful !== undefined && raw === row.unsuccessful) return { kind: 'unsuccessful' };
      return { kind: 'number', value: applyScale(raw, scaleFor(s, altUnits)) };
    }
    default:
      return row.type satisfies never;
  }
}

export function isPresent(row: FieldRow, flags: number): boolean {
  if (row.flag !== undefined && (flags & row.flag) === 0) return false;
  if (row.flagClear !== undefined && (flags & row.flagClear) !== 0) return false;
  return true;
}

export interface ReadOptions {
  /** Per-field scale replacing the row's (model quirks). */
  scaleOverride?: Readonly<Record<string, Scale>>;
  /** Flags to use instead of the ones in the payload (after a quirk cleared a wrong bit). */
  flags?: number;
}

/** Reads the flags and every present row; errors name the characteristic, offset and field. */
export function readLayout(layout: Layout, bytes: Uint8Array, opts: ReadOptions = {}): ParseResult {
  const flagsSize = layout.flags === 'u8' ? 1 : 2;
  if (bytes.length < flagsSize)
    return { ok: false, error: needsError(layout.characteristic, flagsSize, 'the flags', 0, bytes.length) };
  const flags = opts.flags ?? readUint(bytes, 0, flagsSize);
  const altUnits = layout.unitsFlag !== undefined && (flags & layout.unitsFlag) !== 0;
  const fields: Record<string, FieldValue> = {};
  let offset = flagsSize;
  for (const row of layout.rows) {
    if (!isPresent(row, flags)) continue;
    const size = FIELD_SIZE[row.type];
    if (offset + size > bytes.length)
      return { ok: false, error: needsError(layout.characteristic, size, row.what, offset, bytes.length) };
    fields[row.name] = readField(row, bytes, offset, altUnits, opts.scaleOverride?.[row.name]);
    offset += size;
  }
  const notes: string[] = [];
  const reserved = flags & ~layout.definedFlags & (flagsSize === 1 ? 0xff : 0xffff);
  if (reserved !== 0) notes.push(reservedNote('flag', reserved, flagsSize * 2));
  return { ok: true, flags, altUnits, fields, end: offset, notes };
}

export function reservedNote(field: string, bits: number, digits: number): string {
  return `reserved ${field} bits ${hex(bits, digits)} are set; ignored`;
}

export function trailingNote(count: number): string {
  return `${count} byte${count === 1 ? '' : 's'} after the last field ignored`;
}

/** Adds the "bytes after the last field" note when the payload is longer than its fields. */
export function noteTrailing(notes: string[], bytes: Uint8Array, end: number): void {
  if (bytes.length > end) notes.push(trailingNote(bytes.length - end));
}

export function isSpecial(v: Measured): v is { kind: SpecialValue | 'unsuccessful' } {
  return v.kind !== 'number';
}

export { hex };
