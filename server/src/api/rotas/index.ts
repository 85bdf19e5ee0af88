/**
 * On-call rotas of an organisation (schemas in ./schemas.ts): its administrators manage them,
 * its members read them and may take over a shift themselves. Every change is audited. A
 * patient's care team also sees the rotas its escalation policy may name (the organisations on
 * the team: a clinic's lead pages the nurse station's rota first), read through the access core.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { isHhMm, isTimeZone } from '../../alerts/local-time.ts';
import { badRequest, forbidden, notFound } from '../../errors.ts';
import { onCallAt } from '../../notify/oncall.ts';
import { audit } from '../../storage/repos/audit.ts';
import { activeMembersOf, organisationsOnCareTeam, usersByIds } from '../../storage/repos/care-team.ts';
import { addRotaOverride, createRota, findRota, listRotas, type Rota, updateRota } from '../../storage/repos/rotas.ts';
import type { Sql } from '../../storage/sql.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import type { AuthUser } from '../context.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

function rotaJson(r: Rota): Static<typeof schema.Rota> {
  return {
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
  };
}

/** The rota as stored, with its defaults filled in; every problem of the input reported at once. */
async function checkRota(sql: Sql, b: Static<typeof schema.RotaBody>, today: string, organisationId: string) {
  const problems: string[] = [];
  if (b.timezone && !isTimeZone(b.timezone)) problems.push(`unknown timezone ${b.timezone}`);
  if (b.handoverTime && !isHhMm(b.handoverTime)) problems.push('handoverTime is a local time "HH:MM"');
  // A rota lists people of its own organisation only (issue 11, item 10).
  const members = await activeMembersOf(sql, organisationId, b.members);
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

/** The rota, if it belongs to one of the caller's organisations; 404 otherwise. */
async function visibleRota(sql: Sql, u: AuthUser, id: string): Promise<Rota> {
  if (!isUuid(id)) throw notFound('rota');
  const r = await findRota(sql, id);
  if (!r || !u.memberships.some((m) => m.organisationId === r.organisationId)) throw notFound('rota');
  return r;
}

/** A rota as it is now stored (just written by the caller, so it exists). */
async function storedRota(sql: Sql, id: string): Promise<Static<typeof schema.Rota>> {
  const r = await findRota(sql, id);
  if (!r) throw notFound('rota');
  return rotaJson(r);
}

export const rotaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get('/api/v1/rotas', { schema: schema.list, config: { access: 'none' } }, async (req) => {
    const u = requireUser(req);
    const rotas = await listRotas(
      sql,
      u.memberships.map((m) => m.organisationId),
    );
    return rotas.map(rotaJson);
  });

  app.post('/api/v1/rotas', { schema: schema.create, config: { access: 'none' } }, async (req, reply) => {
    const u = requireUser(req);
    const b = req.body;
    const org = b.organisationId ?? u.memberships.find((m) => m.role === 'admin')?.organisationId;
    if (!org) throw forbidden('only an organisation administrator can create rotas');
    adminOf(u, org);
    const r = await checkRota(sql, b, app.alerts.clock.now().toISOString().slice(0, 10), org);
    const id = await createRota(sql, { ...r, organisationId: org }, u.id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'rota.create', target: id, ip: req.ip });
    return reply.code(201).send(await storedRota(sql, id));
  });

  app.get('/api/v1/rotas/:id', { schema: schema.one, config: { access: 'none' } }, async (req) =>
    rotaJson(await visibleRota(sql, requireUser(req), req.params.id)),
  );

  app.put('/api/v1/rotas/:id', { schema: schema.update, config: { access: 'none' } }, async (req) => {
    const u = requireUser(req);
    const rota = await visibleRota(sql, u, req.params.id);
    adminOf(u, rota.organisationId);
    const r = await checkRota(sql, req.body, rota.startDate, rota.organisationId);
    await updateRota(sql, rota.id, r);
    await audit(sql, {
      userId: u.id,
      organisationId: rota.organisationId,
      action: 'rota.update',
      target: rota.id,
      ip: req.ip,
    });
    return storedRota(sql, rota.id);
  });

  app.post(
    '/api/v1/rotas/:id/overrides',
    { schema: schema.addOverride, config: { access: 'none' } },
    async (req, reply) => {
      const u = requireUser(req);
      const rota = await visibleRota(sql, u, req.params.id);
      const b = req.body;
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
      return reply.code(201).send(await storedRota(sql, rota.id));
    },
  );

  app.get(
    '/api/v1/patients/:id/rotas',
    { schema: schema.forPatient, config: { access: { patient: 'params.id', need: 'read' } } },
    async (req) => {
      const p = checkedPatient(req);
      // The same organisations notify/policy-scope.ts allows a policy to name.
      const rotas = await listRotas(sql, [...(await organisationsOnCareTeam(sql, p.id))]);
      return rotas.map(rotaJson);
    },
  );

  app.get('/api/v1/rotas/:id/on-call', { schema: schema.onCall, config: { access: 'none' } }, async (req) => {
    const u = requireUser(req);
    const rota = await visibleRota(sql, u, req.params.id);
    const at = req.query.at ? new Date(req.query.at) : app.alerts.clock.now();
    const who = onCallAt(rota, at.getTime());
    const user = who ? (await usersByIds(sql, [who])).get(who) : undefined;
    return { at: at.toISOString(), userId: who, ...(user ? { displayName: user.display_name } : {}) };
  });
};
