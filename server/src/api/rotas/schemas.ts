/** Schemas of the on-call rota routes: rotas, their overrides, and who is on call. */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

export const RotaParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'rota id (uuid); any other value is not found' }) },
  closed,
);

export const Rota = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    organisationId: Type.String({ format: 'uuid' }),
    name: Type.String(),
    timezone: Type.String({ description: 'IANA time zone the hand-over time is read in' }),
    handoverTime: Type.String({ description: 'local time "HH:MM" the shift changes hands' }),
    shiftDays: Type.Integer({ description: 'length of one shift in days (1 = daily, 7 = weekly)' }),
    startDate: Type.String({ format: 'date', description: 'local date on which members[0] starts the first shift' }),
    members: Type.Array(Type.String({ format: 'uuid' }), { description: 'user ids, in shift order' }),
    overrides: Type.Array(
      Type.Object(
        {
          userId: Type.String({ format: 'uuid' }),
          from: Type.String({ format: 'date-time' }),
          to: Type.String({ format: 'date-time' }),
        },
        closed,
      ),
      { description: 'shift swaps, oldest first; the latest one covering a time wins' },
    ),
  },
  closed,
);

/** A new rota, or the whole of an existing one (PUT replaces every field but its organisation). */
export const RotaBody = Type.Object(
  {
    organisationId: Type.Optional(
      Type.String({
        format: 'uuid',
        description: 'on creation: default the first organisation the caller administers; ignored on update',
      }),
    ),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone; default Asia/Tokyo' })),
    handoverTime: Type.Optional(Type.String({ maxLength: 5, description: 'local time "HH:MM"; default 09:00' })),
    shiftDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 28, description: 'default 1' })),
    startDate: Type.Optional(
      Type.String({ format: 'date', description: 'default today on creation, the current start date on update' }),
    ),
    members: Type.Array(Type.String({ format: 'uuid' }), {
      maxItems: 100,
      description: "active members of the rota's organisation, in shift order",
    }),
  },
  closed,
);

export const OverrideBody = Type.Object(
  {
    userId: Type.String({
      format: 'uuid',
      description: "who takes the shift: an active member of the rota's organisation",
    }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time', description: 'after from' }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  closed,
);

export const OnCallQuery = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'default now' })) },
  closed,
);

export const OnCall = Type.Object(
  {
    at: Type.String({ format: 'date-time' }),
    userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description: 'null when the rota has no members and no override covers the time',
    }),
    displayName: Type.Optional(Type.String()),
  },
  closed,
);

const tags = ['rotas'];

export const list = {
  summary: "The on-call rotas of the caller's organisations",
  tags,
  response: { 200: Type.Array(Rota), ...ERROR_RESPONSES },
};

export const create = {
  summary: 'Create a rota (organisation administrators)',
  tags,
  body: RotaBody,
  response: { 201: Rota, ...ERROR_RESPONSES },
};

export const one = {
  summary: "One rota of the caller's organisations",
  tags,
  params: RotaParams,
  response: { 200: Rota, ...ERROR_RESPONSES },
};

export const update = {
  summary: "Replace a rota's name, time zone, shifts and members (its organisation's administrators)",
  tags,
  params: RotaParams,
  body: RotaBody,
  response: { 200: Rota, ...ERROR_RESPONSES },
};

export const addOverride = {
  summary: 'Swap a shift: an administrator, or the person taking it over',
  tags,
  params: RotaParams,
  body: OverrideBody,
  response: { 201: Rota, ...ERROR_RESPONSES },
};

export const onCall = {
  summary: 'Who is on call on a rota at a time',
  tags,
  params: RotaParams,
  querystring: OnCallQuery,
  response: { 200: OnCall, ...ERROR_RESPONSES },
};

export const forPatient = {
  summary:
    "The rotas a patient's escalation policy may name: those of the organisations with someone on the patient's care team (any member of the team)",
  tags,
  params: PatientParams,
  response: { 200: Type.Array(Rota), ...ERROR_RESPONSES },
};
