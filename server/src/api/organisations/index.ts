/**
 * Organisations and their staff (issue 13; schemas in ./schemas.ts). Organisations are peers: an
 * administrator manages only the staff of the organisations they administer. A person who also
 * works for another organisation cannot be disabled or have their password reset by one
 * organisation alone: that would take the account from the others (the answer says whom to ask).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { hashSecret, newSecret } from '../../auth/secrets.ts';
import { AppError, forbidden, notFound } from '../../errors.ts';
import { invitationDelivery } from '../../notify/invitation-mail.ts';
import { audit } from '../../storage/repos/audit.ts';
import { enqueueDeliveries } from '../../storage/repos/deliveries.ts';
import { createInvitation } from '../../storage/repos/invitations.ts';
import {
  addMembership,
  countAdmins,
  createOrganisation,
  createUser,
  disableUser,
  findUserByEmail,
  membershipRole,
  NO_PASSWORD,
  organisationIdsOf,
  type StaffRow,
  setOrganisationPolicy,
  staffOf,
} from '../../storage/repos/people.ts';
import { removeSecondFactor } from '../../storage/repos/sign-in.ts';
import { endSessionsOf, requireAdmin, requireUser } from '../auth/session.ts';
import type { AuthUser } from '../context.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

const staffJson = (s: StaffRow): Static<typeof schema.Staff> => ({
  id: s.id,
  email: s.email,
  displayName: s.display_name,
  profession: s.profession,
  role: s.role,
  disabled: s.disabled_at !== null,
  mfaEnrolled: s.totp_enabled_at !== null,
  invitationPending: s.invited,
});

/** The caller, when they administer this organisation; 403 otherwise (another organisation's staff is not theirs). */
function adminOf(req: FastifyRequest, orgId: string): AuthUser {
  const u = requireUser(req);
  if (!isUuid(orgId) || !u.memberships.some((m) => m.organisationId === orgId && m.role === 'admin'))
    throw forbidden(
      "you can manage only the staff of an organisation you administer; ask that organisation's administrator",
    );
  return u;
}

// Declared for the access plugin (access/declaration.ts); adminOf checks the same in the handler.
const orgAdmin = { access: { organisationAdmin: 'params.orgId' as const } };

