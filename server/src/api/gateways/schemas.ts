/** Schemas of the gateway routes: registration, listing, new credentials, revocation, remote settings. */
import { GATEWAY_LOG_LEVELS, GATEWAY_SETTINGS } from '@vitals/contract';
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

const integerSetting = (s: { min: number; max: number; unit: string; description: string }) =>
  Type.Optional(
    Type.Integer({ minimum: s.min, maximum: s.max, description: `${s.description}; ${s.min}–${s.max} ${s.unit}` }),
  );

/**
 * Remote gateway settings (contract/src/gateway-settings.ts is the one table of them): a value
 * out of its bounds is refused with 400 naming the setting and its bounds.
 */
export const GatewaySettings = Type.Object(
  {
    logLevel: Type.Optional(
      Type.Union(
        [
          Type.Literal(GATEWAY_LOG_LEVELS[0]),
          Type.Literal(GATEWAY_LOG_LEVELS[1]),
          Type.Literal(GATEWAY_LOG_LEVELS[2]),
          Type.Literal(GATEWAY_LOG_LEVELS[3]),
          Type.Literal(GATEWAY_LOG_LEVELS[4]),
          Type.Literal(GATEWAY_LOG_LEVELS[5]),
        ],
        { description: GATEWAY_SETTINGS.logLevel.description },
      ),
    ),
    maxReadingsPerSecond: integerSetting(GATEWAY_SETTINGS.maxReadingsPerSecond),
    uploadBatchReadings: integerSetting(GATEWAY_SETTINGS.uploadBatchReadings),
    statusIntervalSeconds: integerSetting(GATEWAY_SETTINGS.statusIntervalSeconds),
    serverReconnectMaxSeconds: integerSetting(GATEWAY_SETTINGS.serverReconnectMaxSeconds),
    bleReconnectMaxSeconds: integerSetting(GATEWAY_SETTINGS.bleReconnectMaxSeconds),
  },
  { ...closed, description: 'a setting left out is inherited (from the organisation, else the gateway itself)' },
);

export const SettingsBody = Type.Object({ settings: GatewaySettings }, closed);

export const OrganisationParams = Type.Object(
  {
    orgId: Type.String({
      maxLength: 100,
      description: 'an organisation the caller administers; any other is not found',
    }),
  },
  closed,
);

const Republished = Type.Integer({ description: 'gateways whose retained config is being republished' });

export const OrganisationSettings = Type.Object(
  {
    organisationId: Type.String({ format: 'uuid' }),
    settings: GatewaySettings,
    revision: Type.Optional(Type.Integer({ description: 'absent until an administrator set the default' })),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
    republished: Type.Optional(Republished),
  },
  closed,
);

export const GatewaySettingsAnswer = Type.Object(
  {
    gatewayId: Type.String(),
    overrides: GatewaySettings,
    effective: GatewaySettings,
    revision: Type.Integer({ description: 'the revision the gateway must now apply' }),
  },
  closed,
);

export const organisationSettings = {
  summary: "An organisation's default settings for all of its gateways (its administrators)",
  tags,
  params: OrganisationParams,
  response: { 200: OrganisationSettings, ...ERROR_RESPONSES },
};

export const setOrganisationSettings = {
  summary: "Replace an organisation's default gateway settings and push them to its gateways",
  description:
    'Audited. Every gateway of the organisation (not revoked) gets its retained config again with the new ' +
    'settings; a setting a gateway overrides stays its own.',
  tags,
  params: OrganisationParams,
  body: SettingsBody,
  response: { 200: OrganisationSettings, ...ERROR_RESPONSES },
};

export const setGatewaySettings = {
  summary: "Replace one gateway's own settings (overriding its organisation's default) and push them to it",
  description: 'Audited. An empty settings object makes the gateway inherit everything again.',
  tags,
  params: GatewayParams,
  body: SettingsBody,
  response: { 200: GatewaySettingsAnswer, ...ERROR_RESPONSES },
};

const FleetSettings = Type.Object(
  {
    overrides: GatewaySettings,
    effective: GatewaySettings,
    revision: Type.Optional(Type.Integer({ description: 'the revision it must apply; absent when none was ever set' })),
    appliedRevision: Type.Optional(Type.Integer({ description: 'the revision it last reported applying' })),
    applied: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]), {
        description: 'the values in force on the gateway, as it reported them',
      }),
    ),
    ignored: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'settings it refused, with its reason' }),
    ),
    pinned: Type.Optional(Type.Array(Type.String(), { description: 'settings its local file pins' })),
    state: Type.Union([Type.Literal('none'), Type.Literal('applied'), Type.Literal('pending')]),
  },
  closed,
);

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
    settings: FleetSettings,
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
