/**
 * Battery Level 2A19 (BAS: uint8 percent, 0-100) and the Device Information Service strings
 * (DIS: 2A29 manufacturer name, 2A24 model number, 2A25 serial number, 2A27 hardware revision,
 * 2A26 firmware revision, 2A28 software revision: UTF-8 without terminator) and System ID 2A23.
 */
import { ByteWriter } from './writer.ts';

export function encodeBatteryLevel(percent: number): Uint8Array {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`battery level ${percent} is not a whole percent 0-100`);
  }
  return Uint8Array.of(percent);
}

export function encodeUtf8String(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'utf8'));
}

/** System ID 2A23: 40-bit manufacturer identifier then 24-bit OUI, little-endian. */
export function encodeSystemId(manufacturerId: bigint, oui: number): Uint8Array {
  const w = new ByteWriter();
  for (let i = 0n; i < 5n; i++) w.u8(Number((manufacturerId >> (8n * i)) & 0xffn));
  return w.u24(oui).toBytes();
}
