/**
 * The little protocol the BLE transport needs for control flow, never for measurements:
 * recognising Record Access Control Point responses, finding a glucose record's sequence number
 * and reading a device clock. Requests it writes (RACP, Current Time) come from the decoders
 * module's encoders; measurement decoding is the pipeline's job.
 */
import { wallTimeToUtc } from '../../decoders/local-time.ts';

/** 16-bit UUID as frames and profiles spell it ("2A35") from noble's spelling ("2a35" or a 128-bit base UUID). */
export function shortUuid(uuid: string): string {
  const u = uuid.toLowerCase().replace(/-/g, '');
  const m = /^0000([0-9a-f]{4})00001000800000805f9b34fb$/.exec(u);
  return (m ? m[1]! : u).toUpperCase();
}

/** RACP opcodes and response codes the transport recognises (GSS §3.183, GLS v1.0.1 §3.6). */
const RACP_NUMBER_OF_RECORDS_RESPONSE = 0x05;
const RACP_RESPONSE_CODE = 0x06;

export const RACP_RESPONSE_NAMES: Readonly<Record<number, string>> = {
  1: 'success',
  2: 'op_code_not_supported',
  3: 'invalid_operator',
  4: 'operator_not_supported',
  5: 'invalid_operand',
  6: 'no_records_found',
  7: 'abort_unsuccessful',
  8: 'procedure_not_completed',
  9: 'operand_not_supported',
};
export const RACP_SUCCESS = 0x01;
export const RACP_NO_RECORDS_FOUND = 0x06;

export type RacpResponse =
  | { kind: 'response'; requestOpcode: number; code: number; name: string }
  | { kind: 'count'; count: number };

/** Recognises an RACP indication; null for anything else. */
export function parseRacpResponse(bytes: Uint8Array): RacpResponse | null {
  if (bytes[0] === RACP_RESPONSE_CODE && bytes.length >= 4) {
    const code = bytes[3]!;
    return { kind: 'response', requestOpcode: bytes[2]!, code, name: RACP_RESPONSE_NAMES[code] ?? `reserved_${code}` };
  }
  if (bytes[0] === RACP_NUMBER_OF_RECORDS_RESPONSE && bytes.length >= 4) {
    return { kind: 'count', count: bytes[2]! | (bytes[3]! << 8) };
  }
  return null;
}

/** Sequence number of a Glucose Measurement 2A18 value (bytes 1-2 after the flags), if present. */
export function glucoseSequenceNumber(bytes: Uint8Array): number | undefined {
  return bytes.length >= 3 ? bytes[1]! | (bytes[2]! << 8) : undefined;
}

/** The instant a Date Time (2A08, or the start of 2A2B) names in zone `tz`; null when unusable. */
export function deviceTime(bytes: Uint8Array, tz: string): Date | null {
  if (bytes.length < 7) return null;
  return wallTimeToUtc(
    {
      year: bytes[0]! | (bytes[1]! << 8),
      month: bytes[2]!,
      day: bytes[3]!,
      hours: bytes[4]!,
      minutes: bytes[5]!,
      seconds: bytes[6]!,
    },
    tz,
  );
}
