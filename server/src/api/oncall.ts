/**
 * On-call rotas of an organisation (its administrators manage them, its members read them)
 * and each person's own notification contacts (webhook, email, Web Push subscription).
 */
import type { FastifyInstance } from 'fastify';
import { isHhMm, isTimeZone } from '../alerts/local-time.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { onCallAt } from '../notify/oncall.ts';
import type { Rota } from '../storage/repos/rotas.ts';
import { resolveTarget, systemResolver } from '../notify/webhook-target.ts';
import { audit } from '../storage/repos/audit.ts';
import { activeMembersOf, usersByIds } from '../storage/repos/care-team.ts';
import { addContact, type ContactRow, contactsOf, disableContact } from '../storage/repos/contacts.ts';
import { addRotaOverride, createRota, findRota, listRotas, updateRota } from '../storage/repos/rotas.ts';
import { normaliseName } from '../text/display-name.ts';
import { alertService } from './alerts.ts';
import { requireUser } from './auth/session.ts';
import type { AuthUser } from './context.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const rotaJson = (r: Rota) => ({
  id: r.id,
  organisationId: r.organisationId,
  name: r.name,
  timezone: r.timezone,
  handoverTime: r.handoverTime,
  shiftDays: r.shiftDays,
  startDate: r.startDate,
  members: r.members,
  overrides: r.overrides.map((o) => ({
    userId: o.userId,
    from: new Date(o.from).toISOString(),
    to: new Date(o.to).toISOString(),
  })),
});

const contactJson = (c: ContactRow) => ({
  id: c.id,
  channel: c.channel,
  address: c.channel === 'webpush' ? new URL(c.address).host : c.address,
  ...(c.label ? { label: c.label } : {}),
  signed: c.secret !== null,
  createdAt: c.created_at.toISOString(),
});

const rotaBody = {
  type: 'object',
  required: ['name', 'members'],
  additionalProperties: false,
  properties: {
    organisationId: { type: 'string', format: 'uuid' },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    timezone: { type: 'string', maxLength: 64 },
    handoverTime: { type: 'string', maxLength: 5 },
    shiftDays: { type: 'integer', minimum: 1, maximum: 28 },
    startDate: { type: 'string', format: 'date' },
    members: { type: 'array', maxItems: 100, items: { type: 'string', format: 'uuid' } },
  },
};

type RotaInput = {
  organisationId?: string;
  name: string;
  timezone?: string;
  handoverTime?: string;
  shiftDays?: number;
  startDate?: string;
  members: string[];
};

async function checkRota(app: FastifyInstance, b: RotaInput, today: string, organisationId: string) {
  const problems: string[] = [];
  if (b.timezone && !isTimeZone(b.timezone)) problems.push(`unknown timezone ${b.timezone}`);
  if (b.handoverTime && !isHhMm(b.handoverTime)) problems.push('handoverTime is a local time "HH:MM"');
  // A rota lists people of its own organisation only (issue 11, item 10).
  const members = await activeMembersOf(app.sql, organisationId, b.members);
  for (const m of b.members)
    if (!members.has(m)) problems.push(`member ${m} is not an active member of the rota's organisation`);
  if (problems.length) throw badRequest(problems.join('; '));
  return {
    name: normaliseName(b.name, 'name'),
    timezone: b.timezone ?? 'Asia/Tokyo',
    handoverTime: b.handoverTime ?? '09:00',
    shiftDays: b.shiftDays ?? 1,
    startDate: b.startDate ?? today,
    members: b.members,
  };
}

function adminOf(u: AuthUser, organisationId: string) {
  if (!u.memberships.some((m) => m.organisationId === organisationId && m.role === 'admin'))
    throw forbidden("only an administrator of the rota's organisation can change it");
}

