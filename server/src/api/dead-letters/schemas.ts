/** Schemas of the dead-letter list: what ingest could not accept, with the reason. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const DeadLettersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 100' })),
    before: Type.Optional(Type.Integer({ minimum: 1, description: 'only letters with a smaller id (the next page)' })),
  },
  closed,
);

export const DeadLetter = Type.Object(
  {
    id: Type.Integer(),
    receivedAt: Type.String({ format: 'date-time' }),
    gatewayId: Type.Optional(Type.String()),
    topic: Type.Optional(Type.String()),
    batchId: Type.Optional(Type.String()),
    reason: Type.String(),
    payload: Type.String({
      description: 'as it came when UTF-8 text, else `hex:` and its bytes; cut to 64 KiB (see payloadBytes)',
    }),
    payloadBytes: Type.Integer({ description: 'the size of the payload as received' }),
  },
  closed,
);

export const list = {
  summary: "Dead letters of the caller's organisations' gateways, newest first (administrators)",
  tags: ['dead letters'],
  querystring: DeadLettersQuery,
  response: { 200: Type.Array(DeadLetter), ...ERROR_RESPONSES },
};
