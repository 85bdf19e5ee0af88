/**
 * The stable link of a patient (issue 15, the second depth of linkage): `/p/{id}` is what an
 * EHR's button opens. It names no data and checks nothing itself: a page that sends the browser
 * on to the dashboard's patient page (`/#/patients/{id}`), where sign-in comes first and the
 * access rule decides. (A page, not a 302: a URL fragment is the browser's, not the server's.)
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { notFound } from '../../errors.ts';
import { isUuid } from '../ids.ts';
import { ErrorBody } from '../schemas.ts';

const html = { 'text/html': { schema: Type.String({ description: 'a page that opens #/patients/{id}' }) } };

const schema = {
  summary: "A patient's stable link for other systems: opens the dashboard's patient page after sign-in",
  tags: ['patients'],
  params: Type.Object({ id: Type.String({ maxLength: 100 }) }, { additionalProperties: false }),
  response: {
    200: { content: html },
    '4xx': { content: { 'application/json': { schema: ErrorBody } } },
    '5xx': { content: { 'application/json': { schema: ErrorBody } } },
  },
};

export const patientLinkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/p/:id', { schema }, async (req, reply) => {
    if (!isUuid(req.params.id)) throw notFound('patient');
    const target = `/#/patients/${req.params.id.toLowerCase()}`;
    return reply
      .code(200)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(
        `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${target}"><title>vitals</title><a href="${target}">患者のページを開く / Open the patient's page</a>`,
      );
  });
};
