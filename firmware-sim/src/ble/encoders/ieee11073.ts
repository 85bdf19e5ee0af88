/**
 * IEEE 11073-20601 SFLOAT (16-bit) and FLOAT (32-bit) encoding, written from the standard's
 * §A.7 (as the Bluetooth Personal Health Devices Transcoding white paper repeats it): a signed
 * base-10 exponent in the high bits and a signed two's-complement mantissa in the low bits.
 */

/** The special values of §A.7.3; they are numbers only in name. */
export type SpecialValue = 'NaN' | 'NRes' | '+INF' | '-INF' | 'reserved';

/** SFLOAT special values: exponent 0, mantissa 0x07FF, 0x0800, 0x07FE, 0x0802, 0x0801. */
export const SFLOAT_SPECIAL: Readonly<Record<SpecialValue, number>> = {
  NaN: 0x07ff,
  NRes: 0x0800,
  '+INF': 0x07fe,
  '-INF': 0x0802,
  reserved: 0x0801,
};

/** FLOAT special values: exponent 0, mantissa 0x7FFFFF, 0x800000, 0x7FFFFE, 0x800002, 0x800001. */
export const FLOAT_SPECIAL: Readonly<Record<SpecialValue, number>> = {
  NaN: 0x007fffff,
  NRes: 0x00800000,
  '+INF': 0x007ffffe,
  '-INF': 0x00800002,
  reserved: 0x00800001,
};

interface Format {
  mantissaBits: number;
  exponentBits: number;
  special: Readonly<Record<SpecialValue, number>>;
}

const SFLOAT: Format = { mantissaBits: 12, exponentBits: 4, special: SFLOAT_SPECIAL };
const FLOAT: Format = { mantissaBits: 24, exponentBits: 8, special: FLOAT_SPECIAL };

/**
 * Largest mantissa magnitude a finite value may use: the top three positive codes and the
 * bottom three negative codes are the special values (with any exponent, decoders check the
 * mantissa only), so finite values stay within ±(2^(n-1) - 3).
 */
function maxMantissa(f: Format): number {
  return 2 ** (f.mantissaBits - 1) - 3;
}

function pack(f: Format, mantissa: number, exponent: number): number {
  const mMask = 2 ** f.mantissaBits - 1;
  const eMask = 2 ** f.exponentBits - 1;
  // Multiplication instead of << keeps FLOAT's 32-bit result unsigned.
  return (exponent & eMask) * 2 ** f.mantissaBits + (mantissa & mMask);
}

function encode(f: Format, value: number | SpecialValue, exponent?: number): number {
  if (typeof value === 'string') return f.special[value];
  if (Number.isNaN(value)) return f.special.NaN;
  if (value === Number.POSITIVE_INFINITY) return f.special['+INF'];
  if (value === Number.NEGATIVE_INFINITY) return f.special['-INF'];
  const max = maxMantissa(f);
  const eMax = 2 ** (f.exponentBits - 1) - 1;
  const eMin = -(2 ** (f.exponentBits - 1));
  if (exponent !== undefined) {
    if (!Number.isInteger(exponent) || exponent < eMin || exponent > eMax) {
      throw new RangeError(`exponent ${exponent} is outside ${eMin}..${eMax}`);
    }
    const m = Math.round(value / 10 ** exponent);
    if (Math.abs(m) > max) throw new RangeError(`${value} does not fit with exponent ${exponent}`);
    return pack(f, m, exponent);
  }
  // The largest exponent (<= 0) that represents the value exactly; otherwise the finest that fits.
  let best: { m: number; e: number } | undefined;
  for (let e = 0; e >= eMin; e--) {
    const scaled = value / 10 ** e;
    const m = Math.round(scaled);
    if (Math.abs(m) > max) break;
    best = { m, e };
    if (Math.abs(scaled - m) < 1e-7) return pack(f, m, e);
  }
  if (best) return pack(f, best.m, best.e);
  for (let e = 1; e <= eMax; e++) {
    const m = Math.round(value / 10 ** e);
    if (Math.abs(m) <= max) return pack(f, m, e);
  }
  throw new RangeError(`${value} is too large for IEEE-11073 ${f === SFLOAT ? 'SFLOAT' : 'FLOAT'}`);
}

/**
 * Encodes a number (or special value) as a 16-bit SFLOAT. Without `exponent` the value is
 * written exactly with the fewest decimals (120 -> 0x0078, 17.6 -> 0xF0B0); give `exponent`
 * to force a resolution as a device would (36.6 with exponent -2 -> mantissa 3660).
 */
export function encodeSfloat(value: number | SpecialValue, exponent?: number): number {
  return encode(SFLOAT, value, exponent);
}

/** Encodes a number (or special value) as a 32-bit FLOAT; see encodeSfloat. */
export function encodeFloat(value: number | SpecialValue, exponent?: number): number {
  return encode(FLOAT, value, exponent);
}
