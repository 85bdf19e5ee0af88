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
    spo2Scale: Type.Union([Type.Literal(1), Type.Literal(2)], {
      description: 'NEWS2 SpO2 scale; 2 (hypercapnic respiratory failure) as the attending physician prescribed',
    }),
    vitalsSensitivity: Type.Union([Type.Literal('team'), Type.Literal('clinical'), Type.Literal('restricted')], {
      description: "who may see the patient's vitals and alerts: the lowest clearance that reaches them",
    }),
    area: Type.Optional(Type.String({ description: 'where the patient is, as the team names it' })),
  },
  closed,
);

export const PatientChanges = Type.Object(
  {
    displayName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'attending physician or lead' }),
    ),
    timezone: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone; attending physician or lead' }),
    ),
    spo2Scale: Type.Optional(
      Type.Union([Type.Literal(1), Type.Literal(2)], { description: 'NEWS2 SpO2 scale; attending physician only' }),
    ),
    vitalsSensitivity: Type.Optional(
      Type.Union([Type.Literal('team'), Type.Literal('clinical'), Type.Literal('restricted')], {
        description: 'attending physician only',
      }),
    ),
    area: Type.Optional(
      Type.Union(
        [
          Type.String({
            minLength: 1,
            maxLength: 50,
            description:
              'where the patient is, as the team names it: a district of the round (北区 A地区), a room (2F-201); shown on wall displays',
          }),
          Type.Null(),
        ],
        { description: 'null clears it; attending physician or lead' },
      ),
    ),
  },
  { ...closed, minProperties: 1 },
);

export const NewPatient = Type.Object(
  {
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    birthDate: Type.Optional(Type.String({ format: 'date' })),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'default Asia/Tokyo' })),
    area: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 50,
        description:
          'where the patient is, as the team names it: a district of the round (北区 A地区), a room (2F-201); shown on wall displays',
      }),
    ),
    organisationId: Type.Optional(
      Type.String({ format: 'uuid', description: 'required when the caller belongs to several organisations' }),
    ),
  },
  closed,
);

/** Who recorded an observation. */
export const Recorder = Type.Object(
  { id: Type.String({ format: 'uuid' }), displayName: Type.String() },
  { ...closed, description: 'the member of the care team who recorded it' },
);
const ObservationSource = Type.Literal('observation', {
  description: 'recorded by a member of the care team; absent for device readings',
});

const LatestValue = Type.Object(
  {
    value: Type.Optional(Type.Number()),
    code: Type.Optional(Type.String({ description: 'a coded metric (consciousness: A, C, V, P or U)' })),
    unit: Type.String(),
    time: Type.String({ format: 'date-time' }),
    source: Type.Optional(ObservationSource),
    recordedBy: Type.Optional(Recorder),
  },
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

const RawPoint = Type.Object(
  {
    t: Type.String({ format: 'date-time' }),
    v: Type.Optional(Type.Number({ description: 'the value; absent for a coded metric' })),
    code: Type.Optional(Type.String({ description: 'a coded metric (consciousness)' })),
    source: Type.Optional(ObservationSource),
    recordedBy: Type.Optional(Recorder),
  },
  closed,
);
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
          displayName: Type.String({ description: 'initials on a wall display that asks for them' }),
          area: Type.Optional(Type.String({ description: 'where the patient is, as the team names it' })),
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

export const change = {
  summary:
    'Change a patient: name and timezone (attending physician or lead), SpO2 scale and vitals sensitivity (attending physician)',
  tags,
  params: PatientParams,
  body: PatientChanges,
  response: { 200: Patient, ...ERROR_RESPONSES },
};

export const latest = {
  summary: "A patient's latest value of each metric",
  tags,
  params: PatientParams,
  response: { 200: Type.Object({ metrics: LatestByMetric }, closed), ...ERROR_RESPONSES },
};

const Time = Type.String({ format: 'date-time' });

export const PatientDevice = Type.Object(
  {
    id: Type.String({ description: 'ble:<address> or serial:<id>' }),
    model: Type.Optional(Type.String()),
    label: Type.Optional(Type.String()),
    boundFrom: Time,
    lastSeenAt: Type.Optional(Type.String({ format: 'date-time', description: 'when the gateway last heard it' })),
    battery: Type.Optional(
      Type.Object(
        { level: Type.Optional(Type.Number()), low: Type.Boolean(), at: Time },
        { ...closed, description: 'as the device last reported it' },
      ),
    ),
    gateway: Type.Optional(
      Type.Object(
        {
          id: Type.String(),
          state: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('unknown')]),
          since: Type.Optional(Time),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const devices = {
  summary: "The devices bound to a patient now: when each was last heard, its battery, the home's gateway",
  tags,
  params: PatientParams,
  response: { 200: Type.Object({ devices: Type.Array(PatientDevice) }, closed), ...ERROR_RESPONSES },
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
