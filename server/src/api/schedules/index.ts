/**
 * A patient's measurement schedules (schemas in ./schemas.ts): a metric missing from its
 * window raises missed_measurement. Any member of the care team may add or remove one; each
 * change is kept in the settings history and audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isMetric } from '@vitals/contract';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { isHhMm } from '../../alerts/local-time.ts';
import { badRequest, notFound } from '../../errors.ts';
import { recordSettingsChange } from '../../storage/repos/alert-settings.ts';
import { audit } from '../../storage/repos/audit.ts';
import { createSchedule, listSchedules, removeSchedule, type ScheduleRow } from '../../storage/repos/schedules.ts';
import { requireUser } from '../auth/session.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

const scheduleJson = (s: ScheduleRow): Static<typeof schema.Schedule> => ({
  id: s.id,
  patientId: s.patient_id,
  metric: s.metric,
  windowStart: s.window_start,
  dueTime: s.due_time,
  weekdays: s.weekdays,
  priority: s.priority,
  ...(s.label ? { label: s.label } : {}),
});

export const scheduleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/patients/:id/schedules',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      return (await listSchedules(sql, p.id)).map(scheduleJson);
    },
  );

  app.post(
    '/api/v1/patients/:id/schedules',
    { schema: schema.create, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
      if (!isMetric(b.metric)) throw badRequest(`unknown metric ${JSON.stringify(b.metric)}`);
      const windowStart = b.windowStart ?? '00:00';
      if (!isHhMm(b.dueTime) || !isHhMm(windowStart))
        throw badRequest('windowStart and dueTime are local times "HH:MM" (00:00 to 23:59)');
      if (windowStart >= b.dueTime) throw badRequest('windowStart must be before dueTime');
      const s = await sql.transaction(async (tx) => {
        const row = await createSchedule(tx, {
          patientId: p.id,
          metric: b.metric,
          windowStart,
          dueTime: b.dueTime,
          weekdays: b.weekdays ?? [0, 1, 2, 3, 4, 5, 6],
          priority: b.priority ?? 'low',
          ...(b.label ? { label: b.label } : {}),
          userId: u.id,
        });
        await recordSettingsChange(
          tx,
          p.id,
          `schedule:${row.id}`,
          null,
          scheduleJson(row),
          b.label ?? 'schedule added',
          u.id,
        );
        await audit(tx, { userId: u.id, patientId: p.id, action: 'schedule.create', target: row.id, ip: req.ip });
        return row;
      });
      return reply.code(201).send(scheduleJson(s));
    },
  );

  app.delete(
    '/api/v1/patients/:id/schedules/:sid',
    { schema: schema.remove, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const sid = req.params.sid;
      if (!isUuid(sid)) throw notFound('schedule');
      const done = await sql.transaction(async (tx) => {
        const row = await removeSchedule(tx, p.id, sid);
        if (row) {
          await recordSettingsChange(tx, p.id, `schedule:${row.id}`, scheduleJson(row), null, 'schedule removed', u.id);
          await audit(tx, { userId: u.id, patientId: p.id, action: 'schedule.remove', target: row.id, ip: req.ip });
        }
        return row;
      });
      if (!done) throw notFound('schedule');
      return reply.code(204).send(null);
    },
  );
};
