/**
 * What a database error says about whom to blame (issue 11, item 2). Ingest isolates a
 * message whose own data the database refused, and keeps retrying when the database itself
 * is unreachable; before this split, one malformed message looked like an outage and stopped
 * ingest for every gateway.
 */

export const DatabaseErrorKind = {
  /** The statement's data was refused (SQLSTATE classes 22, 23, 54): the message is at fault. */
  data: 'data',
  /** The database cannot be reached or is shutting down, overloaded or cancelling: retry. */
  unavailable: 'unavailable',
  /** Anything else (a bug, a missing table): nobody's data is proven guilty, so retry. */
  other: 'other',
} as const;
export type DatabaseErrorKind = (typeof DatabaseErrorKind)[keyof typeof DatabaseErrorKind];

/**
 * SQLSTATE classes: 22 data exception (NUL in text, a year-0 date, numeric overflow),
 * 23 integrity constraint violation, 54 program limit exceeded (an index row too large for a
 * huge string). 08 connection exception, 53 insufficient resources, 57 operator intervention
 * (57P01 terminated by administrator, 57014 cancelled), 58 system error, 40 transaction
 * rollback (deadlock, serialization) are conditions that pass.
 */
const DATA_CLASSES = new Set(['22', '23', '54']);
const UNAVAILABLE_CLASSES = new Set(['08', '40', '53', '57', '58']);

/** Socket errors of node-postgres' connection. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Messages of node-postgres, pg-pool and PGlite that carry no code. */
const UNAVAILABLE_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /is not queryable/i,
  /cannot use a pool after calling end/i,
  /connection (?:was )?(?:closed|ended|refused)/i,
  /PGlite is closed/i,
];

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function classifyDatabaseError(e: unknown): DatabaseErrorKind {
  // Wrapped errors keep the database's in `cause`; the first recognisable layer decides.
  for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    if (typeof x !== 'object') break;
    const { code, message } = x as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (SQLSTATE.test(code)) {
        const cls = code.slice(0, 2);
        if (DATA_CLASSES.has(cls)) return DatabaseErrorKind.data;
        if (UNAVAILABLE_CLASSES.has(cls)) return DatabaseErrorKind.unavailable;
        return DatabaseErrorKind.other;
      }
      if (NETWORK_CODES.has(code)) return DatabaseErrorKind.unavailable;
    }
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((p) => p.test(message)))
      return DatabaseErrorKind.unavailable;
  }
  return DatabaseErrorKind.other;
}
