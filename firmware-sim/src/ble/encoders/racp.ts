/**
 * Record Access Control Point 2A52 (GSS §3.183; GLS v1.0.1 §3.6 for the glucose profile):
 * a request is opcode uint8, operator uint8, operand; responses are indicated on the same
 * characteristic: Number of Stored Records Response (opcode 5, operator 0, uint16) or
 * Response Code (opcode 6, operator 0, request opcode uint8, response code value uint8).
 */
import { ByteWriter } from './writer.ts';

export const RACP_OPCODE = {
  reportStoredRecords: 0x01,
  deleteStoredRecords: 0x02,
  abortOperation: 0x03,
  reportNumberOfStoredRecords: 0x04,
  numberOfStoredRecordsResponse: 0x05,
  responseCode: 0x06,
} as const;

export const RACP_OPERATOR = {
  null: 0x00,
  allRecords: 0x01,
  lessThanOrEqualTo: 0x02,
  greaterThanOrEqualTo: 0x03,
  withinRangeOfInclusive: 0x04,
  firstRecord: 0x05,
  lastRecord: 0x06,
} as const;

/** Filter types of the operand (GLS §3.6.2.2): 1 sequence number, 2 user facing time. */
export const RACP_FILTER_TYPE = { sequenceNumber: 0x01, userFacingTime: 0x02 } as const;

export const RACP_RESPONSE = {
  success: 0x01,
  opCodeNotSupported: 0x02,
  invalidOperator: 0x03,
  operatorNotSupported: 0x04,
  invalidOperand: 0x05,
  noRecordsFound: 0x06,
  abortUnsuccessful: 0x07,
  procedureNotCompleted: 0x08,
  operandNotSupported: 0x09,
} as const;

export type RacpResponseCode = (typeof RACP_RESPONSE)[keyof typeof RACP_RESPONSE];

/** Response Code indication: 06 00 <request opcode> <code>. */
export function encodeRacpResponseCode(requestOpcode: number, code: RacpResponseCode): Uint8Array {
  return new ByteWriter().u8(RACP_OPCODE.responseCode).u8(RACP_OPERATOR.null).u8(requestOpcode).u8(code).toBytes();
}

/** Number of Stored Records Response indication: 05 00 <uint16>. */
export function encodeRacpNumberOfRecords(count: number): Uint8Array {
  return new ByteWriter().u8(RACP_OPCODE.numberOfStoredRecordsResponse).u8(RACP_OPERATOR.null).u16(count).toBytes();
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
