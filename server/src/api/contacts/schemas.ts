/** Schemas of the caller's own notification contacts: webhook, email, Web Push subscription. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const Channel = Type.Union([Type.Literal('webhook'), Type.Literal('email'), Type.Literal('webpush')]);

export const ContactParams = Type.Object(
  { cid: Type.String({ maxLength: 100, description: 'contact id (uuid); any other value is not found' }) },
  closed,
);

export const Contact = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    channel: Channel,
    address: Type.String({ description: 'the URL or email address; for webpush only the push service host' }),
    label: Type.Optional(Type.String()),
    signed: Type.Boolean({ description: 'whether webhook calls carry a signature made with the secret' }),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

// The browser's PushSubscription.toJSON() as it is: left open, since browsers may add fields.
const PushSubscription = Type.Object(
  {
    endpoint: Type.String({ maxLength: 2000 }),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    keys: Type.Object({ p256dh: Type.String({ maxLength: 200 }), auth: Type.String({ maxLength: 100 }) }),
  },
  { description: 'webpush: the subscription from PushManager.subscribe()' },
);

export const NewContact = Type.Object(
  {
    channel: Channel,
    address: Type.Optional(
      Type.String({ maxLength: 2000, description: 'an https URL (webhook) or an email address; not for webpush' }),
    ),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 200, description: 'webhook: sign each call with this secret' }),
    ),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    subscription: Type.Optional(PushSubscription),
  },
  closed,
);

const tags = ['contacts'];

export const list = {
  summary: "The caller's own notification contacts",
  tags,
  response: { 200: Type.Array(Contact), ...ERROR_RESPONSES },
};

export const add = {
  summary: 'Add a way to reach the caller; webhook and push addresses inside the network are refused',
  tags,
  body: NewContact,
  response: { 201: Contact, ...ERROR_RESPONSES },
};

export const remove = {
  summary: "Stop using one of the caller's contacts",
  tags,
  params: ContactParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
