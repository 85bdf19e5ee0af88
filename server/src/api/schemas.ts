/** Schemas every resource uses: the contract's error body and the error statuses of a route. */
import { Type } from 'typebox';
import { ERROR_CODES } from '../errors.ts';

/** `{"error":{"code","message"}}`: every 4xx and 5xx answer (shared/CONTRACT.md). */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ enum: Object.keys(ERROR_CODES) }),
        message: Type.String({ description: 'what happened and what to do' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'an error in the contract shape' },
);

/**
 * The error statuses of every route: any 4xx (validation, login, access, conflicts) and 5xx
 * answer is the error body. Spread into a route's `response` beside its success statuses.
 */
export const ERROR_RESPONSES = { '4xx': ErrorBody, '5xx': ErrorBody } as const;

/** A 204 answer: no body. */
export const NoContent = Type.Null({ description: 'no content' });
