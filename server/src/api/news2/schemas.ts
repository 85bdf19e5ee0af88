/** Schemas of a patient's NEWS2 score (shared/CONTRACT.md). */
import { Type } from 'typebox';
import { NEWS2_PARAMETERS } from '../../alerts/news2.ts';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const Parameter = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.String()], {
      description:
        'the value scored: airOrOxygen the inhaled oxygen flow in L/min (0 = air), consciousness the ACVPU code',
    }),
    score: Type.Integer({ minimum: 0, maximum: 3 }),
    time: Type.String({ format: 'date-time', description: 'when the value was measured' }),
  },
  closed,
);

const ParameterName = Type.String({ description: `a NEWS2 parameter: ${NEWS2_PARAMETERS.join(', ')}` });

export const News2 = Type.Object(
  {
    score: Type.Integer({ minimum: 0, description: 'when partial, the sum of what could be scored: a lower bound' }),
    band: Type.Union([Type.Literal('low'), Type.Literal('low-medium'), Type.Literal('medium'), Type.Literal('high')]),
    partial: Type.Boolean(),
    missing: Type.Array(ParameterName, { description: 'parameters not known within the window, in the chart order' }),
    parameters: Type.Object(
      {
        respiratoryRate: Type.Optional(Parameter),
        spo2: Type.Optional(Parameter),
        airOrOxygen: Type.Optional(Parameter),
        systolicBloodPressure: Type.Optional(Parameter),
        pulse: Type.Optional(Parameter),
        consciousness: Type.Optional(Parameter),
        temperature: Type.Optional(Parameter),
      },
      { ...closed, description: 'each parameter that could be scored' },
    ),
    spo2Scale: Type.Union([Type.Literal(1), Type.Literal(2)]),
    time: Type.String({ format: 'date-time', description: 'the time scored: values from the hour before it count' }),
  },
  closed,
);

export const News2Query = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', maxLength: 64, description: 'default: now' })) },
  closed,
);

export const one = {
  summary: "A patient's NEWS2 from the latest value of each parameter within the hour before `at`",
  tags: ['news2'],
  params: PatientParams,
  querystring: News2Query,
  response: { 200: News2, ...ERROR_RESPONSES },
};
