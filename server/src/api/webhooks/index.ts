/**
 * Webhooks per organisation and event type (issue 17; schemas in ./schemas.ts), for the
 * organisation's administrators: subscribe a URL (https; checked against the same target
 * policy as every webhook, no internal addresses), see each subscription's delivery log, end
 * it. Deliveries are queued by notify/org-webhooks.ts and sent by the delivery outbox.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { newSecret } from '../../auth/secrets.ts';
import { badRequest, notFound } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import type { WebhookEvent } from '../../notify/org-webhooks.ts';
import { classifyAddress, resolveTarget, systemResolver } from '../../notify/webhook-target.ts';
import { audit } from '../../storage/repos/audit.ts';
import type { DeliveryRow } from '../../storage/repos/deliveries.ts';
import {
  createSubscription,
  deliveryLog,
  disableSubscription,
  findSubscriptionOf,
  listSubscriptions,
  type WebhookSubscriptionRow,
} from '../../storage/repos/webhooks.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

const orgAdmin = { access: { organisationAdmin: 'params.orgId' as const } };

function subscriptionJson(s: WebhookSubscriptionRow) {
  return {
    id: s.id,
    organisationId: s.organisation_id,
    url: s.url,
    events: s.events as WebhookEvent[],
    detail: s.detail,
    ...(s.label ? { label: s.label } : {}),
    createdAt: s.created_at.toISOString(),
    ...(s.disabled_at ? { disabledAt: s.disabled_at.toISOString() } : {}),
  };
}

function deliveryJson(d: DeliveryRow) {
  return {
    id: Number(d.id),
    event: d.event,
    idempotencyKey: d.idempotency_key,
    status: d.status,
    attempts: d.attempts,
    maxAttempts: d.max_attempts,
    ...(d.last_error ? { lastError: d.last_error } : {}),
    ...(d.status === 'pending' ? { nextAttemptAt: d.next_attempt_at.toISOString() } : {}),
    createdAt: d.created_at.toISOString(),
    ...(d.delivered_at ? { deliveredAt: d.delivered_at.toISOString() } : {}),
  };
}

/** https, or http to a loopback address (which the target policy allows only with VITALS_ALLOW_LOOPBACK_WEBHOOKS). */
function isHttpsOrLoopback(raw: string): boolean {
  try {
    const u = new URL(raw);
    if (u.protocol === 'https:') return true;
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
    return u.protocol === 'http:' && (host === 'localhost' || classifyAddress(host) === 'loopback');
  } catch {
    return false;
  }
}

export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  const subscriptionOf = async (orgId: string, id: string) => {
    const s = isUuid(id) ? await findSubscriptionOf(sql, id.toLowerCase(), orgId) : undefined;
    if (!s) throw notFound('webhook subscription');
    return s;
  };

  app.post('/api/v1/organisations/:orgId/webhooks', { schema: schema.create, config: orgAdmin }, async (req, reply) => {
    const u = requireUser(req);
    const b = req.body;
    // No webhook inside the server's network (issue 11 item 8); every delivery checks again.
    if (!isHttpsOrLoopback(b.url))
      throw badRequest('url refused: use an https URL (plain http only to a loopback address)');
    const policy = { allowLoopback: app.alerts.ctx.config.allowLoopbackWebhooks === true };
    const t = await resolveTarget(b.url, policy, systemResolver);
    if (!t.ok && t.refused) throw badRequest(`url refused: ${t.reason}`);
    const secret = newSecret();
    const s = await createSubscription(sql, {
      id: randomUUID(),
      organisationId: req.params.orgId,
      url: b.url,
      events: [...new Set(b.events)],
      secret,
      detail: b.detail ?? 'ids',
      ...(b.label ? { label: normaliseName(b.label, 'label') } : {}),
      createdBy: u.id,
    });
    await audit(sql, {
      userId: u.id,
      organisationId: s.organisation_id,
      action: 'webhook.subscribe',
      target: s.id,
      detail: { events: s.events, detail: s.detail },
      ip: req.ip,
    });
    return reply.code(201).send({ ...subscriptionJson(s), secret });
  });

  app.get('/api/v1/organisations/:orgId/webhooks', { schema: schema.list, config: orgAdmin }, async (req) =>
    (await listSubscriptions(sql, req.params.orgId)).map(subscriptionJson),
  );

  app.delete(
    '/api/v1/organisations/:orgId/webhooks/:id',
    { schema: schema.remove, config: orgAdmin },
    async (req, reply) => {
      const u = requireUser(req);
      const s = await subscriptionOf(req.params.orgId, req.params.id);
      await disableSubscription(sql, s.id);
      await audit(sql, {
        userId: u.id,
        organisationId: s.organisation_id,
        action: 'webhook.unsubscribe',
        target: s.id,
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/organisations/:orgId/webhooks/:id/deliveries',
    { schema: schema.deliveries, config: orgAdmin },
    async (req) => {
      const s = await subscriptionOf(req.params.orgId, req.params.id);
      return (await deliveryLog(sql, s.id, req.query.limit ?? 100)).map(deliveryJson);
    },
  );
};
