/** Schemas of a patient's escalation policy: who is paged, step by step, until someone acknowledges. */
import { type TSchemaOptions, Type } from 'typebox';
import { Reason } from '../change-reason.ts';
import { PatientParams } from '../patients/schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const TeamRole = (options: TSchemaOptions = {}) =>
  Type.Union([Type.Literal('attending'), Type.Literal('lead'), Type.Literal('member')], options);

const Target = Type.Union([
  Type.Object({ type: Type.Literal('rota'), rotaId: Type.String({ format: 'uuid' }) }, closed),
  Type.Object({ type: Type.Literal('team_role'), role: TeamRole() }, closed),
  Type.Object({ type: Type.Literal('user'), userId: Type.String({ format: 'uuid' }) }, closed),
]);

const Step = Type.Object(
  {
    targets: Type.Array(Target),
    delayMinutes: Type.Number({ description: 'minutes to wait for an acknowledgement before the next step' }),
  },
  closed,
);

// A JSON type list, not a union: the app coerces types, and ajv coerces a null sent in a union
// of integer and null into 0 on the first branch (a policy meant to repeat was refused).
const RepeatLimit = Type.Unsafe<number | null>({
  type: ['integer', 'null'],
  description: 'rounds through all steps at most; null repeats until acknowledged',
});

const PriorityRule = Type.Object(
  {
    page: Type.Boolean({ description: 'false: shown in the alert list, nobody paged (high must page)' }),
    // A JSON type list, not a union, as RepeatLimit.
    escalations: Type.Unsafe<number | null>({
      type: ['integer', 'null'],
      description: 'moves past the first page at most this many times (0 to 1000); null: until acknowledged',
    }),
  },
  closed,
);

const Priorities = Type.Object(
  { high: PriorityRule, medium: PriorityRule, low: PriorityRule },
  {
    ...closed,
    description:
      'what each priority does; default high {page: true, escalations: null}, medium {page: true, escalations: 1}, low {page: false, escalations: 0}',
  },
);

export const Policy = Type.Object(
  {
    steps: Type.Array(Step),
    repeatLimit: RepeatLimit,
    priorities: Priorities,
    reason: Type.Optional(Type.String()),
    changedBy: Type.Optional(Type.Union([Type.String({ format: 'uuid' }), Type.Null()])),
    changedAt: Type.Optional(Type.String({ format: 'date-time' })),
    default: Type.Boolean({
      description: 'true: the patient has no policy of their own, this default applies (no reason, no author)',
    }),
  },
  closed,
);

/**
 * A target as sent: the field its type needs is checked by the handler, so every problem of a
 * policy is reported at once, naming the step and target.
 */
const TargetBody = Type.Object(
  {
    type: Type.Union([Type.Literal('rota'), Type.Literal('team_role'), Type.Literal('user')]),
    rotaId: Type.Optional(Type.String({ format: 'uuid', description: 'type rota' })),
    role: Type.Optional(TeamRole({ description: 'type team_role' })),
    userId: Type.Optional(Type.String({ format: 'uuid', description: 'type user' })),
  },
  closed,
);

export const PolicyBody = Type.Object(
  {
    reason: Reason,
    repeatLimit: Type.Optional(RepeatLimit),
    priorities: Type.Optional(Priorities),
    steps: Type.Array(
      Type.Object(
        {
          targets: Type.Array(TargetBody, { maxItems: 20 }),
          delayMinutes: Type.Number({ description: '1 to 1440' }),
        },
        closed,
      ),
      { maxItems: 10 },
    ),
  },
  closed,
);

const tags = ['escalation'];

export const get = {
  summary: "A patient's escalation policy, or the default one",
  tags,
  params: PatientParams,
  response: { 200: Policy, ...ERROR_RESPONSES },
};

export const set = {
  summary:
    "Set a patient's escalation policy (attending physician or team lead); it may name only people and rotas that may see the patient",
  tags,
  params: PatientParams,
  body: PolicyBody,
  response: { 200: Policy, ...ERROR_RESPONSES },
};
