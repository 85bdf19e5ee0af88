/** Schemas of a patient's planned absences: away (hospital, short stay), so missing data is expected. */
import { Type } from 'typebox';
import { Reason } from '../change-reason.ts';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const Kind = Type.Union([Type.Literal('hospital'), Type.Literal('short_stay'), Type.Literal('other')]);

export const Absence = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    kind: Kind,
    startsAt: Type.String({ format: 'date-time' }),
    endsAt: Type.String({ format: 'date-time' }),
    reason: Type.String(),
    createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    cancelledAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  closed,
);

export const NewAbsence = Type.Object(
  {
    kind: Type.Optional(
      Type.Union([Type.Literal('hospital'), Type.Literal('short_stay'), Type.Literal('other')], {
        description: 'default other',
      }),
    ),
    startsAt: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })),
    endsAt: Type.String({ format: 'date-time', description: 'after startsAt' }),
    reason: Reason,
  },
  closed,
);

export const AbsenceParams = Type.Object(
  {
    id: PatientParams.properties.id,
    aid: Type.String({ maxLength: 100, description: 'absence id (uuid); any other value is not found' }),
  },
  closed,
);

const tags = ['absences'];

export const list = {
  summary: "A patient's planned absences, latest start first (at most 200)",
  tags,
  params: PatientParams,
  response: { 200: Type.Array(Absence), ...ERROR_RESPONSES },
};

export const create = {
  summary:
    'Plan an absence: missed-measurement, silent-device and gateway-offline alerts pause (any member of the care team)',
  tags,
  params: PatientParams,
  body: NewAbsence,
  response: { 201: Absence, ...ERROR_RESPONSES },
};

export const cancel = {
  summary: 'Cancel a planned absence (any member of the care team)',
  tags,
  params: AbsenceParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
