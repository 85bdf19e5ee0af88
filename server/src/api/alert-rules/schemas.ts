/** Schemas of the alert rule routes: the defaults, a patient's effective rules and their overrides. */
import { Type } from 'typebox';
import { Reason, ReasonOnly } from '../change-reason.ts';
import { PatientParams } from '../patients/schemas.ts';
import { Priority } from '../priority.ts';
import { ERROR_RESPONSES, NoContent } from '../schemas.ts';

const closed = { additionalProperties: false } as const;

const ChangedBy = Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
  description: 'who made the change; null when that user was deleted',
});

const thresholdRule = {
  id: Type.String(),
  kind: Type.Literal('threshold'),
  metric: Type.String(),
  direction: Type.Union([Type.Literal('below'), Type.Literal('above')]),
  bands: Type.Object(
    { high: Type.Optional(Type.Number()), medium: Type.Optional(Type.Number()), low: Type.Optional(Type.Number()) },
    { ...closed, description: 'the limit of each priority; bands are nested, high the most extreme' },
  ),
  inclusive: Type.Object(
    { high: Type.Optional(Type.Boolean()), medium: Type.Optional(Type.Boolean()), low: Type.Optional(Type.Boolean()) },
    { ...closed, description: 'true: the limit itself is in the band (≥ / ≤); false: strictly beyond' },
  ),
  hysteresis: Type.Number(),
  sustainSeconds: Type.Number({ description: 'continuous devices: how long a band must hold before it alarms' }),
};
const trendRule = {
  id: Type.String(),
  kind: Type.Literal('trend'),
  metric: Type.String(),
  rise: Type.Number({ description: 'alarm on a rise of at least this over the lowest value in the window' }),
  windowHours: Type.Number(),
  priority: Priority(),
  hysteresis: Type.Number(),
};

export const Rule = Type.Union([Type.Object(thresholdRule, closed), Type.Object(trendRule, closed)]);

const asApplied = {
  enabled: Type.Boolean(),
  effective: Type.Optional(Type.Union([Type.Object(thresholdRule, closed), Type.Object(trendRule, closed)])),
};
/** A default rule with what it is for one patient (`effective` absent when disabled). */
const PatientRule = Type.Union([
  Type.Object({ ...thresholdRule, ...asApplied }, closed),
  Type.Object({ ...trendRule, ...asApplied }, closed),
]);

/** What a doctor may change per patient and rule; every field optional. */
export const RuleOverride = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean({ description: 'false turns the rule off for this patient' })),
    bands: Type.Optional(
      Type.Object(
        {
          high: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
          medium: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
          low: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
        },
        { ...closed, description: 'a limit per priority; null removes the band' },
      ),
    ),
    hysteresis: Type.Optional(Type.Number({ minimum: 0, maximum: 1000 })),
    sustainSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600 })),
    rise: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
    windowHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 31 })),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 60, description: 'device_silent: minutes' })),
  },
  closed,
);

export const OverrideBody = Type.Object({ reason: Reason, ...RuleOverride.properties }, closed);

export const RuleParams = Type.Object(
  {
    id: PatientParams.properties.id,
    rule: Type.String({ maxLength: 100, description: 'rule id, e.g. spo2_low, news2, device_silent' }),
  },
  closed,
);

export const Defaults = Type.Object(
  {
    rules: Type.Array(Rule),
    other: Type.Record(Type.String(), Type.String(), {
      description: 'rules that are not reading rules but take per-patient settings too, with what they do',
    }),
  },
  closed,
);

export const PatientRules = Type.Object(
  {
    rules: Type.Array(PatientRule),
    overrides: Type.Array(
      Type.Object(
        {
          rule: Type.String(),
          override: RuleOverride,
          reason: Type.String(),
          changedBy: ChangedBy,
          changedAt: Type.String({ format: 'date-time' }),
        },
        closed,
      ),
    ),
    targets: Type.Array(
      Type.Object(
        {
          metric: Type.String(),
          low: Type.Union([Type.Number(), Type.Null()]),
          high: Type.Union([Type.Number(), Type.Null()]),
          reason: Type.String(),
          changedBy: ChangedBy,
          changedAt: Type.String({ format: 'date-time' }),
        },
        closed,
      ),
    ),
  },
  closed,
);

export const OverrideSet = Type.Object({ rule: Type.String(), override: RuleOverride, reason: Type.String() }, closed);

const tags = ['alert settings'];

export const defaults = {
  summary: 'The default alert rules for adults',
  tags,
  response: { 200: Defaults, ...ERROR_RESPONSES },
};

export const ofPatient = {
  summary: "A patient's alert rules: defaults, effective rules, overrides and target ranges",
  tags,
  params: PatientParams,
  response: { 200: PatientRules, ...ERROR_RESPONSES },
};

export const override = {
  summary: 'Override a rule for a patient (attending physician or team lead); nesting is checked',
  tags,
  params: RuleParams,
  body: OverrideBody,
  response: { 200: OverrideSet, ...ERROR_RESPONSES },
};

export const reset = {
  summary: "Return a patient's rule to the defaults (attending physician or team lead)",
  tags,
  params: RuleParams,
  body: ReasonOnly,
  response: { 204: NoContent, ...ERROR_RESPONSES },
};
