/**
 * A patient's alert settings history (schema in ./schemas.ts): rule overrides, target ranges,
 * schedules and the escalation policy, each change with its reason and author.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { settingsHistory } from '../../storage/repos/alert-settings.ts';
import * as schema from './schemas.ts';

export const settingsHistoryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/patients/:id/alert-settings/history',
    { schema: schema.history, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
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
    },
  );
};
