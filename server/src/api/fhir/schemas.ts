/**
 * Schemas of the FHIR R4 read API. Resources are described loosely here (a resourceType and
 * anything else): their real schema is FHIR's own, and the tests validate every answer against
 * the official FHIR R4 JSON schema (test-support/fhir-validation.ts).
 */
import { Type } from 'typebox';

const open = { additionalProperties: true } as const;

export const Resource = (type: string, description: string) =>
  Type.Object({ resourceType: Type.Literal(type) }, { ...open, description });

export const OperationOutcome = Resource(
  'OperationOutcome',
  'an error: issue[0].code and diagnostics say what and what to do',
);
const FHIR_ERRORS = { '4xx': OperationOutcome, '5xx': OperationOutcome } as const;

const Id = Type.String({ maxLength: 64, description: 'the resource id' });

export const metadata = {
  summary: 'FHIR CapabilityStatement: what this FHIR R4 API serves',
  tags: ['fhir'],
  security: [],
  response: { 200: Resource('CapabilityStatement', 'the capability statement'), ...FHIR_ERRORS },
};

export const patient = {
  summary: 'FHIR Patient (404 for a patient the caller may not see)',
  tags: ['fhir'],
  params: Type.Object({ id: Id }, { additionalProperties: false }),
  response: { 200: Resource('Patient', 'the patient'), ...FHIR_ERRORS },
};

export const device = {
  summary: 'FHIR Device: a measuring device (PhdDevice, dev-…) or a gateway (PhgDevice, phg-…)',
  tags: ['fhir'],
  params: Type.Object({ id: Id }, { additionalProperties: false }),
  response: { 200: Resource('Device', 'the device'), ...FHIR_ERRORS },
};

export const observation = {
  summary: 'FHIR Observation by id (PHD IG)',
  tags: ['fhir'],
  params: Type.Object({ id: Id }, { additionalProperties: false }),
  response: { 200: Resource('Observation', 'the observation'), ...FHIR_ERRORS },
};

const Repeatable = (description: string) => Type.Array(Type.String({ maxLength: 200 }), { maxItems: 4, description });

export const ObservationSearchQuery = Type.Object(
  {
    patient: Type.String({ maxLength: 100, description: 'Patient/{id} or {id}: required' }),
    code: Type.Optional(Repeatable('LOINC or MDC token(s), system|code, comma-separated = any of')),
    date: Type.Optional(Repeatable('effective time: eq, ge, gt, lt, le + date or dateTime; repeat for a range')),
    _lastUpdated: Type.Optional(Repeatable('when the server received it: same prefixes as date')),
    _count: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Observations per page, default 100' }),
    ),
    _cursor: Type.Optional(Type.String({ maxLength: 200, description: 'where the page starts: from a next link' })),
  },
  { additionalProperties: false },
);

export const observationSearch = {
  summary: 'FHIR Observation search: a searchset Bundle, paged by next links',
  tags: ['fhir'],
  querystring: ObservationSearchQuery,
  // Sent serialised already (api/fhir/index.ts): the schema documents it.
  response: { 200: Type.Unsafe<string>(Resource('Bundle', 'a searchset Bundle')), ...FHIR_ERRORS },
};

export const TokenBody = Type.Object(
  {
    grant_type: Type.String({ maxLength: 50, description: 'client_credentials' }),
    client_id: Type.Optional(Type.String({ maxLength: 100 })),
    client_secret: Type.Optional(Type.String({ maxLength: 200 })),
    scope: Type.Optional(
      Type.String({ maxLength: 1000, description: 'space-separated; default all of the client’s scopes' }),
    ),
  },
  { additionalProperties: false },
);

const OAuthError = Type.Object(
  { error: Type.String(), error_description: Type.String() },
  { additionalProperties: false, description: 'an OAuth 2.0 error (RFC 6749 §5.2)' },
);

export const token = {
  summary: 'OAuth 2.0 client credentials: an API client’s id and secret → a short-lived access token',
  tags: ['fhir'],
  security: [],
  body: TokenBody,
  response: {
    200: Type.Object(
      {
        access_token: Type.String(),
        token_type: Type.Literal('bearer'),
        expires_in: Type.Integer(),
        scope: Type.String(),
      },
      { additionalProperties: false },
    ),
    '4xx': OAuthError,
    '5xx': OAuthError,
  },
};
