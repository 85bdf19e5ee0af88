/** A little-endian byte writer: GATT characteristic values are little-endian (Core Vol 3 Part G §3.3.3.5). */
import { encodeFloat, encodeSfloat, type SpecialValue } from './ieee11073.ts';

export class ByteWriter {
  private readonly out: number[] = [];

  u8(v: number): this {
    this.check(v, 0, 0xff);
    this.out.push(v);
    return this;
  }

  u16(v: number): this {
    this.check(v, 0, 0xffff);
    this.out.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }

  s16(v: number): this {
    this.check(v, -0x8000, 0x7fff);
    return this.u16(v & 0xffff);
  }

  u24(v: number): this {
    this.check(v, 0, 0xffffff);
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff);
    return this;
  }

  u32(v: number): this {
    this.check(v, 0, 0xffffffff);
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }

  sfloat(v: number | SpecialValue, exponent?: number): this {
    return this.u16(encodeSfloat(v, exponent));
  }

  float(v: number | SpecialValue, exponent?: number): this {
    return this.u32(encodeFloat(v, exponent));
  }

  bytes(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.u8(b[i]!);
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  private check(v: number, min: number, max: number): void {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new RangeError(`${v} does not fit a field of ${min}..${max}`);
    }
  }
}

/** Lower-case hex of bytes, the way tests and fixtures spell them. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from hex (spaces allowed). */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`not hex: ${hex}`);
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

/** Sets bit `bit` of `flags` when `on`. */
export function bit(on: boolean | undefined, bitIndex: number): number {
  return on ? 1 << bitIndex : 0;
}
