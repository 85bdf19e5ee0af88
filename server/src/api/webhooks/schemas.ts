/** Schemas of webhook subscriptions per organisation and event type, and their delivery log. */
import { Type } from 'typebox';
import { WEBHOOK_EVENTS } from '../../notify/org-webhooks.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const Time = Type.String({ format: 'date-time' });
const OrgParams = Type.Object({ orgId: Uuid }, closed);
const SubParams = Type.Object({ orgId: Uuid, id: Type.String({ maxLength: 64 }) }, closed);

const EventType = Type.Union(
  [
    Type.Literal('alert.opened'),
    Type.Literal('alert.acknowledged'),
    Type.Literal('alert.resolved'),
    Type.Literal('observation.recorded'),
    Type.Literal('gateway.offline'),
    Type.Literal('timeline.posted'),
  ],
  { description: WEBHOOK_EVENTS.join(', ') },
);
const Detail = Type.Union([Type.Literal('ids'), Type.Literal('data')], {
  description: 'ids: ids and links only (default, the minimum necessary); data: reading values too',
});

export const Subscription = Type.Object(
  {
    id: Uuid,
    organisationId: Uuid,
    url: Type.String(),
    events: Type.Array(EventType),
    detail: Detail,
    label: Type.Optional(Type.String()),
    createdAt: Time,
    disabledAt: Type.Optional(Time),
  },
  closed,
);

export const create = {
  summary:
    'Subscribe a URL to event types of the organisation (organisation administrators); the signing secret is shown once',
  tags: ['webhooks'],
  params: OrgParams,
  body: Type.Object(
    {
      url: Type.String({
        maxLength: 2000,
        description: 'https (http only to loopback with VITALS_ALLOW_LOOPBACK_WEBHOOKS)',
      }),
      events: Type.Array(EventType, { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
      detail: Type.Optional(Detail),
      label: Type.Optional(Type.String({ maxLength: 100 })),
    },
    closed,
  ),
  response: {
    201: Type.Object(
      {
        ...Subscription.properties,
        secret: Type.String({ description: 'HMAC-SHA256 key of X-Vitals-Signature; shown once' }),
      },
      closed,
    ),
    ...ERROR_RESPONSES,
  },
};

export const list = {
  summary: 'The webhook subscriptions of an organisation',
  tags: ['webhooks'],
  params: OrgParams,
  response: { 200: Type.Array(Subscription), ...ERROR_RESPONSES },
};

export const remove = {
  summary: 'End a webhook subscription: nothing more is sent, queued deliveries are cancelled',
  tags: ['webhooks'],
  params: SubParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

export const Delivery = Type.Object(
  {
    id: Type.Integer(),
    event: Type.String(),
    idempotencyKey: Type.String(),
    status: Type.String({ description: 'pending, sending, delivered, failed, cancelled' }),
    attempts: Type.Integer(),
    maxAttempts: Type.Integer(),
    lastError: Type.Optional(Type.String()),
    nextAttemptAt: Type.Optional(Time),
    createdAt: Time,
    deliveredAt: Type.Optional(Time),
  },
  closed,
);

export const deliveries = {
  summary: 'The delivery log of a webhook subscription, newest first',
  tags: ['webhooks'],
  params: SubParams,
  querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, closed),
  response: { 200: Type.Array(Delivery), ...ERROR_RESPONSES },
};
