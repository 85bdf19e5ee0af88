/**
 * A patient's planned absences (schemas in ./schemas.ts): while away, missing data does not
 * alarm; vital-sign rules keep working. Any member of the care team; every change audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { badRequest, notFound } from '../../errors.ts';
import { type AbsenceRow, cancelAbsence, createAbsence, listAbsences } from '../../storage/repos/absences.ts';
import { audit } from '../../storage/repos/audit.ts';
import { recordAbsenceItem } from '../../timeline/system-items.ts';
import { requireUser } from '../auth/session.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

const absenceJson = (a: AbsenceRow): Static<typeof schema.Absence> => ({
  id: a.id,
  patientId: a.patient_id,
  kind: a.kind,
  startsAt: a.starts_at.toISOString(),
  endsAt: a.ends_at.toISOString(),
  reason: a.reason,
  createdBy: a.created_by,
  ...(a.cancelled_at ? { cancelledAt: a.cancelled_at.toISOString() } : {}),
});

export const absenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  const now = () => app.alerts.clock.now();

  app.get(
    '/api/v1/patients/:id/absences',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      return (await listAbsences(sql, p.id)).map(absenceJson);
    },
  );

  app.post(
    '/api/v1/patients/:id/absences',
    { schema: schema.create, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
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
        // The timeline shows the planned absence, written with it (issue 15).
        const item = await recordAbsenceItem(tx, row);
        if (item) app.events.publish('timeline.posted', item, { tx });
        return row;
      });
      return reply.code(201).send(absenceJson(a));
    },
  );

  app.delete(
    '/api/v1/patients/:id/absences/:aid',
    { schema: schema.cancel, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const aid = req.params.aid;
      if (!isUuid(aid)) throw notFound('absence');
      const a = await cancelAbsence(sql, p.id, aid, now());
      if (!a) throw notFound('absence');
      await audit(sql, { userId: u.id, patientId: p.id, action: 'absence.cancel', target: aid, ip: req.ip });
      return reply.code(204).send(null);
    },
  );
};
