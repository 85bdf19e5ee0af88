/**
 * The stable link of a patient (issue 15, the second depth of linkage): `/p/{id}` is what an
 * EHR's button opens. It names no data and checks nothing itself: it sends the browser to the
 * dashboard's patient page, where sign-in comes first and the access rule decides.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { isUuid } from '../ids.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const schema = {
  summary: "A patient's stable link for other systems: redirects to the dashboard's patient page (#/patients/{id})",
  tags: ['patients'],
  params: Type.Object({ id: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
  response: { 302: Type.Null({ description: 'Location: /#/patients/{id}' }), ...ERROR_RESPONSES },
};

export const patientLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/p/:id', { schema }, async (req, reply) => {
    if (!isUuid(req.params.id)) throw notFound('patient');
    return reply.code(302).header('location', `/#/patients/${req.params.id.toLowerCase()}`).send(null);
  });
};
