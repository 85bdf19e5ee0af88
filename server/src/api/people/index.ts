/**
 * People across organisations (issue 13): a nurse station finds the clinic's doctor to add to a
 * patient's care team. Names, professions and organisations of everyone (not disabled); the email
 * only of people who share an organisation with the caller (storage/repos/people.ts searchPeople).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { searchPeople } from '../../storage/repos/people.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

export const peopleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/api/v1/people', { schema: schema.search, config: { access: 'none' } }, async (req) => {
    const u = requireUser(req);
    const rows = await searchPeople(app.sql, u.id, req.query.q?.trim() ?? '', req.query.limit ?? 50);
    return rows.map((p) => ({
      id: p.id,
      displayName: p.display_name,
      profession: p.profession,
      ...(p.email ? { email: p.email } : {}),
      organisations: p.organisations,
      kind: p.kind,
    }));
  });
};
