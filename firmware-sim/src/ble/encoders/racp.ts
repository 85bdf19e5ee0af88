/**
 * Record Access Control Point 2A52 (GSS §3.183; GLS v1.0.1 §3.6 for the glucose profile):
 * a request is opcode uint8, operator uint8, operand; responses are indicated on the same
 * characteristic: Number of Stored Records Response (opcode 5, operator 0, uint16) or
 * Response Code (opcode 6, operator 0, request opcode uint8, response code value uint8).
 */
import { RACP_FILTER_TYPES, RACP_OP_CODES, RACP_OPERATORS, RACP_RESPONSE_CODES } from '@vitals/contract';
import { ByteWriter } from './writer.ts';

export { RACP_FILTER_TYPES, RACP_OP_CODES, RACP_OPERATORS, RACP_RESPONSE_CODES };

export type RacpResponseCode = (typeof RACP_RESPONSE_CODES)[keyof typeof RACP_RESPONSE_CODES];

/** Response Code indication: 06 00 <request opcode> <code>. */
export function encodeRacpResponseCode(requestOpcode: number, code: RacpResponseCode): Uint8Array {
  return new ByteWriter().u8(RACP_OP_CODES.response_code).u8(RACP_OPERATORS.null).u8(requestOpcode).u8(code).toBytes();
}

/** Number of Stored Records Response indication: 05 00 <uint16>. */
export function encodeRacpNumberOfRecords(count: number): Uint8Array {
  return new ByteWriter()
    .u8(RACP_OP_CODES.number_of_stored_records_response)
    .u8(RACP_OPERATORS.null)
    .u16(count)
    .toBytes();
}

export interface RacpRequest {
  opcode: number;
  operator: number;
  operand: Uint8Array;
}

/** Splits a written RACP value; null when shorter than opcode + operator. */
export function parseRacpRequest(bytes: Uint8Array): RacpRequest | null {
  if (bytes.length < 2) return null;
  return { opcode: bytes[0]!, operator: bytes[1]!, operand: bytes.subarray(2) };
}
