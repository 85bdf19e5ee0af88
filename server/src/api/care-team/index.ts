/**
 * A patient's care team (schemas in ./schemas.ts, shared/CONTRACT.md "Care team"): members from
 * any organisation, team roles and clearances. Anyone who may see the patient reads the team;
 * only the attending physician or the team lead changes it (the access core, `need: 'lead'`).
 * Clearance defaults by profession and never exceeds the caller's own; the last attending
 * physician cannot be removed or demoted. Every change is audited and announced on the event
 * bus (`care-team.changed`: live streams re-check at once).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { checkedGrant, checkedPatient } from '../../access/plugin.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  activeUser,
  type CareTeamMemberRow,
  careTeamMember,
  careTeamOf,
  lockCareTeam,
  removeCareTeamMember,
  teamMembersInRole,
} from '../../storage/repos/care-team.ts';
import { addCareTeamMember, type Clearance, defaultClearance, reaches } from '../../storage/repos/patients.ts';
import type { Sql } from '../../storage/sql.ts';
import { requireUser } from '../auth/session.ts';
import { isUuid } from '../ids.ts';
import * as schema from './schemas.ts';

type WireRole = Static<typeof schema.TeamRole>;
type DbRole = CareTeamMemberRow['team_role'];

/** The database keeps `attending`; the wire says `attending_physician` (contract). */
const toWire = (r: DbRole): WireRole => (r === 'attending' ? 'attending_physician' : r);
const toDb = (r: WireRole): DbRole => (r === 'attending_physician' ? 'attending' : r);

/** Professions that may be a patient's attending physician (主治医). */
const ATTENDING_PROFESSIONS = new Set(['physician', 'dentist']);

const memberJson = (m: CareTeamMemberRow): Static<typeof schema.Member> => ({
  userId: m.user_id,
  displayName: m.display_name,
  profession: m.profession,
  organisationId: m.organisation_id,
  teamRole: toWire(m.team_role),
  clearance: m.clearance,
  kind: m.kind,
});

const LAST_ATTENDING =
  'this is the last attending physician of the patient; add another attending physician first, then remove or change this one';

/** Throws when the change would leave the patient without an attending physician. */
async function keepAnAttending(tx: Sql, patientId: string, userId: string, before: DbRole | undefined) {
  if (before !== 'attending') return;
  const attending = await teamMembersInRole(tx, patientId, 'attending');
  if (attending.length === 1 && attending[0] === userId) throw new AppError('conflict', LAST_ATTENDING);
}

export const careTeamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql, events } = app;

  app.get(
    '/api/v1/patients/:id/team',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read', audit: 'care_team.read' } } },
    async (req) => (await careTeamOf(sql, checkedPatient(req).id)).map(memberJson),
  );

  app.post(
    '/api/v1/patients/:id/team',
    { schema: schema.add, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const own = checkedGrant(req);
      const b = req.body;
      const person = isUuid(b.userId) ? await activeUser(sql, b.userId) : undefined;
      if (!person) throw notFound(`user ${b.userId}`);
      const ownClearance: Clearance = own.clearance ?? 'team';
      if (b.clearance && !reaches(ownClearance, b.clearance))
        throw forbidden(
          `you can give at most your own clearance (${ownClearance}); ask the attending physician to give ${b.clearance}`,
        );
      // A wall display shows what the whole team may see, and has no say in the team.
      if (
        person.kind === 'display' &&
        ((b.clearance && b.clearance !== 'team') || (b.teamRole && b.teamRole !== 'member'))
      )
        throw badRequest(
          `${person.display_name} is a wall display: it can only be a member with clearance team (what everyone on the team may see)`,
        );
      const role = b.teamRole ? toDb(b.teamRole) : undefined;
      if (role === 'attending' && !ATTENDING_PROFESSIONS.has(person.profession))
        throw badRequest(
          `the attending physician must be a physician or dentist; ${person.display_name} is a ${person.profession}`,
        );
      const byProfession = person.kind === 'display' ? 'team' : defaultClearance(person.profession);
      const result = await sql.transaction(async (tx) => {
        await lockCareTeam(tx, p.id);
        const before = await careTeamMember(tx, p.id, person.id);
        const teamRole = role ?? before?.team_role ?? 'member';
        // A default above the caller's own is lowered to it; an explicit one was refused above.
        const clearance =
          b.clearance ?? before?.clearance ?? (reaches(ownClearance, byProfession) ? byProfession : ownClearance);
        if (teamRole !== 'attending') await keepAnAttending(tx, p.id, person.id, before?.team_role);
        await addCareTeamMember(tx, { patientId: p.id, userId: person.id, teamRole, clearance, addedBy: u.id });
        const after = await careTeamMember(tx, p.id, person.id);
        if (!after) throw new AppError('internal', 'the member just added is not on the team');
        await audit(tx, {
          userId: u.id,
          organisationId: own.organisationId,
          patientId: p.id,
          action: before ? 'care_team.change' : 'care_team.add',
          target: person.id,
          detail: {
            ...(before ? { before: { teamRole: toWire(before.team_role), clearance: before.clearance } } : {}),
            after: { teamRole: toWire(after.team_role), clearance: after.clearance },
          },
          ip: req.ip,
        });
        return { member: after, added: !before };
      });
      events.publish('care-team.changed', { patientId: p.id, userId: person.id });
      return reply.code(result.added ? 201 : 200).send(memberJson(result.member));
    },
  );

  app.delete(
    '/api/v1/patients/:id/team/:userId',
    { schema: schema.remove, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const userId = req.params.userId;
      if (!isUuid(userId)) throw notFound('care-team member');
      await sql.transaction(async (tx) => {
        await lockCareTeam(tx, p.id);
        const before = await careTeamMember(tx, p.id, userId);
        if (!before) throw notFound('care-team member');
        await keepAnAttending(tx, p.id, userId, before.team_role);
        await removeCareTeamMember(tx, p.id, userId);
        await audit(tx, {
          userId: u.id,
          organisationId: checkedGrant(req).organisationId,
          patientId: p.id,
          action: 'care_team.remove',
          target: userId,
          detail: { before: { teamRole: toWire(before.team_role), clearance: before.clearance } },
          ip: req.ip,
        });
      });
      events.publish('care-team.changed', { patientId: p.id, userId });
      return reply.code(204).send(null);
    },
  );
};
