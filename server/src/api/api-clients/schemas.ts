/** Schemas of API clients (machines reading through the FHIR API), for organisation administrators. */
import { Type } from 'typebox';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;
const Uuid = Type.String({ format: 'uuid' });
const OrgParams = Type.Object({ orgId: Uuid }, closed);
const ClientParams = Type.Object({ orgId: Uuid, id: Type.String({ maxLength: 64 }) }, closed);

const Scope = Type.String({
  maxLength: 60,
  description: 'patient/Observation.read, patient/Patient.read, patient/Device.read or patient/*.read',
});

export const ApiClient = Type.Object(
  {
    id: Uuid,
    organisationId: Uuid,
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    clearance: Type.Union([Type.Literal('team'), Type.Literal('clinical')]),
    patientIds: Type.Array(Uuid),
    createdAt: Type.String({ format: 'date-time' }),
    secretRotatedAt: Type.String({ format: 'date-time' }),
    revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  closed,
);

const WithSecret = Type.Object(
  {
    ...ApiClient.properties,
    secret: Type.String({ description: 'shown once: only its hash is kept' }),
    tokenUrl: Type.String({ description: 'where the client trades its id and secret for an access token' }),
  },
  closed,
);

export const create = {
  summary: 'Create an API client (organisation administrators): its secret is shown once',
  tags: ['api-clients'],
  params: OrgParams,
  body: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 100 }),
      scopes: Type.Array(Scope, { minItems: 1, maxItems: 10 }),
      patientIds: Type.Array(Uuid, {
        maxItems: 10_000,
        description: 'the patients (their care teams) the client may read: patients this organisation registered',
      }),
      clearance: Type.Optional(
        Type.Union([Type.Literal('team'), Type.Literal('clinical')], { description: 'default team' }),
      ),
    },
    closed,
  ),
  response: { 201: WithSecret, ...ERROR_RESPONSES },
};

export const list = {
  summary: 'The API clients of an organisation (organisation administrators)',
  tags: ['api-clients'],
  params: OrgParams,
  response: { 200: Type.Array(ApiClient), ...ERROR_RESPONSES },
};

export const rotate = {
  summary: 'A new secret for an API client, shown once; the old one and its tokens stop working',
  tags: ['api-clients'],
  params: ClientParams,
  response: { 200: WithSecret, ...ERROR_RESPONSES },
};

export const revoke = {
  summary: 'Revoke an API client: its tokens stop working at once',
  tags: ['api-clients'],
  params: ClientParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
