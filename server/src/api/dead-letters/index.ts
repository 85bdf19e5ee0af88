/**
 * Dead letters: what ingest could not accept, for the administrators of the gateway's
 * organisation (issue 11); each read is audited. Schemas in ./schemas.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { audit } from '../../storage/repos/audit.ts';
import { listDeadLetters } from '../../storage/repos/dead-letters.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import * as schema from './schemas.ts';

export const deadLetterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get('/api/v1/dead-letters', { schema: schema.list, config: { access: 'none' } }, async (req) => {
    const u = requireAdmin(req);
    const q = req.query;
    const orgs = administeredOrganisations(u);
    for (const org of orgs)
      await audit(sql, { userId: u.id, organisationId: org, action: 'dead_letters.read', ip: req.ip });
    return listDeadLetters(sql, {
      organisationIds: orgs,
      limit: q.limit ?? 100,
      ...(q.before ? { before: q.before } : {}),
    });
  });
};
