/** Schemas of the gateway routes: registration, listing, new credentials, revocation. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const GatewayParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'gateway id; any other value is not found' }) },
  closed,
);

export const NewGateway = Type.Object(
  {
    id: Type.Optional(
      Type.String({ maxLength: 63, description: '[a-z0-9][a-z0-9-]{2,62}; default: gw- and 8 random characters' }),
    ),
    label: Type.Optional(Type.String({ maxLength: 200 })),
    organisationId: Type.Optional(
      Type.String({ format: 'uuid', description: 'required when the caller administers several organisations' }),
    ),
  },
  closed,
);

const MqttCredentials = Type.Object(
  {
    username: Type.String({ description: 'the gateway id' }),
    password: Type.String({ description: 'shown once; only its hash is kept' }),
  },
  closed,
);

export const CreatedGateway = Type.Object(
  {
    id: Type.String(),
    label: Type.Optional(Type.String()),
    organisationId: Type.String({ format: 'uuid' }),
    mqtt: MqttCredentials,
  },
  closed,
);

export const Gateway = Type.Object(
  {
    id: Type.String(),
    label: Type.Optional(Type.String()),
    organisationId: Type.String({ format: 'uuid' }),
    revoked: Type.Boolean(),
    status: Type.String({ description: 'its last reported state: online, offline, or unknown' }),
    statusAt: Type.Optional(Type.String({ format: 'date-time', description: 'when that state was recorded' })),
    version: Type.Optional(Type.String({ description: 'its software version, as it last reported' })),
  },
  closed,
);

export const NewCredentials = Type.Object({ id: Type.String(), mqtt: MqttCredentials }, closed);

const tags = ['gateways'];

export const create = {
  summary: 'Register a gateway with new MQTT credentials (administrators)',
  tags,
  body: NewGateway,
  response: { 201: CreatedGateway, ...ERROR_RESPONSES },
};

export const list = {
  summary: 'The gateways of the organisations the caller administers, with their last status',
  tags,
  response: { 200: Type.Array(Gateway), ...ERROR_RESPONSES },
};

export const rotate = {
  summary: 'A new MQTT password for a gateway, shown once (administrators)',
  description: 'The old password stops working and a connected session is dropped.',
  tags,
  params: GatewayParams,
  response: { 200: NewCredentials, ...ERROR_RESPONSES },
};

export const revoke = {
  summary: 'Shut a gateway out (administrators)',
  description: 'Its connected session is dropped; a rotation lets it in again.',
  tags,
  params: GatewayParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};

const FleetDevice = Type.Object(
  {
    id: Type.String(),
    model: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    allowed: Type.Boolean(),
    lastSeenAt: Type.Optional(Type.String({ format: 'date-time' })),
    battery: Type.Optional(
      Type.Object(
        {
          level: Type.Optional(Type.Number({ description: 'percent, as the device reported it' })),
          low: Type.Boolean(),
          at: Type.String({ format: 'date-time' }),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const FleetGateway = Type.Object(
  {
    id: Type.String(),
    label: Type.Optional(Type.String()),
    organisationId: Type.String({ format: 'uuid' }),
    revoked: Type.Boolean(),
    status: Type.String({ description: 'online, offline (by its will or by silence) or unknown' }),
    statusSince: Type.Optional(Type.String({ format: 'date-time' })),
    lastContactAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'the last status, event or reading heard from it' }),
    ),
    version: Type.Optional(Type.String()),
    outdated: Type.Boolean({ description: 'its version is older than VITALS_MIN_GATEWAY_VERSION (or unknown)' }),
    outbox: Type.Optional(
      Type.Object(
        {
          readings: Type.Number({ description: 'readings waiting in its outbox when it last reported' }),
          oldestAgeSeconds: Type.Optional(Type.Number()),
          reportedAt: Type.String({ format: 'date-time' }),
        },
        closed,
      ),
    ),
    clock: Type.Optional(
      Type.Object(
        {
          adjustedAt: Type.String({ format: 'date-time', description: 'the last clock correction it reported' }),
          device: Type.Optional(Type.String()),
          detail: Type.Record(Type.String(), Type.Unknown()),
        },
        closed,
      ),
    ),
    devices: Type.Array(FleetDevice),
  },
  closed,
);

export const fleet = {
  summary:
    'The fleet view: gateways of the organisations the caller administers, with contact, backlog, clock and devices',
  tags,
  response: { 200: Type.Array(FleetGateway), ...ERROR_RESPONSES },
};
