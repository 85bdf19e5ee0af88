/**
 * Alert silences (schemas in ./schemas.ts): pages suppressed for a while, alerts still
 * recorded and shown. Any member of the care team; every change audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { badRequest, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { createSilence, endSilence, findSilence, listSilences, type SilenceRow } from '../../storage/repos/silences.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

const MAX_SILENCE_MS = 7 * 86_400_000;

const silenceJson = (s: SilenceRow): Static<typeof schema.Silence> => ({
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

export const silenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  const now = () => app.alerts.clock.now();

  app.get(
    '/api/v1/patients/:id/silences',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      return (await listSilences(sql, p.id)).map(silenceJson);
    },
  );

  app.post(
    '/api/v1/patients/:id/silences',
    { schema: schema.create, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
      const startsAt = now();
      const expiresAt = new Date(b.expiresAt);
      if (expiresAt <= startsAt) throw badRequest('expiresAt must be in the future');
      if (expiresAt.getTime() - startsAt.getTime() > MAX_SILENCE_MS)
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

  // A silence of a patient the caller may not see is one that does not exist (the access core).
  const endAccess = { item: 'silence', id: 'params.sid', need: 'write' } as const;
  app.delete('/api/v1/silences/:sid', { schema: schema.end, config: { access: endAccess } }, async (req, reply) => {
    const u = requireUser(req);
    const sid = req.params.sid;
    const s = await findSilence(sql, sid);
    if (!s) throw notFound('silence');
    await endSilence(sql, sid, now());
    await audit(sql, { userId: u.id, patientId: s.patient_id, action: 'silence.end', target: sid, ip: req.ip });
    return reply.code(204).send(null);
  });
};
