/**
 * Each person's own notification contacts (schemas in ./schemas.ts): webhook, email, Web Push
 * subscription. A person sees and changes only their own; every change is audited.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { badRequest, notFound } from '../../errors.ts';
import { resolveTarget, systemResolver } from '../../notify/webhook-target.ts';
import { audit } from '../../storage/repos/audit.ts';
import { addContact, type ContactRow, contactsOf, disableContact } from '../../storage/repos/contacts.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

function contactJson(c: ContactRow): Static<typeof schema.Contact> {
  return {
    id: c.id,
    channel: c.channel,
    // A push endpoint is a bearer capability: whoever holds it can push to the browser.
    address: c.channel === 'webpush' ? new URL(c.address).host : c.address,
    ...(c.label ? { label: c.label } : {}),
    signed: c.secret !== null,
    createdAt: c.created_at.toISOString(),
  };
}

export const contactRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get('/api/v1/me/contacts', { schema: schema.list, config: { access: 'none' } }, async (req) => {
    const u = requireUser(req);
    return (await contactsOf(sql, [u.id])).map(contactJson);
  });

  app.post('/api/v1/me/contacts', { schema: schema.add, config: { access: 'none' } }, async (req, reply) => {
    const u = requireUser(req);
    const b = req.body;
    let address = b.address;
    if (b.channel === 'webpush') {
      if (!b.subscription) throw badRequest('a webpush contact needs the subscription from PushManager.subscribe()');
      address = b.subscription.endpoint;
    }
    if (!address) throw badRequest(`a ${b.channel} contact needs an address`);
    if (b.channel === 'email' && !/^[^\s@]+@[^\s@]+$/.test(address))
      throw badRequest(`not an email address: ${address}`);
    if (b.channel !== 'email') {
      // No webhook or push endpoint inside the server's network (issue 11, item 8). A name
      // that does not resolve yet is accepted: every delivery resolves, checks and pins again.
      const policy = { allowLoopback: app.alerts.ctx.config.allowLoopbackWebhooks === true };
      const t = await resolveTarget(address, policy, systemResolver);
      if (!t.ok && t.refused) throw badRequest(`${b.channel} address refused: ${t.reason}`);
    }
    const c = await addContact(sql, {
      userId: u.id,
      channel: b.channel,
      address,
      ...(b.secret ? { secret: b.secret } : {}),
      ...(b.subscription ? { subscription: b.subscription } : {}),
      ...(b.label ? { label: normaliseName(b.label, 'label') } : {}),
    });
    await audit(sql, {
      userId: u.id,
      action: 'contact.add',
      target: c.id,
      detail: { channel: c.channel },
      ip: req.ip,
    });
    return reply.code(201).send(contactJson(c));
  });

  app.delete('/api/v1/me/contacts/:cid', { schema: schema.remove, config: { access: 'none' } }, async (req, reply) => {
    const u = requireUser(req);
    const { cid } = req.params;
    if (!isUuid(cid) || !(await disableContact(sql, u.id, cid))) throw notFound('contact');
    await audit(sql, { userId: u.id, action: 'contact.remove', target: cid, ip: req.ip });
    return reply.code(204).send(null);
  });
};
