/**
 * Schemas of the alert routes: the list, one alert, acknowledging, its timeline and deliveries,
 * the alarm-load report, and the one-time acknowledgement link (HTML pages, or JSON for callers
 * that send JSON).
 */
import { Type } from 'typebox';
import { Delivery } from '../deliveries/schemas.ts';
import { ERROR_RESPONSES, ErrorBody } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Time = Type.String({ format: 'date-time' });

export const AlertParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'alert id (uuid); any other value is not found' }) },
  closed,
);

/** An alert as the API, the live stream and the webhooks show it (alerts/json.ts). */
export const Alert = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    patientName: Type.Optional(Type.String({ description: 'in the list only' })),
    rule: Type.String(),
    ruleKey: Type.Optional(Type.String({ description: 'which instance of the rule, e.g. the schedule id' })),
    metric: Type.Optional(Type.String()),
    unit: Type.Optional(Type.String()),
    priority: Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')]),
    state: Type.Union([Type.Literal('firing'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
    late: Type.Boolean({ description: 'the readings arrived after the fact: recorded, never paged' }),
    onsetAt: Time,
    openedAt: Time,
    createdAt: Time,
    updatedAt: Time,
    lastValue: Type.Optional(Type.Number()),
    worstValue: Type.Optional(Type.Number()),
    lastSeenAt: Type.Optional(Time),
    conditionClearedAt: Type.Optional(Time),
    repeatCount: Type.Integer(),
    flapCount: Type.Integer(),
    acknowledgedAt: Type.Optional(Time),
    acknowledgedBy: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    acknowledgedByName: Type.Optional(
      Type.String({ description: 'in the list only: the name of who acknowledged it (the ward board shows it)' }),
    ),
    note: Type.Optional(Type.String()),
    resolvedAt: Type.Optional(Time),
    resolution: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    resolvedBy: Type.Optional(Type.String({ format: 'uuid' })),
    silencedBy: Type.Optional(Type.String({ format: 'uuid' })),
    detail: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'depends on the rule' })),
    escalation: Type.Object(
      {
        step: Type.Union([Type.Integer(), Type.Null()], { description: 'null: not escalating (yet)' }),
        round: Type.Integer(),
        nextAt: Type.Optional(Time),
      },
      closed,
    ),
  },
  closed,
);

export const AlertListQuery = Type.Object(
  {
    state: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('acknowledged'), Type.Literal('resolved')])),
    patientId: Type.Optional(Type.String({ maxLength: 64, description: 'uuid' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'default 200' })),
  },
  closed,
);

export const AckBody = Type.Union([
  Type.Null(),
  Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) }, closed),
]);

export const AlertEvent = Type.Object(
  {
    id: Type.Integer(),
    at: Time,
    type: Type.String({ description: 'opened, paged, escalated, acknowledged, condition_cleared, resolved, …' }),
    userId: Type.Optional(Type.String({ format: 'uuid' })),
    userName: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    detail: Type.Optional(Type.Unknown()),
  },
  closed,
);

export const AlarmLoadQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'default: 30 days before `to`' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'default: now' })),
  },
  closed,
);

export const AlarmLoad = Type.Object(
  {
    from: Time,
    to: Time,
    rows: Type.Array(
      Type.Object(
        {
          patientId: Type.String({ format: 'uuid' }),
          patientName: Type.String(),
          rule: Type.String(),
          count: Type.Integer(),
          acknowledged: Type.Integer(),
          medianSecondsToAcknowledge: Type.Union([Type.Integer(), Type.Null()]),
          selfClearedWithin2Minutes: Type.Number({ minimum: 0, maximum: 1, description: 'share of count' }),
        },
        closed,
      ),
    ),
    byRule: Type.Array(
      Type.Object(
        {
          rule: Type.String(),
          pages: Type.Integer({ description: 'pages sent (one per alert, person, step and round)' }),
          suppressed: Type.Integer({ description: 'pages the per-person rate limit held back' }),
          grouped: Type.Integer({ description: "pages that went out inside another page's message" }),
        },
        closed,
      ),
      { description: 'pages about the visible patients, by rule' },
    ),
    byPerson: Type.Array(
      Type.Object(
        {
          userId: Type.String({ format: 'uuid' }),
          displayName: Type.String(),
          pages: Type.Integer(),
          suppressed: Type.Integer(),
          grouped: Type.Integer(),
          pagesPerWeek: Type.Number({ minimum: 0, description: 'pages over the weeks of the report, 1 decimal' }),
        },
        closed,
      ),
      { description: 'pages about the visible patients, by the person paged' },
    ),
  },
  closed,
);

