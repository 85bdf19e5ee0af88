/**
 * The contract's decoder command, one line at a time: a JSON line in, exactly one JSON
 * line out. Pure apart from the decoders it calls; never throws.
 */
import { decodeBle } from '../decoders/ble/index.ts';
import type { DecodeResult } from '../decoders/result.ts';
import { decodeSerialChunk } from '../decoders/serial/index.ts';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function parseHex(hex: unknown): Uint8Array | string {
  if (typeof hex !== 'string') return '"hex" must be a string of hexadecimal digits';
  const clean = hex.replace(/[\s:]/g, '').replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) return '"hex" holds characters that are not hexadecimal digits';
  if (clean.length % 2 !== 0) return `"hex" has an odd number of digits (${clean.length})`;
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}

export function decodeLine(line: string, tz: string): DecodeResult {
  let input: unknown;
  try {
    input = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `input line is not JSON: ${(e as Error).message}` };
  }
  if (!isObj(input)) return { ok: false, error: 'input line must be a JSON object' };
  const bytes = parseHex(input.hex);
  if (typeof bytes === 'string') return { ok: false, error: bytes };
  const lineTz = typeof input.tz === 'string' ? input.tz : tz;
  const model = typeof input.model === 'string' ? input.model : undefined;
  try {
    if (input.transport === 'ble') {
      if (typeof input.characteristic !== 'string')
        return { ok: false, error: '"characteristic" must be the 16-bit UUID in hex, e.g. "2A35"' };
      const context: Record<string, string> = {};
      if (input.context !== undefined) {
        if (!isObj(input.context)) return { ok: false, error: '"context" must be an object of hex strings' };
        for (const [k, v] of Object.entries(input.context)) if (typeof v === 'string') context[k] = v;
      }
      return decodeBle(input.characteristic, bytes, context, { tz: lineTz, ...(model ? { model } : {}) });
    }
    if (input.transport === 'serial') {
      if (typeof input.protocol !== 'string') return { ok: false, error: '"protocol" must name a serial protocol' };
      return decodeSerialChunk(input.protocol, bytes, { tz: lineTz, ...(model ? { model } : {}) });
    }
    return { ok: false, error: `"transport" must be "ble" or "serial", got ${JSON.stringify(input.transport)}` };
  } catch (e) {
    return { ok: false, error: `decoder failed: ${(e as Error).message}` };
  }
}
