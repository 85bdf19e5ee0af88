/** Schema of the health check. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

export const Health = Type.Object(
  {
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    checks: Type.Record(Type.String(), Type.String(), {
      description: 'broker, database, ingest: "ok" or what is wrong',
    }),
  },
  { additionalProperties: false },
);

export const health = {
  summary: 'Whether the broker, the database and ingest are up',
  tags: ['health'],
  security: [],
  response: { 200: Health, 503: Health, ...ERROR_RESPONSES },
};
