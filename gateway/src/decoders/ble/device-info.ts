/**
 * Battery Level (2A19, GSS 3.27) and the Device Information Service strings (2A29 manufacturer,
 * 2A24 model, 2A25 serial, 2A26 firmware, 2A27 hardware, 2A28 software: UTF-8, GSS 3.x) and
 * System ID (2A23: uint40 manufacturer identifier, uint24 OUI). All decode to `info`.
 */
import type { DecodeResult } from '../result.ts';
import { needsError, readUint, trailingNote } from './layout.ts';

export function decodeBatteryLevel(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 1) return { ok: false, error: needsError('2A19', 1, 'the battery level', 0, 0) };
  const notes: string[] = [];
  if (bytes.length > 1) notes.push(trailingNote(bytes.length - 1));
  const level = bytes[0]!;
  // GSS 3.27: 0-100 %, 101-255 prohibited.
  if (level > 100) {
    notes.push(`battery level ${level} is above 100 %; ignored`);
    return { ok: true, readings: [], notes };
  }
  return { ok: true, readings: [], notes, info: { batteryLevel: level } };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

/** A DIS string characteristic decoded into `info[key]`; NUL padding is stripped. */
export function stringDecoder(key: string): (bytes: Uint8Array) => DecodeResult {
  return (bytes) => {
    const notes: string[] = [];
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    if (end < bytes.length) notes.push(`${bytes.length - end} NUL padding byte(s) stripped`);
    const body = bytes.subarray(0, end);
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      text = utf8Lenient.decode(body);
      notes.push('not valid UTF-8; invalid bytes replaced with U+FFFD');
    }
    return { ok: true, readings: [], notes, info: { [key]: text } };
  };
}

const hexOf = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');

export function decodeSystemId(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 5)
    return { ok: false, error: needsError('2A23', 5, 'the manufacturer identifier', 0, bytes.length) };
  if (bytes.length < 8)
    return { ok: false, error: needsError('2A23', 3, 'the organizationally unique identifier', 5, bytes.length) };
  const notes = bytes.length > 8 ? [trailingNote(bytes.length - 8)] : [];
  return {
    ok: true,
    readings: [],
    notes,
    info: {
      systemId: {
        manufacturerIdentifier: hexOf(readUint(bytes, 0, 5), 10),
        organizationallyUniqueIdentifier: hexOf(readUint(bytes, 5, 3), 6),
      },
    },
  };
}
