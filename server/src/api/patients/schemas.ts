/** Schemas of the patient routes: registration, listing, readings, latest values, the wall. */
import { Type } from 'typebox';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const PatientParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'patient id (uuid); any other value is not found' }) },
  closed,
);

export const Patient = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    displayName: Type.String(),
    birthDate: Type.Optional(Type.String({ format: 'date' })),
    timezone: Type.String({ description: 'IANA time zone of the home' }),
    organisationId: Type.String({ format: 'uuid' }),
  },
  closed,
);

export const NewPatient = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    birthDate: Type.Optional(Type.String({ format: 'date' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'default Asia/Tokyo' })),
    organisationId: Type.Optional(
      Type.String({ format: 'uuid', description: 'required when the caller belongs to several organisations' }),
    ),
  },
  closed,
);

const LatestValue = Type.Object(
  { value: Type.Number(), unit: Type.String(), time: Type.String({ format: 'date-time' }) },
  closed,
);
const LatestByMetric = Type.Record(Type.String(), LatestValue, { description: 'by metric name' });

export const ReadingsQuery = Type.Object(
  {
    metric: Type.String({ maxLength: 64 }),
    from: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time; default: a day before `to`' })),
    to: Type.Optional(Type.String({ maxLength: 64, description: 'ISO 8601 time; default: now' })),
    maxPoints: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'default 1000' })),
  },
  closed,
);

const RawPoint = Type.Object({ t: Type.String({ format: 'date-time' }), v: Type.Number() }, closed);
const BucketPoint = Type.Object(
  {
    t: Type.String({ format: 'date-time', description: 'start of the bucket' }),
    min: Type.Number(),
    avg: Type.Number(),
    max: Type.Number(),
    n: Type.Integer(),
  },
  closed,
);

export const Readings = Type.Object(
  {
    metric: Type.String(),
    unit: Type.String(),
    resolution: Type.String({ description: '"raw", or the bucket size: "5m", "1h", "1d"' }),
    points: Type.Array(Type.Union([RawPoint, BucketPoint])),
  },
  closed,
);

export const Wall = Type.Object(
  {
    patients: Type.Array(
      Type.Object(
        {
          id: Type.String({ format: 'uuid' }),
          displayName: Type.String(),
          timezone: Type.String(),
          metrics: LatestByMetric,
        },
        closed,
      ),
    ),
  },
  closed,
);

const tags = ['patients'];

export const create = {
  summary: 'Register a patient; the caller joins the care team',
  tags,
  body: NewPatient,
  response: { 201: Patient, ...ERROR_RESPONSES },
};

export const list = {
  summary: 'The patients the caller may see',
  tags,
  response: { 200: Type.Array(Patient), ...ERROR_RESPONSES },
};

export const one = {
  summary: 'One patient the caller may see',
  tags,
  params: PatientParams,
  response: { 200: Patient, ...ERROR_RESPONSES },
};

export const latest = {
  summary: "A patient's latest value of each metric",
  tags,
  params: PatientParams,
  response: { 200: Type.Object({ metrics: LatestByMetric }, closed), ...ERROR_RESPONSES },
};

export const readings = {
  summary: "A patient's readings of one metric: raw, or min/avg/max buckets when there are more than maxPoints",
  tags,
  params: PatientParams,
  querystring: ReadingsQuery,
  response: { 200: Readings, ...ERROR_RESPONSES },
};

export const wall = {
  summary: 'The wall display: every visible patient with their latest values',
  tags,
  response: { 200: Wall, ...ERROR_RESPONSES },
};
