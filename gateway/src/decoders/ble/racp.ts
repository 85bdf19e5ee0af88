/**
 * Record Access Control Point (2A52), GSS 3.184 / GLS 1.0 section 3.9: Op Code (uint8),
 * Operator (uint8), Operand (depends on both). Decodes requests and responses into `info.racp`
 * and encodes the requests the gateway writes to download stored glucose records.
 */

import {
  RACP_FILTER_TYPES,
  RACP_OP_CODES,
  RACP_OPERATORS,
  RACP_RESPONSE_CODES,
  type RacpOpCode,
  type RacpOperator,
  type RacpResponseCode,
} from '@vitals/contract';
import type { DecodeResult } from '../result.ts';
import { DATE_TIME_SIZE, formatDateTime, readDateTime } from './datetime.ts';
import { needsError, readUint, trailingNote } from './layout.ts';

export type { RacpOpCode, RacpOperator, RacpResponseCode };
export { RACP_FILTER_TYPES, RACP_OP_CODES, RACP_OPERATORS, RACP_RESPONSE_CODES };

const nameOf = <T extends Record<string, number>>(table: T, value: number): keyof T | undefined =>
  (Object.keys(table) as (keyof T)[]).find((k) => table[k] === value);

const E = (what: string, size: number, offset: number, length: number) =>
  ({ ok: false, error: needsError('2A52', size, what, offset, length) }) as const;

/** Reads the filter operand of operators 2-4 (<=, >=, range) into `racp`; returns the end offset or an error. */
function readFilter(
  bytes: Uint8Array,
  operator: number,
  racp: Record<string, unknown>,
  notes: string[],
): number | { ok: false; error: string } {
  if (bytes.length < 3) return E('the filter type', 1, 2, bytes.length);
  const type = bytes[2]!;
  const filterName = nameOf(RACP_FILTER_TYPES, type);
  if (!filterName) {
    notes.push(`filter type ${type} is reserved; its operand is not decoded`);
    racp.filter = { type };
    return bytes.length;
  }
  const size = filterName === 'sequence_number' ? 2 : DATE_TIME_SIZE;
  const read = (at: number) =>
    filterName === 'sequence_number' ? readUint(bytes, at, 2) : formatDateTime(readDateTime(bytes, at));
  const bounds = operator === RACP_OPERATORS.within_range_of ? ['min', 'max'] : [operator === 2 ? 'max' : 'min'];
  const filter: Record<string, unknown> = { type: filterName };
  let at = 3;
  for (const bound of bounds) {
    if (bytes.length < at + size)
      return E(`the filter ${bound === 'min' ? 'minimum' : 'maximum'}`, size, at, bytes.length);
    filter[bound] = read(at);
    at += size;
  }
  racp.filter = filter;
  return at;
}

export function decodeRacp(bytes: Uint8Array): DecodeResult {
  if (bytes.length < 1) return E('the op code', 1, 0, 0);
  if (bytes.length < 2) return E('the operator', 1, 1, 1);
  const notes: string[] = [];
  const opCode = bytes[0]!;
  const operator = bytes[1]!;
  const opName = nameOf(RACP_OP_CODES, opCode);
  if (!opName) {
    notes.push(`RACP op code ${opCode} is reserved or not supported; not decoded`);
    return { ok: true, readings: [], notes, info: { racp: { opCode } } };
  }
  const racp: Record<string, unknown> = { opCode: opName };
  let end = 2;
  if (opName === 'number_of_stored_records_response') {
    if (bytes.length < 4) return E('the number of records', 2, 2, bytes.length);
    // The operand is the rest of the response and a uint16 by the specification: a longer one is
    // not "bytes after the last field" but a count we would misread (a device sending 4 bytes).
    if (bytes.length > 4)
      return {
        ok: false,
        error: `2A52: needs exactly 2 bytes for the number of records at offset 2, got ${bytes.length - 2} (the operand of a number of stored records response is a uint16)`,
      };
    racp.numberOfRecords = readUint(bytes, 2, 2);
    end = 4;
  } else if (opName === 'response_code') {
    if (bytes.length < 3) return E('the request op code', 1, 2, bytes.length);
    if (bytes.length < 4) return E('the response code value', 1, 3, bytes.length);
    racp.requestOpCode = nameOf(RACP_OP_CODES, bytes[2]!) ?? bytes[2]!;
    racp.responseCode = nameOf(RACP_RESPONSE_CODES, bytes[3]!) ?? bytes[3]!;
    end = 4;
  } else {
    const operatorName = nameOf(RACP_OPERATORS, operator);
    racp.operator = operatorName ?? operator;
    if (!operatorName) notes.push(`RACP operator ${operator} is reserved`);
    if (operator >= 2 && operator <= 4) {
      const r = readFilter(bytes, operator, racp, notes);
      if (typeof r !== 'number') return r;
      end = r;
    }
  }
  if (bytes.length > end) notes.push(trailingNote(bytes.length - end));
  return { ok: true, readings: [], notes, info: { racp } };
}

/** Report all stored records: 01 01. */
export function encodeRacpReportAll(): Uint8Array {
  return Uint8Array.of(RACP_OP_CODES.report_stored_records, RACP_OPERATORS.all_records);
}

function checkSequence(sequence: number): void {
  if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffff)
    throw new RangeError(`RACP sequence number must be an integer 0..65535, got ${sequence}`);
}

/** Report stored records with sequence number >= `sequence`: 01 03 01 <uint16 LE>. */
export function encodeRacpReportFromSequence(sequence: number): Uint8Array {
  checkSequence(sequence);
  return Uint8Array.of(
    RACP_OP_CODES.report_stored_records,
    RACP_OPERATORS.greater_than_or_equal_to,
    RACP_FILTER_TYPES.sequence_number,
    sequence & 0xff,
    (sequence >> 8) & 0xff,
  );
}

/** Report the number of all stored records: 04 01. */
export function encodeRacpReportNumberOfRecords(): Uint8Array {
  return Uint8Array.of(RACP_OP_CODES.report_number_of_stored_records, RACP_OPERATORS.all_records);
}

/** Report the number of stored records with sequence number >= `sequence`: 04 03 01 <uint16 LE>. */
export function encodeRacpReportNumberFromSequence(sequence: number): Uint8Array {
  checkSequence(sequence);
  return Uint8Array.of(
    RACP_OP_CODES.report_number_of_stored_records,
    RACP_OPERATORS.greater_than_or_equal_to,
    RACP_FILTER_TYPES.sequence_number,
    sequence & 0xff,
    (sequence >> 8) & 0xff,
  );
}

/** Abort the operation in progress: 03 00 (operator Null). */
export function encodeRacpAbort(): Uint8Array {
  return Uint8Array.of(RACP_OP_CODES.abort_operation, RACP_OPERATORS.null);
}
