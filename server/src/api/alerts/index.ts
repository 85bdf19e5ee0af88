/**
 * Alerts (shared/CONTRACT.md: GET /api/v1/alerts, POST /api/v1/alerts/{id}/ack), their
 * timeline and deliveries, and the alarm-load report (schemas in ./schemas.ts); the one-time
 * acknowledgement link in ./ack-link.ts. Care-team scoped: an alert is visible exactly when
 * its patient is (the access core, server/src/access/).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { alertJson } from '../../alerts/json.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import { alertEvents } from '../../storage/repos/alert-events.ts';
import { alarmLoad, findAlert, listAlerts, patientAlerts } from '../../storage/repos/alerts.ts';
import { auditPatients } from '../../storage/repos/audit.ts';
import { deliveriesOfAlert, pageLoad } from '../../storage/repos/deliveries.ts';
import { requireUser } from '../auth/session.ts';
import { patientNameFor } from '../context.ts';
import { deliveryJson } from '../deliveries/json.ts';
import { ackLinkRoutes } from './ack-link.ts';
import * as schema from './schemas.ts';

const DAY_MS = 86_400_000;

const alertAccess = (need: 'read' | 'write', audit?: string) =>
  ({ item: 'alert', id: 'params.id', need, ...(audit ? { audit } : {}) }) as const;

export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  // With ?patientId= the patient is checked (404 when hidden), without it the list is filtered.
  const listAccess = { patient: 'query.patientId', need: 'read', optional: true, audit: 'alerts.read' } as const;
  app.get('/api/v1/alerts', { schema: schema.list, config: { access: listAccess } }, async (req) => {
    const u = requireUser(req);
    const q = req.query;
    const state = q.state ? { state: q.state } : {};
    const limit = q.limit ?? 200;
    const rows = q.patientId
      ? await patientAlerts(sql, { patientId: checkedPatient(req).id, ...state, limit })
      : await listAlerts(sql, { userId: u.id, ...state, limit });
    // The hook audited a list of one named patient; a list of all is audited per patient shown.
    if (!q.patientId)
      await auditPatients(sql, {
        userId: u.id,
        patientIds: [...new Set(rows.map((a) => a.patient_id))],
        action: 'alerts.read',
        ip: req.ip,
      });
    return rows.map((a) => ({
      ...alertJson(a, a.patient_name === undefined ? undefined : patientNameFor(u, a.patient_name)),
      ...(a.acknowledged_by_name ? { acknowledgedByName: a.acknowledged_by_name } : {}),
    }));
  });

  /** The alert the access core checked (its patient is visible to the caller). */
  const checkedAlert = async (id: string) => {
    const a = await findAlert(sql, id);
    if (!a) throw notFound('alert');
    return a;
  };

  app.get(
    '/api/v1/alerts/:id',
    { schema: schema.one, config: { access: alertAccess('read', 'alert.read') } },
    async (req) => alertJson(await checkedAlert(req.params.id)),
  );

  app.post('/api/v1/alerts/:id/ack', { schema: schema.ack, config: { access: alertAccess('write') } }, async (req) => {
    const u = requireUser(req);
    const a = await checkedAlert(req.params.id);
    const r = await app.alerts.acknowledge(a.id, u.id, req.body?.note, req.ip);
    if (!r.ok)
      throw new AppError(
        r.reason === 'resolved' ? 'conflict' : 'not_found',
        r.reason === 'resolved' ? 'this alert is already resolved; nothing to acknowledge' : 'alert not found',
      );
    return alertJson(r.alert);
  });

  const eventsAccess = alertAccess('read', 'alert.events.read');
  app.get('/api/v1/alerts/:id/events', { schema: schema.events, config: { access: eventsAccess } }, async (req) => {
    const a = await checkedAlert(req.params.id);
    return (await alertEvents(sql, a.id)).map((e) => ({
      id: Number(e.id),
      at: e.at.toISOString(),
      type: e.type,
      ...(e.user_id ? { userId: e.user_id, userName: e.user_name } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
    }));
  });

  const deliveriesAccess = alertAccess('read', 'alert.deliveries.read');
  app.get(
    '/api/v1/alerts/:id/deliveries',
    { schema: schema.deliveries, config: { access: deliveriesAccess } },
    async (req) => {
      const a = await checkedAlert(req.params.id);
      return (await deliveriesOfAlert(sql, a.id)).map(deliveryJson);
    },
  );

  app.get(
    '/api/v1/reports/alarm-load',
    { schema: schema.alarmLoad, config: { access: 'visible-list' } },
    async (req) => {
      const u = requireUser(req);
      const q = req.query;
      const to = q.to ? new Date(q.to) : app.alerts.clock.now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (from >= to) throw badRequest('from must be before to');
      // `to` may be year 0000 (valid RFC 3339), but then `from` falls before year 0, which RFC 3339 cannot write.
      if (from.getTime() < 0) throw badRequest('the report starts in 1970 at the earliest; send a later from or to');
      const rows = await alarmLoad(sql, u.id, from, to);
      const pages = await pageLoad(sql, u.id, from, to);
      const weeks = (to.getTime() - from.getTime()) / (7 * DAY_MS);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        rows: rows.map((r) => ({
          patientId: r.patient_id,
          patientName: patientNameFor(u, r.patient_name),
          rule: r.rule,
          count: r.count,
          acknowledged: r.acknowledged,
          medianSecondsToAcknowledge: r.median_ack_seconds === null ? null : Math.round(Number(r.median_ack_seconds)),
          selfClearedWithin2Minutes: r.count ? Math.round((r.self_cleared_2min / r.count) * 1000) / 1000 : 0,
        })),
        byRule: pages.byRule,
        byPerson: pages.byPerson.map((p) => ({
          userId: p.user_id,
          displayName: p.display_name,
          pages: p.pages,
          suppressed: p.suppressed,
          grouped: p.grouped,
          pagesPerWeek: Math.round((p.pages / weeks) * 10) / 10,
        })),
      };
    },
  );

  await app.register(ackLinkRoutes);
};
