/**
 * Alerts (shared/CONTRACT.md: GET /api/v1/alerts, POST /api/v1/alerts/{id}/ack), their
 * events and deliveries, the one-time acknowledgement link, and the alarm-load report.
 * Care-team scoped: an alert is visible exactly when its patient is.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { alertJson } from '../alerts/json.ts';
import { acknowledge } from '../alerts/lifecycle.ts';
import type { AlertService } from '../alerts/service.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { verifyAckToken } from '../notify/ack-link.ts';
import { maySeePatient } from '../notify/patient-access.ts';
import { useAckNonce } from '../storage/repos/ack-links.ts';
import { alertEvents } from '../storage/repos/alert-events.ts';
import { alarmLoad, findAlert, listAlerts } from '../storage/repos/alerts.ts';
import { type DeliveryRow, deliveriesOfAlert, listDeliveries } from '../storage/repos/deliveries.ts';
import { findVisiblePatient } from '../storage/repos/patients.ts';
import { requireUser } from './auth/session.ts';
import type { AuthUser } from './context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function alertService(app: FastifyInstance): AlertService {
  const s = app.alerts;
  if (!s) throw new AppError('unavailable', 'alerting is not running on this server');
  return s;
}

async function visibleAlert(app: FastifyInstance, user: AuthUser, id: string) {
  if (!UUID.test(id)) throw notFound('alert');
  const a = await findAlert(app.sql, id);
  if (!a || !(await findVisiblePatient(app.sql, user.id, a.patient_id))) throw notFound('alert');
  return a;
}

function redactTarget(d: DeliveryRow): string {
  if (d.channel === 'email') return d.target;
  try {
    return new URL(d.target).host;
  } catch {
    return '';
  }
}

export function deliveryJson(d: DeliveryRow) {
  return {
    id: d.id,
    idempotencyKey: d.idempotency_key,
    alertId: d.alert_id,
    event: d.event,
    channel: d.channel,
    ...(d.user_id ? { userId: d.user_id } : {}),
    target: redactTarget(d),
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.max_attempts,
    ...(d.status === 'pending' ? { nextAttemptAt: d.next_attempt_at.toISOString() } : {}),
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.step !== null ? { step: d.step, round: d.round } : {}),
    createdAt: d.created_at.toISOString(),
    ...(d.delivered_at ? { deliveredAt: d.delivered_at.toISOString() } : {}),
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
function page(reply: FastifyReply, status: number, title: string, body: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title><h1>${esc(title)}</h1>${body}`,
    );
}

export async function alertRoutes(app: FastifyInstance) {
  const { sql } = app;

  app.get(
    '/api/v1/alerts',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            state: { type: 'string', enum: ['firing', 'acknowledged', 'resolved'] },
            patientId: { type: 'string', maxLength: 64 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query as { state?: string; patientId?: string; limit?: number };
      if (q.patientId && !UUID.test(q.patientId))
        throw badRequest(`patientId must be a UUID, got ${JSON.stringify(q.patientId)}`);
      const rows = await listAlerts(sql, {
        userId: u.id,
        ...(q.state ? { state: q.state } : {}),
        ...(q.patientId ? { patientId: q.patientId } : {}),
        limit: q.limit ?? 200,
      });
      return rows.map((a) => alertJson(a, a.patient_name));
    },
  );

  app.get('/api/v1/alerts/:id', async (req) => {
    const u = requireUser(req);
    return alertJson(await visibleAlert(app, u, (req.params as { id: string }).id));
  });

  app.post(
    '/api/v1/alerts/:id/ack',
    {
      schema: {
        body: {
          anyOf: [
            { type: 'null' },
            { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 2000 } } },
          ],
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const a = await visibleAlert(app, u, (req.params as { id: string }).id);
      const note = (req.body as { note?: string } | null)?.note;
      const r = await alertService(app).acknowledge(a.id, u.id, note, req.ip);
      if (!r.ok)
        throw new AppError(
          r.reason === 'resolved' ? 'conflict' : 'not_found',
          r.reason === 'resolved' ? 'this alert is already resolved; nothing to acknowledge' : 'alert not found',
        );
      return alertJson(r.alert);
    },
  );

  app.get('/api/v1/alerts/:id/events', async (req) => {
    const u = requireUser(req);
    const a = await visibleAlert(app, u, (req.params as { id: string }).id);
    return (await alertEvents(sql, a.id)).map((e) => ({
      id: Number(e.id),
      at: e.at.toISOString(),
      type: e.type,
      ...(e.user_id ? { userId: e.user_id, userName: e.user_name } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
    }));
  });

  app.get('/api/v1/alerts/:id/deliveries', async (req) => {
    const u = requireUser(req);
    const a = await visibleAlert(app, u, (req.params as { id: string }).id);
    return (await deliveriesOfAlert(sql, a.id)).map(deliveryJson);
  });

  app.get(
    '/api/v1/deliveries',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['pending', 'sending', 'delivered', 'failed', 'cancelled'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query as { status?: string; limit?: number };
      return (await listDeliveries(sql, u.id, q.status, q.limit ?? 200)).map(deliveryJson);
    },
  );

  app.get(
    '/api/v1/reports/alarm-load',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const q = req.query as { from?: string; to?: string };
      const to = q.to ? new Date(q.to) : alertService(app).clock.now();
      const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
      if (from >= to) throw badRequest('from must be before to');
      const rows = await alarmLoad(sql, u.id, from, to);
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        rows: rows.map((r) => ({
          patientId: r.patient_id,
          patientName: r.patient_name,
          rule: r.rule,
          count: r.count,
          acknowledged: r.acknowledged,
          medianSecondsToAcknowledge: r.median_ack_seconds === null ? null : Math.round(Number(r.median_ack_seconds)),
          selfClearedWithin2Minutes: r.count ? Math.round((r.self_cleared_2min / r.count) * 1000) / 1000 : 0,
        })),
      };
    },
  );

  // The one-time link: GET shows a confirmation page (mail scanners follow GET links, so
  // GET never acknowledges); POST acknowledges, once, as the person the link was sent to.
  await app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    );
    const tokenOf = (req: FastifyRequest) =>
      (req.query as { token?: string }).token ?? (req.body as { token?: string } | undefined)?.token ?? '';

    scope.get('/api/v1/alerts/ack-link', async (req, reply) => {
      const token = tokenOf(req);
      const check = verifyAckToken(
        await alertService(app).ctx.linkSecret(),
        token,
        alertService(app).clock.now().getTime(),
      );
      if (!check.ok)
        return page(
          reply,
          check.reason === 'expired' ? 410 : 400,
          'Link not valid / リンクが無効です',
          '<p>This link is not valid or has expired. Open the alert in vitals instead.</p>',
        );
      const a = await findAlert(sql, check.claim.alertId);
      // A link works only while its recipient may see the patient (issue 11, item 7).
      if (!a || !(await maySeePatient(sql, check.claim.userId, a.patient_id)))
        return page(reply, 404, 'Alert not found / アラートが見つかりません', '');
      return page(
        reply,
        200,
        'Acknowledge alert / アラートを確認',
        `<p>${esc(a.rule)} (${esc(a.priority)})</p><form method="post" action="/api/v1/alerts/ack-link?token=${esc(encodeURIComponent(token))}"><button>Acknowledge / 確認する</button></form>`,
      );
    });

    scope.post('/api/v1/alerts/ack-link', async (req, reply) => {
      const svc = alertService(app);
      const html = !(req.headers['content-type'] ?? '').includes('json');
      const fail = (status: number, code: 'bad_request' | 'conflict' | 'not_found', message: string) =>
        html ? page(reply, status, message, '') : reply.code(status).send({ error: { code, message } });
      const check = verifyAckToken(await svc.ctx.linkSecret(), tokenOf(req), svc.clock.now().getTime());
      if (!check.ok)
        return fail(
          check.reason === 'expired' ? 410 : 400,
          'bad_request',
          check.reason === 'expired' ? 'this link has expired; open the alert in vitals' : 'this link is not valid',
        );
      const { alertId, userId, nonce } = check.claim;
      const outcome = await sql.transaction(async (tx) => {
        const a = await findAlert(tx, alertId);
        if (!a || !(await maySeePatient(tx, userId, a.patient_id))) return 'not_visible' as const;
        if (!(await useAckNonce(tx, nonce, alertId, userId, svc.clock.now(), req.ip))) return 'used' as const;
        return acknowledge(tx, svc.ctx, alertId, userId, 'acknowledged through the link in a notification', req.ip);
      });
      if (outcome === 'not_visible') return fail(404, 'not_found', 'alert not found');
      if (outcome === 'used') return fail(409, 'conflict', 'this link was already used; it works only once');
      if (!outcome.ok)
        return fail(
          outcome.reason === 'resolved' ? 409 : 404,
          outcome.reason === 'resolved' ? 'conflict' : 'not_found',
          outcome.reason === 'resolved' ? 'this alert is already resolved' : 'alert not found',
        );
      void svc.deliver();
      return html ? page(reply, 200, 'Acknowledged / 確認しました', '') : alertJson(outcome.alert);
    });
  });
}
