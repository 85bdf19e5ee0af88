/**
 * Per-patient alert settings: rule overrides and target ranges (who changed what, when and
 * why, kept in a history), measurement schedules, planned absences, silences and the
 * escalation policy. Changing rules, targets and the policy is for the attending physician
 * and the team lead; schedules, absences and silences for any member of the care team.
 */
import { isMetric } from '@vitals/contract';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isHhMm } from '../alerts/local-time.ts';
import {
  DEFAULT_RULES,
  effectiveRule,
  type PatientRuleSettings,
  type ReadingRule,
  type RuleOverride,
} from '../alerts/rules.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { DEFAULT_POLICY, policyProblem } from '../notify/oncall.ts';
import { policyScopeProblems } from '../notify/policy-scope.ts';
import { type AbsenceRow, cancelAbsence, createAbsence, listAbsences } from '../storage/repos/absences.ts';
import {
  recordSettingsChange,
  setOverride,
  setTarget,
  settingsHistory,
  settingsOf,
} from '../storage/repos/alert-settings.ts';
import { audit } from '../storage/repos/audit.ts';
import { teamRoleOf } from '../storage/repos/care-team.ts';
import type { EscalationPolicy } from '../storage/repos/escalation-policies.ts';
import { getPolicy, setPolicy } from '../storage/repos/escalation-policies.ts';
import type { PatientRow } from '../storage/repos/patients.ts';
import { findRotas } from '../storage/repos/rotas.ts';
import { createSchedule, listSchedules, removeSchedule, type ScheduleRow } from '../storage/repos/schedules.ts';
import { createSilence, endSilence, findSilence, listSilences, type SilenceRow } from '../storage/repos/silences.ts';
import { alertService } from './alerts.ts';
import { requireUser } from './auth/session.ts';
import type { AuthUser } from './context.ts';
import { visiblePatient } from './patients/access.ts';

/** Rules that are not reading rules but take per-patient settings too. */
const OTHER_RULES: Record<string, string> = {
  news2: 'NEWS2 early-warning score (enabled: false turns it off)',
  device_silent: 'a bound device silent for `minutes` (default 10); on when set',
};

const reasonSchema = { type: 'string', minLength: 3, maxLength: 1000 };
/** Resetting a setting needs only the reason, which the history keeps. */
const reasonOnlyBody = {
  type: 'object',
  required: ['reason'],
  additionalProperties: false,
  properties: { reason: reasonSchema },
};

async function patientFor(
  app: FastifyInstance,
  req: FastifyRequest,
  roles?: ('attending' | 'lead' | 'member')[],
): Promise<{ u: AuthUser; p: PatientRow }> {
  const u = requireUser(req);
  const p = await visiblePatient(app.sql, u, (req.params as { id: string }).id);
  if (roles) {
    const role = await teamRoleOf(app.sql, p.id, u.id);
    if (!role || !roles.includes(role))
      throw forbidden('only the attending physician or the team lead of this patient can change this');
  }
  return { u, p };
}

function settingsFrom(s: Awaited<ReturnType<typeof settingsOf>>): PatientRuleSettings {
  const out: PatientRuleSettings = { overrides: {}, targets: {} };
  for (const o of s.overrides) out.overrides[o.rule_id] = o.override;
  for (const t of s.targets)
    out.targets[t.metric] = { ...(t.low !== null ? { low: t.low } : {}), ...(t.high !== null ? { high: t.high } : {}) };
  return out;
}

function ruleJson(r: ReadingRule) {
  return r.kind === 'threshold'
    ? {
        id: r.id,
        kind: r.kind,
        metric: r.metric,
        direction: r.direction,
        bands: Object.fromEntries(Object.entries(r.bands).map(([p, l]) => [p, l.value])),
        inclusive: Object.fromEntries(Object.entries(r.bands).map(([p, l]) => [p, l.inclusive])),
        hysteresis: r.hysteresis,
        sustainSeconds: r.sustainSeconds,
      }
    : {
        id: r.id,
        kind: r.kind,
        metric: r.metric,
        rise: r.rise,
        windowHours: r.windowHours,
        priority: r.priority,
        hysteresis: r.hysteresis,
      };
}

