/**
 * A patient's target ranges (schemas in ./schemas.ts): a range moves every limit of the
 * metric's rules by the distance from the default edge (docs/alerts.md). For the attending
 * physician and the team lead; every change keeps its reason in the history and is audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isMetric } from '@vitals/contract';
import { checkedPatient } from '../../access/plugin.ts';
import { settingsFor } from '../../alerts/evaluate.ts';
import { DEFAULT_RULES, effectiveRule } from '../../alerts/rules.ts';
import { badRequest } from '../../errors.ts';
import { setTarget, settingsOf } from '../../storage/repos/alert-settings.ts';
import { audit } from '../../storage/repos/audit.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

export const targetRangeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.put(
    '/api/v1/patients/:id/targets/:metric',
    { schema: schema.set, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const metric = req.params.metric;
      if (!isMetric(metric)) throw badRequest(`unknown metric ${JSON.stringify(metric)}`);
      const { reason, low, high } = req.body;
      if (low === undefined && high === undefined) throw badRequest('give low, high or both');
      if (low !== undefined && high !== undefined && low > high) throw badRequest('low must not be above high');
      const range = { ...(low !== undefined ? { low } : {}), ...(high !== undefined ? { high } : {}) };
      const s = settingsFor(p.id, await settingsOf(sql, [p.id]));
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
    { schema: schema.reset, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const metric = req.params.metric;
      const { reason } = req.body;
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
      return reply.code(204).send(null);
    },
  );
};
