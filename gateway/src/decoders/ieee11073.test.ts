import { describe, expect, it } from 'vitest';
import { decodeFloat, decodeSfloat, type MderValue } from './ieee11073.ts';

const n = (value: number): MderValue => ({ kind: 'number', value });

describe('SFLOAT (16 bit)', () => {
  it.each([
    [0x0078, n(120)],
    [0xf0b0, n(17.6)], // exponent -1, mantissa 176
    [0xb05f, n(0.00095)], // exponent -5, mantissa 95
    [0x0fff, n(-1)], // mantissa 0xFFF = -1
    [0xf800, n(-204.8)], // exponent -1, mantissa -2048
    [0x2005, n(500)], // exponent 2, mantissa 5
    [0x8001, n(1e-8)], // exponent -8, mantissa 1
    [0x7001, n(10_000_000)], // exponent 7
    [0x0000, n(0)],
    [0x17ff, n(20470)], // NaN mantissa with exponent 1 is an ordinary number
  ])('decodes 0x%s', (word, expected) => {
    expect(decodeSfloat(word)).toStrictEqual(expected);
  });

  it.each([
    [0x07ff, 'nan'],
    [0x0800, 'nres'],
    [0x07fe, 'pos_inf'],
    [0x0802, 'neg_inf'],
    [0x0801, 'reserved'],
  ] as const)('returns the special value of 0x%s as a tag, not a number', (word, kind) => {
    expect(decodeSfloat(word)).toStrictEqual({ kind });
  });
});

describe('FLOAT (32 bit)', () => {
  it.each([
    [0xff00016d, n(36.5)], // exponent -1, mantissa 365
    [0xffffff83, n(-12.5)], // exponent -1, mantissa -125
    [0x00000000, n(0)],
    [0x03000002, n(2000)], // exponent 3
    [0xfe000e4d, n(36.61)], // exponent -2, mantissa 3661
    [0x00ffffff, n(-1)],
  ])('decodes 0x%s', (word, expected) => {
    expect(decodeFloat(word)).toStrictEqual(expected);
  });

  it.each([
    [0x007fffff, 'nan'],
    [0x00800000, 'nres'],
    [0x007ffffe, 'pos_inf'],
    [0x00800002, 'neg_inf'],
    [0x00800001, 'reserved'],
  ] as const)('returns the special value of 0x%s as a tag, not a number', (word, kind) => {
    expect(decodeFloat(word)).toStrictEqual({ kind });
  });
});
