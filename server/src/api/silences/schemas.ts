/** Schemas of alert silences: a patient's rule (or every rule) silenced up to a priority until a time. */
import { Type } from 'typebox';
import { Reason } from '../change-reason.ts';
import { PatientParams } from '../patients/schemas.ts';
import { Priority } from '../priority.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const Silence = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    rule: Type.Union([Type.String(), Type.Null()], { description: 'null: every rule' }),
    priority: Priority(),
    reason: Type.String(),
    startsAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    endedAt: Type.Optional(Type.String({ format: 'date-time', description: 'when it was ended early' })),
  },
  closed,
);

export const NewSilence = Type.Object(
  {
    rule: Type.Optional(Type.String({ maxLength: 64, description: 'rule id; default every rule' })),
    priority: Type.Optional(
      Priority({
        description: 'pages up to this priority are silenced; a higher one pages anyway. Default low',
      }),
    ),
    reason: Reason,
    expiresAt: Type.String({ format: 'date-time', description: 'in the future, at most 7 days ahead' }),
  },
  closed,
);

export const SilenceParams = Type.Object(
  { sid: Type.String({ maxLength: 100, description: 'silence id (uuid); any other value is not found' }) },
  closed,
);

const tags = ['silences'];

export const list = {
  summary: "A patient's silences, newest first (at most 200)",
  tags,
  params: PatientParams,
  response: { 200: Type.Array(Silence), ...ERROR_RESPONSES },
};

export const create = {
  summary: 'Silence pages of a rule (or every rule) for a patient, at most 7 days (any member of the care team)',
  tags,
  params: PatientParams,
  body: NewSilence,
  response: { 201: Silence, ...ERROR_RESPONSES },
};

export const end = {
  summary: 'End a silence now (any member of the care team of its patient)',
  tags,
  params: SilenceParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