export const organisationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  /** A member of the organisation, or 404. */
  async function member(orgId: string, userId: string): Promise<StaffRow> {
    const row = isUuid(userId) ? (await staffOf(sql, orgId, userId))[0] : undefined;
    if (!row) throw notFound('member of this organisation');
    return row;
  }

  /** Refuses when the person belongs to an organisation the caller does not administer. */
  async function wholeAccountManagedBy(u: AuthUser, userId: string, what: string): Promise<void> {
    const administered = new Set(u.memberships.filter((m) => m.role === 'admin').map((m) => m.organisationId));
    if ((await organisationIdsOf(sql, userId)).some((o) => !administered.has(o)))
      throw new AppError(
        'conflict',
        `this person also works for another organisation, so one organisation cannot ${what} their account: remove their role here, or ask the other organisation's administrator to do it together with you`,
      );
  }

  async function issueToken(
    u: AuthUser,
    userId: string,
    orgId: string,
    purpose: 'invite' | 'reset' | 'join',
  ): Promise<{ token: string; expiresAt: string }> {
    const token = newSecret();
    const expiresAt = await createInvitation(sql, {
      tokenHash: hashSecret(token),
      userId,
      organisationId: orgId,
      purpose,
      ends: { ttlHours: app.signIn.invitationHours },
      createdBy: u.id,
    });
    return { token, expiresAt: expiresAt.toISOString() };
  }

  app.post(
    '/api/v1/organisations',
    { schema: schema.create, config: { access: { organisationAdmin: 'any' } } },
    async (req, reply) => {
      const u = requireAdmin(req);
      const id = await sql.transaction(async (tx) => {
        const org = await createOrganisation(tx, { name: req.body.name, kind: req.body.kind, locale: u.locale });
        await addMembership(tx, u.id, org, 'admin');
        return org;
      });
      await audit(sql, {
        userId: u.id,
        organisationId: id,
        action: 'organisation.created',
        detail: { kind: req.body.kind },
        ip: req.ip,
      });
      return reply.code(201).send({ id, name: req.body.name, kind: req.body.kind, requireMfa: false });
    },
  );

  app.patch('/api/v1/organisations/:orgId', { schema: schema.change, config: orgAdmin }, async (req) => {
    const u = adminOf(req, req.params.orgId);
    const o = await setOrganisationPolicy(sql, req.params.orgId, req.body);
    await audit(sql, {
      userId: u.id,
      organisationId: o.id,
      action: 'organisation.changed',
      detail: req.body,
      ip: req.ip,
    });
    return { id: o.id, name: o.name, kind: o.kind, requireMfa: o.require_mfa };
  });

  app.get('/api/v1/organisations/:orgId/users', { schema: schema.listStaff, config: orgAdmin }, async (req) => {
    adminOf(req, req.params.orgId);
    return (await staffOf(sql, req.params.orgId)).map(staffJson);
  });

  app.post('/api/v1/organisations/:orgId/users', { schema: schema.invite, config: orgAdmin }, async (req, reply) => {
    const u = adminOf(req, req.params.orgId);
    const orgId = req.params.orgId;
    const role = req.body.role ?? 'staff';
    const existing = await findUserByEmail(sql, req.body.email);
    if (existing && (await membershipRole(sql, existing.id, orgId)))
      throw new AppError('conflict', 'this person is already a member of this organisation');
    const userId = await sql.transaction(async (tx) => {
      const id =
        existing?.id ??
        (await createUser(tx, {
          email: req.body.email,
          displayName: req.body.displayName,
          profession: req.body.profession,
          passwordHash: NO_PASSWORD,
          locale: u.locale,
        }));
      await addMembership(tx, id, orgId, role);
      return id;
    });
    // An existing account's password is never set through another organisation's token.
    const invitation = await issueToken(u, userId, orgId, existing ? 'join' : 'invite');
    await audit(sql, {
      userId: u.id,
      organisationId: orgId,
      action: 'organisation.member.invited',
      target: userId,
      detail: { role, existingAccount: existing !== undefined },
      ip: req.ip,
    });
    let emailQueued: boolean | undefined;
    // Without a mail server nothing is queued: the administrator hands the link over themselves.
    if (req.body.sendEmail && !app.alerts.ctx.config.smtpUrl) emailQueued = false;
    else if (req.body.sendEmail) {
      // The mail's link gets its own token when it goes out (notify/invitation-mail.ts).
      emailQueued =
        (await enqueueDeliveries(sql, [
          invitationDelivery({
            userId,
            organisationId: orgId,
            organisationName: u.memberships.find((m) => m.organisationId === orgId)?.name ?? '',
            inviterName: u.displayName,
            email: existing?.email ?? req.body.email.toLowerCase(),
            locale: existing?.locale === 'en' || (!existing && u.locale === 'en') ? 'en' : 'ja',
            issuedAt: new Date(),
          }),
        ])) === 1;
      void app.alerts.deliver();
    }
    return reply.code(201).send({
      id: userId,
      invitation,
      existingAccount: existing !== undefined,
      ...(emailQueued === undefined ? {} : { emailQueued }),
    });
  });

  app.patch(
    '/api/v1/organisations/:orgId/users/:userId',
    { schema: schema.changeRole, config: orgAdmin },
    async (req) => {
      const u = adminOf(req, req.params.orgId);
      const { orgId, userId } = req.params;
      const m = await member(orgId, userId);
      if (m.role === 'admin' && req.body.role === 'staff' && (await countAdmins(sql, orgId)) <= 1)
        throw new AppError(
          'conflict',
          'this is the last administrator of the organisation: make someone else an administrator first',
        );
      await addMembership(sql, userId, orgId, req.body.role);
      await audit(sql, {
        userId: u.id,
        organisationId: orgId,
        action: 'organisation.member.role_changed',
        target: userId,
        detail: { from: m.role, to: req.body.role },
        ip: req.ip,
      });
      return staffJson(await member(orgId, userId));
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/users/:userId/disable',
    { schema: schema.disable, config: orgAdmin },
    async (req, reply) => {
      const u = adminOf(req, req.params.orgId);
      const { orgId, userId } = req.params;
      await member(orgId, userId);
      if (userId === u.id) throw new AppError('conflict', 'you cannot disable your own account');
      await wholeAccountManagedBy(u, userId, 'disable');
      await disableUser(sql, userId);
      const ended = await endSessionsOf(app, userId);
      await audit(sql, {
        userId: u.id,
        organisationId: orgId,
        action: 'organisation.member.disabled',
        target: userId,
        detail: { sessionsEnded: ended },
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/users/:userId/reset-second-factor',
    { schema: schema.resetSecondFactor, config: orgAdmin },
    async (req, reply) => {
      const u = adminOf(req, req.params.orgId);
      const { orgId, userId } = req.params;
      const m = await member(orgId, userId);
      if (m.disabled_at) throw new AppError('conflict', 'this account is disabled');
      if (userId === u.id)
        throw new AppError(
          'conflict',
          'you cannot remove your own second factor here: ask another administrator, or change it in your account',
        );
      await wholeAccountManagedBy(u, userId, 'reset the second factor of');
      const removed = await sql.transaction((tx) => removeSecondFactor(tx, userId));
      if (!removed) throw new AppError('conflict', 'this person has no second factor to remove');
      const ended = await endSessionsOf(app, userId);
      await audit(sql, {
        userId: u.id,
        organisationId: orgId,
        action: 'organisation.member.second_factor_reset',
        target: userId,
        detail: { sessionsEnded: ended },
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/users/:userId/reset-password',
    { schema: schema.resetPassword, config: orgAdmin },
    async (req, reply) => {
      const u = adminOf(req, req.params.orgId);
      const { orgId, userId } = req.params;
      const m = await member(orgId, userId);
      if (m.disabled_at) throw new AppError('conflict', 'this account is disabled');
      await wholeAccountManagedBy(u, userId, 'reset the password of');
      const token = await issueToken(u, userId, orgId, m.invited ? 'invite' : 'reset');
      const ended = await endSessionsOf(app, userId);
      await audit(sql, {
        userId: u.id,
        organisationId: orgId,
        action: 'organisation.member.password_reset',
        target: userId,
        detail: { sessionsEnded: ended },
        ip: req.ip,
      });
      return reply.code(201).send(token);
    },
  );
};
