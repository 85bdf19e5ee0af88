/**
 * Alert rules (schemas in ./schemas.ts): the defaults, what they are for one patient, and a
 * patient's overrides. Overrides are for the attending physician and the team lead; every
 * change keeps its reason in the settings history and is audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { settingsFor } from '../../alerts/evaluate.ts';
import { DEFAULT_RULES, effectiveRule, type ReadingRule } from '../../alerts/rules.ts';
import { badRequest, notFound } from '../../errors.ts';
import { setOverride, settingsOf } from '../../storage/repos/alert-settings.ts';
import { audit } from '../../storage/repos/audit.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

/** Rules that are not reading rules but take per-patient settings too. */
const OTHER_RULES: Record<string, string> = {
  news2: 'NEWS2 early-warning score (enabled: false turns it off)',
  device_silent: 'a bound device silent for `minutes` (default 10); on when set',
};

function ruleJson(r: ReadingRule): Static<typeof schema.Rule> {
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

export const alertRuleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get('/api/v1/alert-rules', { schema: schema.defaults, config: { access: 'none' } }, async (req) => {
    requireUser(req);
    return { rules: DEFAULT_RULES.map(ruleJson), other: OTHER_RULES };
  });

  app.get(
    '/api/v1/patients/:id/alert-rules',
    { schema: schema.ofPatient, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      const raw = await settingsOf(sql, [p.id]);
      const s = settingsFor(p.id, raw);
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
    },
  );

  app.put(
    '/api/v1/patients/:id/alert-rules/:rule',
    { schema: schema.override, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const ruleId = req.params.rule;
      const { reason, ...override } = req.body;
      const base = DEFAULT_RULES.find((r) => r.id === ruleId);
      if (!base && !OTHER_RULES[ruleId]) throw notFound(`rule ${JSON.stringify(ruleId)}`);
      if (base) {
        const s = settingsFor(p.id, await settingsOf(sql, [p.id]));
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
    },
  );

  app.delete(
    '/api/v1/patients/:id/alert-rules/:rule',
    { schema: schema.reset, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const ruleId = req.params.rule;
      const { reason } = req.body;
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
      return reply.code(204).send(null);
    },
  );
};
