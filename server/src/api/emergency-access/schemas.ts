/** Schemas of emergency access ("break-glass") to a patient outside the caller's care teams. */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const NewEmergencyAccess = Type.Object(
  {
    reason: Type.String({
      minLength: 10,
      maxLength: 1000,
      description: 'why the patient must be seen now (at least 10 characters); kept in the audit log',
    }),
  },
  closed,
);

export const Opened = Type.Object(
  { id: Type.String({ format: 'uuid' }), expiresAt: Type.String({ format: 'date-time' }) },
  closed,
);

export const EmergencyAccess = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    userId: Type.String({ format: 'uuid' }),
    organisationId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    reason: Type.String(),
    startedAt: Type.String({ format: 'date-time' }),
    expiresAt: Type.String({ format: 'date-time' }),
    active: Type.Boolean(),
  },
  closed,
);

const tags = ['emergency access'];

export const open = {
  summary:
    "Open a time-limited, audited emergency access to a patient (members of the patient's organisation or of one on its care team)",
  tags,
  params: PatientParams,
  body: NewEmergencyAccess,
  response: { 201: Opened, ...ERROR_RESPONSES },
};

export const list = {
  summary: 'Emergency accesses to a patient, newest first (the care team reviews them)',
  tags,
  params: PatientParams,
  response: { 200: Type.Array(EmergencyAccess), ...ERROR_RESPONSES },
};