const silenceJson = (s: SilenceRow) => ({
  id: s.id,
  patientId: s.patient_id,
  rule: s.rule,
  priority: s.priority,
  reason: s.reason,
  startsAt: s.starts_at.toISOString(),
  expiresAt: s.expires_at.toISOString(),
  createdBy: s.created_by,
  ...(s.ended_at ? { endedAt: s.ended_at.toISOString() } : {}),
});
const absenceJson = (a: AbsenceRow) => ({
  id: a.id,
  patientId: a.patient_id,
  kind: a.kind,
  startsAt: a.starts_at.toISOString(),
  endsAt: a.ends_at.toISOString(),
  reason: a.reason,
  createdBy: a.created_by,
  ...(a.cancelled_at ? { cancelledAt: a.cancelled_at.toISOString() } : {}),
});
const scheduleJson = (s: ScheduleRow) => ({
  id: s.id,
  patientId: s.patient_id,
  metric: s.metric,
  windowStart: s.window_start,
  dueTime: s.due_time,
  weekdays: s.weekdays,
  priority: s.priority,
  ...(s.label ? { label: s.label } : {}),
});

export async function alertSettingsRoutes(app: FastifyInstance) {
  const { sql } = app;
  const now = () => alertService(app).clock.now();

  app.get('/api/v1/alert-rules', async (req) => {
    requireUser(req);
    return { rules: DEFAULT_RULES.map(ruleJson), other: OTHER_RULES };
  });

  app.get('/api/v1/patients/:id/alert-rules', async (req) => {
    const { p } = await patientFor(app, req);
    const raw = await settingsOf(sql, [p.id]);
    const s = settingsFrom(raw);
    return {
      rules: DEFAULT_RULES.map((r) => {
        const e = effectiveRule(r, s);
        return { ...ruleJson(r), enabled: e !== null, ...(e ? { effective: ruleJson(e) } : {}) };
      }),
      overrides: raw.overrides.map((o) => ({
        rule: o.rule_id,
        override: o.override,
        reason: o.reason,
        changedBy: o.changed_by,
        changedAt: o.changed_at.toISOString(),
      })),
      targets: raw.targets.map((t) => ({
        metric: t.metric,
        low: t.low,
        high: t.high,
        reason: t.reason,
        changedBy: t.changed_by,
        changedAt: t.changed_at.toISOString(),
      })),
    };
  });

  const overrideSchema = {
    type: 'object',
    required: ['reason'],
    additionalProperties: false,
    properties: {
      reason: reasonSchema,
      enabled: { type: 'boolean' },
      bands: {
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(['high', 'medium', 'low'].map((k) => [k, { type: ['number', 'null'] }])),
      },
      hysteresis: { type: 'number', minimum: 0, maximum: 1000 },
      sustainSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
      rise: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
      windowHours: { type: 'number', exclusiveMinimum: 0, maximum: 24 * 31 },
      minutes: { type: 'integer', minimum: 1, maximum: 24 * 60 },
    },
  };

  app.put('/api/v1/patients/:id/alert-rules/:rule', { schema: { body: overrideSchema } }, async (req) => {
    const { u, p } = await patientFor(app, req, ['attending', 'lead']);
    const ruleId = (req.params as { rule: string }).rule;
    const { reason, ...override } = req.body as RuleOverride & { reason: string; minutes?: number };
    const base = DEFAULT_RULES.find((r) => r.id === ruleId);
    if (!base && !OTHER_RULES[ruleId]) throw notFound(`rule ${JSON.stringify(ruleId)}`);
    if (base) {
      const s = settingsFrom(await settingsOf(sql, [p.id]));
      s.overrides[ruleId] = override;
      try {
        effectiveRule(base, s);
      } catch (e) {
        throw badRequest((e as Error).message);
      }
    }
    await sql.transaction(async (tx) => {
      await setOverride(tx, p.id, ruleId, override, reason, u.id);
      await audit(tx, {
        userId: u.id,
        patientId: p.id,
        action: 'alert_rule.change',
        target: ruleId,
        detail: { override, reason },
        ip: req.ip,
      });
    });
    return { rule: ruleId, override, reason };
  });

  app.delete(
    '/api/v1/patients/:id/alert-rules/:rule',
    {
      schema: {
        body: reasonOnlyBody,
      },
    },
    async (req, reply) => {
      const { u, p } = await patientFor(app, req, ['attending', 'lead']);
      const ruleId = (req.params as { rule: string }).rule;
      const { reason } = req.body as { reason: string };
      await sql.transaction(async (tx) => {
        await setOverride(tx, p.id, ruleId, null, reason, u.id);
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'alert_rule.reset',
          target: ruleId,
          detail: { reason },
          ip: req.ip,
        });
      });
      return reply.code(204).send();
    },
  );

  app.put(
    '/api/v1/patients/:id/targets/:metric',
    {
      schema: {
        body: {
          type: 'object',
          required: ['reason'],
          additionalProperties: false,
          properties: { reason: reasonSchema, low: { type: 'number' }, high: { type: 'number' } },
        },
      },
    },
    async (req) => {
      const { u, p } = await patientFor(app, req, ['attending', 'lead']);
      const metric = (req.params as { metric: string }).metric;
      if (!isMetric(metric)) throw badRequest(`unknown metric ${JSON.stringify(metric)}`);
      const { reason, low, high } = req.body as { reason: string; low?: number; high?: number };
      if (low === undefined && high === undefined) throw badRequest('give low, high or both');
      if (low !== undefined && high !== undefined && low > high) throw badRequest('low must not be above high');
      const range = { ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) };
      const s = settingsFrom(await settingsOf(sql, [p.id]));
      s.targets[metric] = range;
      for (const r of DEFAULT_RULES.filter((x) => x.metric === metric))
        try {
          effectiveRule(r, s);
        } catch (e) {
          throw badRequest(`this target range breaks a rule override: ${(e as Error).message}`);
        }
      await sql.transaction(async (tx) => {
        await setTarget(tx, p.id, metric, range, reason, u.id);
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'alert_target.change',
          target: metric,
          detail: { ...range, reason },
          ip: req.ip,
        });
      });
      return { metric, ...range, reason };
    },
  );

  app.delete(
    '/api/v1/patients/:id/targets/:metric',
    {
      schema: {
        body: reasonOnlyBody,
      },
    },
    async (req, reply) => {
      const { u, p } = await patientFor(app, req, ['attending', 'lead']);
      const metric = (req.params as { metric: string }).metric;
      const { reason } = req.body as { reason: string };
      await sql.transaction(async (tx) => {
        await setTarget(tx, p.id, metric, null, reason, u.id);
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'alert_target.reset',
          target: metric,
          detail: { reason },
          ip: req.ip,
        });
      });
      return reply.code(204).send();
    },
  );

  app.get('/api/v1/patients/:id/alert-settings/history', async (req) => {
    const { p } = await patientFor(app, req);
    return (await settingsHistory(sql, p.id)).map((h) => ({
      id: Number(h.id),
      what: h.what,
      before: h.before,
      after: h.after,
      reason: h.reason,
      changedBy: h.changed_by,
      changedByName: h.changed_by_name,
      changedAt: h.changed_at.toISOString(),
    }));
  });

  // ---- schedules ----
  app.get('/api/v1/patients/:id/schedules', async (req) => {
    const { p } = await patientFor(app, req);
    return (await listSchedules(sql, p.id)).map(scheduleJson);
  });

  app.post(
    '/api/v1/patients/:id/schedules',
    {
      schema: {
        body: {
          type: 'object',
          required: ['metric', 'dueTime'],
          additionalProperties: false,
          properties: {
            metric: { type: 'string', maxLength: 64 },
            windowStart: { type: 'string', maxLength: 5 },
            dueTime: { type: 'string', maxLength: 5 },
            weekdays: {
              type: 'array',
              items: { type: 'integer', minimum: 0, maximum: 6 },
              minItems: 1,
              maxItems: 7,
              uniqueItems: true,
            },
            priority: { type: 'string', enum: ['high', 'medium', 'low'] },
            label: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (req, reply) => {
      const { u, p } = await patientFor(app, req);
      const b = req.body as {
        metric: string;
        windowStart?: string;
        dueTime: string;
        weekdays?: number[];
        priority?: 'high' | 'medium' | 'low';
        label?: string;
      };
      if (!isMetric(b.metric)) throw badRequest(`unknown metric ${JSON.stringify(b.metric)}`);
      const windowStart = b.windowStart ?? '00:00';
      if (!isHhMm(b.dueTime) || !isHhMm(windowStart))
        throw badRequest('windowStart and dueTime are local times "HH:MM" (00:00 to 23:59)');
      if (windowStart >= b.dueTime) throw badRequest('windowStart must be before dueTime');
      const s = await sql.transaction(async (tx) => {
        const row = await createSchedule(tx, {
          patientId: p.id,
          metric: b.metric,
          windowStart,
          dueTime: b.dueTime,
          weekdays: b.weekdays ?? [0, 1, 2, 3, 4, 5, 6],
          priority: b.priority ?? 'low',
          ...(b.label ? { label: b.label } : {}),
          userId: u.id,
        });
        await recordSettingsChange(
          tx,
          p.id,
          `schedule:${row.id}`,
          null,
          scheduleJson(row),
          b.label ?? 'schedule added',
          u.id,
        );
        await audit(tx, { userId: u.id, patientId: p.id, action: 'schedule.create', target: row.id, ip: req.ip });
        return row;
      });
      return reply.code(201).send(scheduleJson(s));
    },
  );

  app.delete('/api/v1/patients/:id/schedules/:sid', async (req, reply) => {
    const { u, p } = await patientFor(app, req);
    const sid = (req.params as { sid: string }).sid;
    if (!/^[0-9a-f-]{36}$/i.test(sid)) throw notFound('schedule');
    const done = await sql.transaction(async (tx) => {
      const row = await removeSchedule(tx, p.id, sid);
      if (row) {
        await recordSettingsChange(tx, p.id, `schedule:${row.id}`, scheduleJson(row), null, 'schedule removed', u.id);
        await audit(tx, { userId: u.id, patientId: p.id, action: 'schedule.remove', target: row.id, ip: req.ip });
      }
      return row;
    });
    if (!done) throw notFound('schedule');
    return reply.code(204).send();
  });

  // ---- planned absences ----
  app.get('/api/v1/patients/:id/absences', async (req) => {
    const { p } = await patientFor(app, req);
    return (await listAbsences(sql, p.id)).map(absenceJson);
  });

  app.post(
    '/api/v1/patients/:id/absences',
    {
      schema: {
        body: {
          type: 'object',
          required: ['endsAt', 'reason'],
          additionalProperties: false,
          properties: {
            kind: { type: 'string', enum: ['hospital', 'short_stay', 'other'] },
            startsAt: { type: 'string', format: 'date-time' },
            endsAt: { type: 'string', format: 'date-time' },
            reason: reasonSchema,
          },
        },
      },
    },
    async (req, reply) => {
      const { u, p } = await patientFor(app, req);
      const b = req.body as { kind?: AbsenceRow['kind']; startsAt?: string; endsAt: string; reason: string };
      const startsAt = b.startsAt ? new Date(b.startsAt) : now();
      const endsAt = new Date(b.endsAt);
      if (endsAt <= startsAt) throw badRequest('endsAt must be after startsAt');
      const a = await sql.transaction(async (tx) => {
        const row = await createAbsence(tx, {
          patientId: p.id,
          kind: b.kind ?? 'other',
          startsAt,
          endsAt,
          reason: b.reason,
          userId: u.id,
        });
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'absence.create',
          target: row.id,
          detail: { kind: row.kind, reason: row.reason },
          ip: req.ip,
        });
        return row;
      });
      return reply.code(201).send(absenceJson(a));
    },
  );

  app.delete('/api/v1/patients/:id/absences/:aid', async (req, reply) => {
    const { u, p } = await patientFor(app, req);
    const aid = (req.params as { aid: string }).aid;
    if (!/^[0-9a-f-]{36}$/i.test(aid)) throw notFound('absence');
    const a = await cancelAbsence(sql, p.id, aid, now());
    if (!a) throw notFound('absence');
    await audit(sql, { userId: u.id, patientId: p.id, action: 'absence.cancel', target: aid, ip: req.ip });
    return reply.code(204).send();
  });

  // ---- silences ----
  app.get('/api/v1/patients/:id/silences', async (req) => {
    const { p } = await patientFor(app, req);
    return (await listSilences(sql, p.id)).map(silenceJson);
  });

  app.post(
    '/api/v1/patients/:id/silences',
    {
      schema: {
        body: {
          type: 'object',
          required: ['reason', 'expiresAt'],
          additionalProperties: false,
          properties: {
            rule: { type: 'string', maxLength: 64 },
            priority: { type: 'string', enum: ['high', 'medium', 'low'] },
            reason: reasonSchema,
            expiresAt: { type: 'string', format: 'date-time' },
          },
        },
      },
    },
    async (req, reply) => {
      const { u, p } = await patientFor(app, req);
      const b = req.body as { rule?: string; priority?: 'high' | 'medium' | 'low'; reason: string; expiresAt: string };
      const startsAt = now();
      const expiresAt = new Date(b.expiresAt);
      if (expiresAt <= startsAt) throw badRequest('expiresAt must be in the future');
      if (expiresAt.getTime() - startsAt.getTime() > 7 * 86_400_000)
        throw badRequest('a silence may last 7 days at most; set a new one when it runs out');
      const s = await sql.transaction(async (tx) => {
        const row = await createSilence(tx, {
          patientId: p.id,
          rule: b.rule ?? null,
          priority: b.priority ?? 'low',
          reason: b.reason,
          startsAt,
          expiresAt,
          userId: u.id,
        });
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'silence.create',
          target: row.id,
          detail: silenceJson(row),
          ip: req.ip,
        });
        return row;
      });
      return reply.code(201).send(silenceJson(s));
    },
  );

  app.delete('/api/v1/silences/:sid', async (req, reply) => {
    const u = requireUser(req);
    const sid = (req.params as { sid: string }).sid;
    if (!/^[0-9a-f-]{36}$/i.test(sid)) throw notFound('silence');
    const s = await findSilence(sql, sid);
    if (!s) throw notFound('silence');
    await visiblePatient(sql, u, s.patient_id);
    await endSilence(sql, sid, now());
    await audit(sql, { userId: u.id, patientId: s.patient_id, action: 'silence.end', target: sid, ip: req.ip });
    return reply.code(204).send();
  });

  // ---- escalation policy ----
  app.get('/api/v1/patients/:id/escalation-policy', async (req) => {
    const { p } = await patientFor(app, req);
    const pol = await getPolicy(sql, p.id);
    return pol
      ? {
          steps: pol.steps,
          repeatLimit: pol.repeatLimit,
          reason: pol.reason,
          changedBy: pol.changedBy,
          changedAt: pol.changedAt.toISOString(),
          default: false,
        }
      : { ...DEFAULT_POLICY, default: true };
  });

  const target = {
    type: 'object',
    required: ['type'],
    additionalProperties: false,
    properties: {
      type: { type: 'string', enum: ['rota', 'team_role', 'user'] },
      rotaId: { type: 'string', format: 'uuid' },
      role: { type: 'string', enum: ['attending', 'lead', 'member'] },
      userId: { type: 'string', format: 'uuid' },
    },
  };
  app.put(
    '/api/v1/patients/:id/escalation-policy',
    {
      schema: {
        body: {
          type: 'object',
          required: ['steps', 'reason'],
          additionalProperties: false,
          properties: {
            reason: reasonSchema,
            repeatLimit: { type: ['integer', 'null'] },
            steps: {
              type: 'array',
              maxItems: 10,
              items: {
                type: 'object',
                required: ['targets', 'delayMinutes'],
                additionalProperties: false,
                properties: {
                  targets: { type: 'array', maxItems: 20, items: target },
                  delayMinutes: { type: 'number' },
                },
              },
            },
          },
        },
      },
    },
    async (req) => {
      const { u, p } = await patientFor(app, req, ['attending', 'lead']);
      const b = req.body as EscalationPolicy & { reason: string };
      const policy: EscalationPolicy = { steps: b.steps, repeatLimit: b.repeatLimit ?? null };
      const problems: string[] = [];
      const problem = policyProblem(policy);
      if (problem) problems.push(problem);
      for (const [i, st] of policy.steps.entries())
        for (const [j, t] of st.targets.entries()) {
          if (t.type === 'rota' && !t.rotaId) problems.push(`steps[${i}].targets[${j}]: a rota target needs rotaId`);
          if (t.type === 'team_role' && !t.role)
            problems.push(`steps[${i}].targets[${j}]: a team_role target needs role`);
          if (t.type === 'user' && !t.userId) problems.push(`steps[${i}].targets[${j}]: a user target needs userId`);
        }
      const rotaIds = policy.steps.flatMap((s) =>
        s.targets.flatMap((t) => (t.type === 'rota' && t.rotaId ? [t.rotaId] : [])),
      );
      const rotas = await findRotas(sql, rotaIds);
      for (const id of rotaIds) if (!rotas.has(id)) problems.push(`rota ${id} does not exist`);
      problems.push(...(await policyScopeProblems(sql, p.id, policy, rotas)));
      if (problems.length) throw badRequest(problems.join('; '));
      const before = await getPolicy(sql, p.id);
      await sql.transaction(async (tx) => {
        await setPolicy(tx, p.id, policy, b.reason, u.id);
        await recordSettingsChange(
          tx,
          p.id,
          'escalation_policy',
          before ? { steps: before.steps, repeatLimit: before.repeatLimit } : null,
          policy,
          b.reason,
          u.id,
        );
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'escalation_policy.change',
          detail: { reason: b.reason },
          ip: req.ip,
        });
      });
      return { ...policy, reason: b.reason, default: false };
    },
  );
}