/**
 * The link's token: in the query (the link in a notification, and the page's form) or in the
 * body (JSON callers). Left open: mail clients and scanners append parameters of their own.
 */
export const AckLinkQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 2048 })) });
const AckLinkToken = Type.Object({ token: Type.Optional(Type.String({ maxLength: 2048 })) });
/** By media type: a request without a body (the token in the query) is not validated at all. */
export const AckLinkBody = {
  content: {
    'application/json': { schema: Type.Union([Type.Null(), AckLinkToken]) },
    'application/x-www-form-urlencoded': { schema: AckLinkToken },
  },
};

const Page = Type.String({ description: 'an HTML page for a person in a browser' });
const html = { 'text/html': { schema: Page } };

const tags = ['alerts'];

export const list = {
  summary: 'Alerts of the patients the caller may see: open ones first, by priority, newest first',
  tags,
  querystring: AlertListQuery,
  response: { 200: Type.Array(Alert), ...ERROR_RESPONSES },
};

export const one = {
  summary: 'One alert of a patient the caller may see',
  tags,
  params: AlertParams,
  response: { 200: Alert, ...ERROR_RESPONSES },
};

export const ack = {
  summary: 'Acknowledge an alert, with an optional note; 409 when it is already resolved',
  tags,
  params: AlertParams,
  body: AckBody,
  response: { 200: Alert, ...ERROR_RESPONSES },
};

export const events = {
  summary: "An alert's timeline, oldest first, naming the user where one acted",
  tags,
  params: AlertParams,
  response: { 200: Type.Array(AlertEvent), ...ERROR_RESPONSES },
};

export const deliveries = {
  summary: "An alert's notifications (pages and site webhooks), their attempts and outcome",
  tags,
  params: AlertParams,
  response: { 200: Type.Array(Delivery), ...ERROR_RESPONSES },
};

export const alarmLoad = {
  summary:
    'Alarm load per patient and rule (how many, how fast acknowledged, how many cleared on their own), and pages by rule and by person',
  tags: ['alerts', 'reports'],
  querystring: AlarmLoadQuery,
  response: { 200: AlarmLoad, ...ERROR_RESPONSES },
};

// The acknowledgement link answers a person in a browser with HTML pages (the documented
// exception to the one error mapping, api/errors-plugin.ts); a caller that sends JSON gets JSON.
export const ackLinkPage = {
  summary: 'The page a one-time acknowledgement link opens: it asks to confirm and never acknowledges',
  tags,
  querystring: AckLinkQuery,
  response: {
    200: { content: html },
    '4xx': { content: { ...html, 'application/json': { schema: ErrorBody } } },
    '5xx': { content: { ...html, 'application/json': { schema: ErrorBody } } },
  },
};

export const ackLinkConfirm = {
  summary: 'Acknowledge through a one-time link, once, as the person it was sent to; no login',
  tags,
  querystring: AckLinkQuery,
  body: AckLinkBody,
  response: {
    200: { content: { ...html, 'application/json': { schema: Alert } } },
    '4xx': { content: { ...html, 'application/json': { schema: ErrorBody } } },
    '5xx': { content: { ...html, 'application/json': { schema: ErrorBody } } },
  },
};
