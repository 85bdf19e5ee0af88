/** The delivery outbox as the caller may see it (schemas in ./schemas.ts): patients the caller may see (visiblePatientIds). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listDeliveries } from '../../storage/repos/deliveries.ts';
import { requireUser } from '../auth/session.ts';
import { deliveryJson } from './json.ts';
import * as schema from './schemas.ts';

export const deliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/deliveries', { schema: schema.list, config: { access: 'visible-list' } }, async (req) => {
    const u = requireUser(req);
    const q = req.query;
    return (await listDeliveries(app.sql, u.id, q.status, q.limit ?? 200)).map(deliveryJson);
  });
};
