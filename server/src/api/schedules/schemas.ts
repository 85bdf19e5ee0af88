/** Schemas of a patient's measurement schedules: a metric expected in a local time window. */
import { Type } from 'typebox';
import { PatientParams } from '../patients/schemas.ts';
import { Priority } from '../priority.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const Weekdays = Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
  minItems: 1,
  maxItems: 7,
  uniqueItems: true,
  description: 'local weekdays, 0 = Sunday',
});

export const Schedule = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    patientId: Type.String({ format: 'uuid' }),
    metric: Type.String(),
    windowStart: Type.String({ description: 'local time "HH:MM" from which a reading counts' }),
    dueTime: Type.String({ description: 'local time "HH:MM" by which the reading is due' }),
    weekdays: Type.Array(Type.Integer({ minimum: 0, maximum: 6 })),
    priority: Priority(),
    label: Type.Optional(Type.String()),
  },
  closed,
);

export const NewSchedule = Type.Object(
  {
    metric: Type.String({ maxLength: 64 }),
    windowStart: Type.Optional(Type.String({ maxLength: 5, description: 'local time "HH:MM"; default 00:00' })),
    dueTime: Type.String({ maxLength: 5, description: 'local time "HH:MM", after windowStart' }),
    weekdays: Type.Optional(Weekdays),
    priority: Type.Optional(
      Priority({
        description: 'of the missed-measurement alert; default low',
      }),
    ),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  closed,
);

export const ScheduleParams = Type.Object(
  {
    id: PatientParams.properties.id,
    sid: Type.String({ maxLength: 100, description: 'schedule id (uuid); any other value is not found' }),
  },
  closed,
);

const tags = ['schedules'];

export const list = {
  summary: "A patient's measurement schedules",
  tags,
  params: PatientParams,
  response: { 200: Type.Array(Schedule), ...ERROR_RESPONSES },
};

export const create = {
  summary: 'Expect a measurement in a local time window on some weekdays (any member of the care team)',
  tags,
  params: PatientParams,
  body: NewSchedule,
  response: { 201: Schedule, ...ERROR_RESPONSES },
};

export const remove = {
  summary: 'Remove a measurement schedule (any member of the care team)',
  tags,
  params: ScheduleParams,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
