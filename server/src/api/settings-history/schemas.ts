/** Schemas of a patient's alert settings history: who changed what, when and why. */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const SettingsChange = Type.Object(
  {
    id: Type.Integer(),
    what: Type.String({
      description: '"rule:<id>", "target:<metric>", "schedule:<id>" or "escalation_policy"',
    }),
    before: Type.Unknown({ description: 'the setting before the change; null when there was none' }),
    after: Type.Unknown({ description: 'the setting after the change; null when it was removed' }),
    reason: Type.String(),
    changedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    changedByName: Type.Union([Type.String(), Type.Null()]),
    changedAt: Type.String({ format: 'date-time' }),
  },
  closed,
);

export const history = {
  summary: "A patient's alert settings history, newest first (at most 200 changes)",
  tags: ['alert settings'],
  params: PatientParams,
  response: { 200: Type.Array(SettingsChange), ...ERROR_RESPONSES },
};
