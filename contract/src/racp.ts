/**
 * Record Access Control Point (2A52) numbers, GSS 3.184 / GLS 1.0 section 3.9: the one table the
 * gateway's decoder and encoders and the simulated glucose meter both read. Only the numbers
 * the specification assigns are shared; each side writes its own code around them.
 */
export const RACP_OP_CODES = {
  report_stored_records: 1,
  delete_stored_records: 2,
  abort_operation: 3,
  report_number_of_stored_records: 4,
  number_of_stored_records_response: 5,
  response_code: 6,
} as const;
export type RacpOpCode = keyof typeof RACP_OP_CODES;

export const RACP_OPERATORS = {
  null: 0,
  all_records: 1,
  less_than_or_equal_to: 2,
  greater_than_or_equal_to: 3,
  within_range_of: 4,
  first_record: 5,
  last_record: 6,
} as const;
export type RacpOperator = keyof typeof RACP_OPERATORS;

/** Filter Type, the first operand byte of operators 2-4. */
export const RACP_FILTER_TYPES = { sequence_number: 1, user_facing_time: 2 } as const;

export const RACP_RESPONSE_CODES = {
  success: 1,
  op_code_not_supported: 2,
  invalid_operator: 3,
  operator_not_supported: 4,
  invalid_operand: 5,
  no_records_found: 6,
  abort_unsuccessful: 7,
  procedure_not_completed: 8,
  operand_not_supported: 9,
} as const;
export type RacpResponseCode = keyof typeof RACP_RESPONSE_CODES;
