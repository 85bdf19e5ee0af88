/**
 * Emergency access ("break-glass", schemas in ./schemas.ts): a member of the organisation that
 * registered a patient, or of an organisation with someone on its care team, who is not on the
 * team opens a time-limited access with a reason (VITALS_EMERGENCY_ACCESS_MINUTES, default 60).
 * While it runs the access core lets them read the patient's data as `clinical` clearance (no
 * changes); it ends by itself. Announced on the patient's timeline and to the administrators of the
 * patient's organisation through their contacts (access/emergency-announcement.ts); audited as
 * `emergency_access.open` under the patient's organisation, and every read made with it carries
 * `emergencyAccess: true`.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { announceEmergencyAccess } from '../../access/emergency-announcement.ts';
import { checkedGrant, checkedPatient } from '../../access/plugin.ts';
import { AppError } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { emergencyAccessesOf, openEmergencyAccess, organisationAdmins } from '../../storage/repos/emergency-access.ts';
import { findVisiblePatient } from '../../storage/repos/patients.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

export const emergencyAccessRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post(
    '/api/v1/patients/:id/emergency-access',
    { schema: schema.open, config: { access: { patient: 'params.id', need: 'emergency' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const g = checkedGrant(req);
      if (g.teamRole !== null && (await findVisiblePatient(sql, u.id, p.id)))
        throw new AppError(
          'conflict',
          'you are on this patient’s care team and see the patient already; no emergency access is needed',
        );
      const opened = await sql.transaction(async (tx) => {
        const row = await openEmergencyAccess(tx, {
          patientId: p.id,
          userId: u.id,
          organisationId: g.organisationId,
          reason: req.body.reason,
          minutes: app.emergencyAccessMinutes,
        });
        const admins = await organisationAdmins(tx, p.organisation_id);
        await audit(tx, {
          userId: u.id,
          organisationId: p.organisation_id,
          patientId: p.id,
          action: 'emergency_access.open',
          target: row.id,
          detail: {
            reason: row.reason,
            expiresAt: row.expires_at.toISOString(),
            callerOrganisationId: g.organisationId,
            announcedTo: admins,
          },
          ip: req.ip,
        });
        const announced = await announceEmergencyAccess(tx, {
          accessId: row.id,
          patientId: p.id,
          patientName: p.display_name,
          userId: u.id,
          userName: u.displayName,
          reason: row.reason,
          startedAt: row.started_at,
          expiresAt: row.expires_at,
          adminIds: admins,
        });
        if (announced.posted) app.events.publish('timeline.posted', announced.posted, { tx });
        return row;
      });
      req.log.warn(
        { patientId: p.id, userId: u.id, emergencyAccessId: opened.id },
        'emergency access opened; announced on the timeline and to the patient organisation administrators',
      );
      return reply.code(201).send({ id: opened.id, expiresAt: opened.expires_at.toISOString() });
    },
  );

  app.get(
    '/api/v1/patients/:id/emergency-access',
    {
      schema: schema.list,
      config: { access: { patient: 'params.id', need: 'read', audit: 'emergency_access.read' } },
    },
    async (req) => {
      const now = Date.now();
      return (await emergencyAccessesOf(sql, checkedPatient(req).id)).map((e) => ({
        id: e.id,
        userId: e.user_id,
        organisationId: e.organisation_id,
        reason: e.reason,
        startedAt: e.started_at.toISOString(),
        expiresAt: e.expires_at.toISOString(),
        active: e.ended_at === null && e.expires_at.getTime() > now,
      }));
    },
  );
};
