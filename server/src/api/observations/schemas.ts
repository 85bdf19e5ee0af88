/** Schemas of observations: what a member of the care team measured or assessed at a visit. */
import { Type } from 'typebox';
import { PatientParams, Recorder } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const NewObservedValue = Type.Object(
  {
    metric: Type.String({
      maxLength: 64,
      description:
        'bp_systolic, bp_diastolic, pulse_rate, spo2, inhaled_oxygen_flow, respiratory_rate, body_temperature, consciousness, pain_score, body_weight or glucose',
    }),
    value: Type.Optional(Type.Number({ description: "in the metric's canonical unit, within its possible range" })),
    code: Type.Optional(Type.String({ maxLength: 8, description: 'consciousness: A, C, V, P or U (ACVPU)' })),
  },
  closed,
);

export const NewObservation = Type.Object(
  {
    time: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 64,
        description: 'when it was measured; default now, or the time of the observation it supersedes',
      }),
    ),
    supersedes: Type.Optional(
      Type.String({ format: 'uuid', description: 'the id of an earlier observation this one corrects' }),
    ),
    readings: Type.Array(NewObservedValue, { minItems: 1, maxItems: 20, description: 'one per metric' }),
  },
  closed,
);

export const ObservedValue = Type.Object(
  {
    id: Type.String({ description: 'the reading id' }),
    metric: Type.String(),
    value: Type.Optional(Type.Number()),
    code: Type.Optional(Type.String()),
    unit: Type.String(),
  },
  closed,
);

export const Observation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    time: Type.String({ format: 'date-time' }),
    recordedAt: Type.String({ format: 'date-time' }),
    recordedBy: Recorder,
    source: Type.Literal('observation'),
    supersedes: Type.Optional(Type.String({ format: 'uuid' })),
    supersededBy: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'a later observation corrected this one: its values no longer count',
      }),
    ),
    readings: Type.Array(ObservedValue),
  },
  closed,
);

export const ObservationsQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ format: 'date-time', maxLength: 64, description: 'default: 30 days before `to`' }),
    ),
    to: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default: now' })),
  },
  closed,
);

const tags = ['observations'];

export const create = {
  summary:
    "Record an observation (any member of the care team): stored as the patient's readings, named by its recorder, judged by the alert rules",
  tags,
  params: PatientParams,
  body: NewObservation,
  response: { 201: Observation, ...ERROR_RESPONSES },
};

export const list = {
  summary: "A patient's observations in a time range, newest first (at most 500), with who recorded them",
  tags,
  params: PatientParams,
  querystring: ObservationsQuery,
  response: { 200: Type.Object({ observations: Type.Array(Observation) }, closed), ...ERROR_RESPONSES },
};
