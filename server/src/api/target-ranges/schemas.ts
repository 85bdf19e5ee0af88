/** Schemas of a patient's target ranges: set or reset the range of one metric. */
import { Type } from 'typebox';
import { Reason, ReasonOnly } from '../change-reason.ts';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const TargetParams = Type.Object(
  { id: PatientParams.properties.id, metric: Type.String({ maxLength: 100, description: 'metric name, e.g. spo2' }) },
  closed,
);

export const TargetBody = Type.Object(
  {
    reason: Reason,
    low: Type.Optional(Type.Number({ description: 'lower edge of the normal range' })),
    high: Type.Optional(Type.Number({ description: 'upper edge; give low, high or both' })),
  },
  closed,
);

export const TargetSet = Type.Object(
  {
    metric: Type.String(),
    low: Type.Optional(Type.Number()),
    high: Type.Optional(Type.Number()),
    reason: Type.String(),
  },
  closed,
);

const tags = ['alert settings'];

export const set = {
  summary: "Set a patient's target range of a metric (attending physician or team lead); the rule limits move with it",
  tags,
  params: TargetParams,
  body: TargetBody,
  response: { 200: TargetSet, ...ERROR_RESPONSES },
};

export const reset = {
  summary: "Remove a patient's target range of a metric (attending physician or team lead)",
  tags,
  params: TargetParams,
  body: ReasonOnly,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
