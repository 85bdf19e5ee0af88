/**
 * IEEE 11073-20601 (Annex F.8) medical number formats used by the Bluetooth health profiles:
 * SFLOAT (16 bit: 4-bit signed exponent, 12-bit signed mantissa) and FLOAT (32 bit: 8-bit
 * signed exponent, 24-bit signed mantissa), value = mantissa x 10^exponent. Special values
 * come back as tagged values, never as JS NaN or Infinity.
 */
import type { Flag } from '@vitals/contract';

export type SpecialValue = 'nan' | 'nres' | 'pos_inf' | 'neg_inf' | 'reserved';

export type MderValue = { kind: 'number'; value: number } | { kind: SpecialValue };

/** The flag a reading carries when its value was this special value (contract: no `value`). */
export const SPECIAL_VALUE_FLAG = {
  nan: 'value_nan',
  nres: 'value_nres',
  pos_inf: 'value_pos_inf',
  neg_inf: 'value_neg_inf',
  reserved: 'value_reserved',
} as const satisfies Record<SpecialValue, Flag>;

// Special values are whole words (exponent 0 with these mantissas), 11073-20601 F.8.
const SFLOAT_SPECIAL: ReadonlyMap<number, SpecialValue> = new Map([
  [0x07ff, 'nan'],
  [0x0800, 'nres'],
  [0x07fe, 'pos_inf'],
  [0x0802, 'neg_inf'],
  [0x0801, 'reserved'],
]);

const FLOAT_SPECIAL: ReadonlyMap<number, SpecialValue> = new Map([
  [0x007fffff, 'nan'],
  [0x00800000, 'nres'],
  [0x007ffffe, 'pos_inf'],
  [0x00800002, 'neg_inf'],
  [0x00800001, 'reserved'],
]);

/** mantissa x 10^exponent as the double nearest to that decimal (36.5, not 36.500000000000004). */
function scaled(mantissa: number, exponent: number): number {
  if (mantissa === 0) return 0;
  return exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
}

/** Decodes a 16-bit SFLOAT word (as read little-endian from the payload). */
export function decodeSfloat(word: number): MderValue {
  const raw = word & 0xffff;
  const special = SFLOAT_SPECIAL.get(raw);
  if (special) return { kind: special };
  let mantissa = raw & 0x0fff;
  if (mantissa >= 0x0800) mantissa -= 0x1000;
  let exponent = raw >> 12;
  if (exponent >= 0x8) exponent -= 0x10;
  return { kind: 'number', value: scaled(mantissa, exponent) };
}

/** Decodes a 32-bit FLOAT word (as read little-endian from the payload). */
export function decodeFloat(word: number): MderValue {
  const raw = word >>> 0;
  const special = FLOAT_SPECIAL.get(raw);
  if (special) return { kind: special };
  let mantissa = raw & 0x00ffffff;
  if (mantissa >= 0x00800000) mantissa -= 0x01000000;
  let exponent = raw >>> 24;
  if (exponent >= 0x80) exponent -= 0x100;
  return { kind: 'number', value: scaled(mantissa, exponent) };
}
