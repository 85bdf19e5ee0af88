/**
 * Errors are coded values, mapped to HTTP responses in one place (api/errors-plugin.ts).
 * 5xx bodies stay generic; the detail goes to the log.
 */
export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  mfa_enrolment_required: 403,
  not_found: 404,
  method_not_allowed: 405,
  timeout: 408,
  conflict: 409,
  gone: 410,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  rate_limited: 429,
  headers_too_large: 431,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_CODES[this.code];
  }
}

export const badRequest = (message: string, detail?: unknown) => new AppError('bad_request', message, detail);
export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (message = 'you are not allowed to do this') => new AppError('forbidden', message);
export const unauthorized = (message = 'log in first: send Authorization: Bearer <token>') =>
  new AppError('unauthorized', message);

/** The error code of a client-error status; statuses without a code of their own are bad requests. */
export function codeOfStatus(status: number): ErrorCode {
  for (const [code, s] of Object.entries(ERROR_CODES)) if (s === status) return code as ErrorCode;
  return status >= 500 ? 'internal' : 'bad_request';
}

/** The contract's error body: `{"error":{"code","message"}}`. */
export function errorBody(code: ErrorCode, message: string): { error: { code: ErrorCode; message: string } } {
  return { error: { code, message } };
}

/** Where a value came from in a request, to name the wrong input in a message. */
export interface RequestInputs {
  params?: unknown;
  query?: unknown;
  body?: unknown;
}

/**
 * A database error caused by the caller's input, as the client error to answer; undefined for
 * anything else (a fault of ours or of the database, which stays a 5xx). PostgreSQL and PGlite
 * both report the SQLSTATE in `code`: class 22 is "data exception" (a value the type cannot hold:
 * a malformed uuid, year 0, a number beyond bigint, NUL in text), class 23 "integrity constraint
 * violation". Issue 11 item 9: hostile input is a 4xx, never a 500.
 */
export function clientErrorOfDatabase(err: unknown, inputs: RequestInputs): AppError | undefined {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code !== 'string' || !/^2[23][0-9A-Z]{3}$/.test(e.code) || typeof e.message !== 'string')
    return undefined;
  const quoted = /: "((?:[^"\\]|\\.)*)"$/.exec(e.message)?.[1] ?? /value "([^"]*)"/.exec(e.message)?.[1];
  const where = quoted === undefined ? undefined : locate(quoted, inputs);
  if (e.code === '22P02' && where?.startsWith('params.') && /type uuid/.test(e.message))
    return new AppError('not_found', `nothing has the id ${JSON.stringify(quoted)} (${where.slice(7)})`);
  if (e.code === '23505') return new AppError('conflict', 'this already exists');
  if (e.code.startsWith('23'))
    return badRequest('the request refers to something that does not exist or breaks a rule of the data');
  const what = dataExceptionMeaning(e.code, e.message);
  return badRequest(where ? `${where} is not valid: ${what}` : `a value in the request is not valid: ${what}`);
}

function dataExceptionMeaning(code: string, message: string): string {
  switch (code) {
    case '22008':
    case '22007':
    case '22009':
      return 'a time or date out of the range the server can store (years 1 to 9999)';
    case '22003':
      return 'a number out of range';
    case '22021':
    case '22P05':
      return 'text with a character that cannot be stored (such as NUL)';
    case '22001':
      return 'text too long';
    default:
      return message;
  }
}

/** The path of the first string in params, query or body equal to `value` (e.g. "body.members[0]"). */
function locate(value: string, inputs: RequestInputs): string | undefined {
  const walk = (v: unknown, path: string, depth: number): string | undefined => {
    if (typeof v === 'string' || typeof v === 'number') return String(v) === value ? path : undefined;
    if (depth > 8 || v === null || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) {
        const p = walk(x, `${path}[${i}]`, depth + 1);
        if (p) return p;
      }
      return undefined;
    }
    for (const [k, x] of Object.entries(v)) {
      const p = walk(x, `${path}.${k}`, depth + 1);
      if (p) return p;
    }
    return undefined;
  };
  return walk(inputs.params, 'params', 0) ?? walk(inputs.query, 'query', 0) ?? walk(inputs.body, 'body', 0);
}