export async function oncallRoutes(app: FastifyInstance) {
  const { sql } = app;

  app.get('/api/v1/rotas', async (req) => {
    const u = requireUser(req);
    return (
      await listRotas(
        sql,
        u.memberships.map((m) => m.organisationId),
      )
    ).map(rotaJson);
  });

  app.post('/api/v1/rotas', { schema: { body: rotaBody } }, async (req, reply) => {
    const u = requireUser(req);
    const b = req.body as RotaInput;
    const org = b.organisationId ?? u.memberships.find((m) => m.role === 'admin')?.organisationId;
    if (!org) throw forbidden('only an organisation administrator can create rotas');
    adminOf(u, org);
    const r = await checkRota(app, b, alertService(app).clock.now().toISOString().slice(0, 10), org);
    const id = await createRota(sql, { ...r, organisationId: org }, u.id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'rota.create', target: id, ip: req.ip });
    return reply.code(201).send(rotaJson((await findRota(sql, id))!));
  });

  const visibleRota = async (u: AuthUser, id: string) => {
    if (!UUID.test(id)) throw notFound('rota');
    const r = await findRota(sql, id);
    if (!r || !u.memberships.some((m) => m.organisationId === r.organisationId)) throw notFound('rota');
    return r;
  };

  app.get('/api/v1/rotas/:id', async (req) =>
    rotaJson(await visibleRota(requireUser(req), (req.params as { id: string }).id)),
  );

  app.put('/api/v1/rotas/:id', { schema: { body: rotaBody } }, async (req) => {
    const u = requireUser(req);
    const rota = await visibleRota(u, (req.params as { id: string }).id);
    adminOf(u, rota.organisationId);
    const r = await checkRota(app, req.body as RotaInput, rota.startDate, rota.organisationId);
    await updateRota(sql, rota.id, r);
    await audit(sql, {
      userId: u.id,
      organisationId: rota.organisationId,
      action: 'rota.update',
      target: rota.id,
      ip: req.ip,
    });
    return rotaJson((await findRota(sql, rota.id))!);
  });

  app.post(
    '/api/v1/rotas/:id/overrides',
    {
      schema: {
        body: {
          type: 'object',
          required: ['userId', 'from', 'to'],
          additionalProperties: false,
          properties: {
            userId: { type: 'string', format: 'uuid' },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            reason: { type: 'string', maxLength: 500 },
          },
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const rota = await visibleRota(u, (req.params as { id: string }).id);
      const b = req.body as { userId: string; from: string; to: string; reason?: string };
      // Swapping a shift: an administrator, or the person taking it over.
      if (b.userId !== u.id) adminOf(u, rota.organisationId);
      const from = new Date(b.from);
      const to = new Date(b.to);
      if (to <= from) throw badRequest('to must be after from');
      if (!(await activeMembersOf(sql, rota.organisationId, [b.userId])).has(b.userId))
        throw badRequest(`user ${b.userId} is not an active member of the rota's organisation`);
      await addRotaOverride(sql, {
        rotaId: rota.id,
        userId: b.userId,
        from,
        to,
        ...(b.reason ? { reason: b.reason } : {}),
        createdBy: u.id,
      });
      await audit(sql, {
        userId: u.id,
        organisationId: rota.organisationId,
        action: 'rota.override',
        target: rota.id,
        detail: b,
        ip: req.ip,
      });
      return reply.code(201).send(rotaJson((await findRota(sql, rota.id))!));
    },
  );

  app.get(
    '/api/v1/rotas/:id/on-call',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { at: { type: 'string', format: 'date-time' } },
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const rota = await visibleRota(u, (req.params as { id: string }).id);
      const q = req.query as { at?: string };
      const at = q.at ? new Date(q.at) : alertService(app).clock.now();
      const who = onCallAt(rota, at.getTime());
      const user = who ? (await usersByIds(sql, [who])).get(who) : undefined;
      return { at: at.toISOString(), userId: who, ...(user ? { displayName: user.display_name } : {}) };
    },
  );

  // ---- the caller's own contacts ----
  app.get('/api/v1/me/contacts', async (req) => {
    const u = requireUser(req);
    return (await contactsOf(sql, [u.id])).map(contactJson);
  });

  app.post(
    '/api/v1/me/contacts',
    {
      schema: {
        body: {
          type: 'object',
          required: ['channel'],
          additionalProperties: false,
          properties: {
            channel: { type: 'string', enum: ['webhook', 'email', 'webpush'] },
            address: { type: 'string', maxLength: 2000 },
            secret: { type: 'string', minLength: 16, maxLength: 200 },
            label: { type: 'string', maxLength: 200 },
            subscription: {
              type: 'object',
              required: ['endpoint', 'keys'],
              properties: {
                endpoint: { type: 'string', maxLength: 2000 },
                expirationTime: { type: ['number', 'null'] },
                keys: {
                  type: 'object',
                  required: ['p256dh', 'auth'],
                  properties: { p256dh: { type: 'string', maxLength: 200 }, auth: { type: 'string', maxLength: 100 } },
                },
              },
            },
          },
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body as {
        channel: ContactRow['channel'];
        address?: string;
        secret?: string;
        label?: string;
        subscription?: { endpoint: string; keys: { p256dh: string; auth: string } };
      };
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
        const policy = { allowLoopback: alertService(app).ctx.config.allowLoopbackWebhooks === true };
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
    },
  );

  app.delete('/api/v1/me/contacts/:cid', async (req, reply) => {
    const u = requireUser(req);
    const cid = (req.params as { cid: string }).cid;
    if (!UUID.test(cid) || !(await disableContact(sql, u.id, cid))) throw notFound('contact');
    await audit(sql, { userId: u.id, action: 'contact.remove', target: cid, ip: req.ip });
    return reply.code(204).send();
  });

  app.get('/api/v1/push/vapid-public-key', async (req) => {
    requireUser(req);
    const key = alertService(app).ctx.config.vapidPublicKey;
    if (!key) throw notFound('Web Push (no VAPID keys configured)');
    return { publicKey: key };
  });
}
