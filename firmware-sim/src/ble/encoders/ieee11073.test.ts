import { describe, expect, it } from 'vitest';
import { encodeFloat, encodeSfloat } from './ieee11073.ts';

describe('SFLOAT', () => {
  it('writes whole numbers with exponent 0', () => {
    expect(encodeSfloat(120)).toBe(0x0078);
    expect(encodeSfloat(0)).toBe(0x0000);
  });

  it('writes decimals with the fewest negative exponent digits', () => {
    expect(encodeSfloat(17.6)).toBe(0xf0b0);
    expect(encodeSfloat(0.001)).toBe(0xd001);
  });

  it('writes negative mantissas in twelve-bit two complement', () => {
    expect(encodeSfloat(-1)).toBe(0x0fff);
    expect(encodeSfloat(-5.5)).toBe(0xffc9);
  });

  it('uses a forced exponent the way a device with fixed resolution would', () => {
    expect(encodeSfloat(36.6, -1)).toBe(0xf16e);
    expect(encodeSfloat(0.001, -5)).toBe(0xb064);
  });

  it('moves to a positive exponent when the mantissa would overflow', () => {
    expect(encodeSfloat(10000)).toBe(0x13e8);
  });

  it('keeps the finest resolution that fits when a value is not exact', () => {
    expect(encodeSfloat(1 / 3)).toBe(0xd14d);
  });

  it('writes the special values of IEEE 11073-20601 A.7.3', () => {
    expect(encodeSfloat('NaN')).toBe(0x07ff);
    expect(encodeSfloat(Number.NaN)).toBe(0x07ff);
    expect(encodeSfloat('NRes')).toBe(0x0800);
    expect(encodeSfloat(Number.POSITIVE_INFINITY)).toBe(0x07fe);
    expect(encodeSfloat(Number.NEGATIVE_INFINITY)).toBe(0x0802);
    expect(encodeSfloat('reserved')).toBe(0x0801);
  });

  it('refuses a forced exponent that cannot hold the value', () => {
    expect(() => encodeSfloat(36.6, -2)).toThrow(RangeError);
  });
});

describe('FLOAT', () => {
  it('writes a body temperature with an eight-bit exponent', () => {
    expect(encodeFloat(36.6)).toBe(0xff00016e);
    expect(encodeFloat(37.25, -2)).toBe(0xfe000e8d);
  });

  it('writes negative values in 24-bit two complement', () => {
    expect(encodeFloat(-5.5)).toBe(0xffffffc9);
  });

  it('writes the special values', () => {
    expect(encodeFloat('NaN')).toBe(0x007fffff);
    expect(encodeFloat('NRes')).toBe(0x00800000);
    expect(encodeFloat('+INF')).toBe(0x007ffffe);
    expect(encodeFloat('-INF')).toBe(0x00800002);
    expect(encodeFloat('reserved')).toBe(0x00800001);
  });
});
