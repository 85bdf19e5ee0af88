/** Schemas of the delivery outbox as the caller sees it: pages and site-webhook notifications. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Time = Type.String({ format: 'date-time' });

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('sending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
  Type.Literal('cancelled'),
  Type.Literal('suppressed'),
  Type.Literal('grouped'),
]);

/** One notification and its attempts (./json.ts). Targets are redacted: an email address, or a host. */
export const Delivery = Type.Object(
  {
    id: Type.Integer(),
    idempotencyKey: Type.String(),
    alertId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    event: Type.String({ description: 'page, alert.opened, alert.resolved, …' }),
    channel: Type.Union([
      Type.Literal('webhook'),
      Type.Literal('email'),
      Type.Literal('webpush'),
      Type.Literal('site_webhook'),
      Type.Literal('org_webhook'),
    ]),
    userId: Type.Optional(Type.String({ format: 'uuid' })),
    target: Type.String({ description: 'the email address, or only the host of a webhook or push endpoint' }),
    status: Status,
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    nextAttemptAt: Type.Optional(Time),
    lastError: Type.Optional(
      Type.String({ description: 'why it failed, was cancelled, or was suppressed (the per-person rate limit)' }),
    ),
    groupedInto: Type.Optional(
      Type.Integer({ description: 'a grouped page: the delivery whose message lists this alert with others' }),
    ),
    step: Type.Optional(Type.Integer({ description: 'escalation step of a page' })),
    round: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    createdAt: Time,
    deliveredAt: Type.Optional(Time),
  },
  closed,
);

export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 200' })),
  },
  closed,
);

export const list = {
  summary: 'Notifications about the patients the caller may see, newest first',
  tags: ['alerts'],
  querystring: DeliveryListQuery,
  response: { 200: Type.Array(Delivery), ...ERROR_RESPONSES },
};
