/**
 * Wall displays (kiosk mode; schemas in ./schemas.ts): a screen in a nurse station or a clinic
 * that shows its patients without anyone signing in. An administrator of the organisation creates
 * one and gets its credential once; the display signs in with it (POST /api/v1/auth/display, in
 * api/auth) to a session that can only read. It sees a patient only when it is on that patient's
 * care team, with clearance `team`: the access core treats it like any member, so nothing else
 * needs to know about displays (docs/security.md, "Wall displays").
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { hashSecret, newSecret } from '../../auth/secrets.ts';
import { notFound } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { audit } from '../../storage/repos/audit.ts';
import { disableUser } from '../../storage/repos/people.ts';
import {
  createWallDisplay,
  findWallDisplay,
  listWallDisplays,
  rotateWallDisplayToken,
  updateWallDisplay,
  type WallDisplayRow,
} from '../../storage/repos/wall-displays.ts';
import { endSessionsOf, requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

const displayJson = (d: WallDisplayRow): Static<typeof schema.WallDisplay> => ({
  id: d.id,
  organisationId: d.organisation_id,
  displayName: d.display_name,
  initialsOnly: d.initials_only,
  patients: d.patients,
  createdAt: d.created_at.toISOString(),
  createdBy: { id: d.created_by, displayName: d.created_by_name },
  ...(d.rotated_at ? { rotatedAt: d.rotated_at.toISOString() } : {}),
  ...(d.last_seen_at ? { lastSeenAt: d.last_seen_at.toISOString() } : {}),
  revoked: d.disabled_at !== null,
});

const kioskPath = (token: string) => `/#/kiosk/${token}`;

// The access core checks that the caller administers params.orgId (403 otherwise).
const orgAdmin = { access: { organisationAdmin: 'params.orgId' as const } };

export const wallDisplayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  async function displayOf(orgId: string, id: string): Promise<WallDisplayRow> {
    const d = isUuid(id) ? await findWallDisplay(sql, orgId, id) : undefined;
    if (!d) throw notFound(`wall display ${id} of this organisation`);
    return d;
  }

  app.get('/api/v1/organisations/:orgId/displays', { schema: schema.list, config: orgAdmin }, async (req) =>
    (await listWallDisplays(sql, req.params.orgId)).map(displayJson),
  );

  app.post('/api/v1/organisations/:orgId/displays', { schema: schema.create, config: orgAdmin }, async (req, reply) => {
    const u = requireUser(req);
    const token = newSecret();
    const id = await sql.transaction(async (tx) => {
      const id = await createWallDisplay(tx, {
        organisationId: req.params.orgId,
        displayName: req.body.displayName.trim(),
        initialsOnly: req.body.initialsOnly ?? false,
        tokenHash: hashSecret(token),
        createdBy: u.id,
      });
      await audit(tx, {
        userId: u.id,
        organisationId: req.params.orgId,
        action: 'wall_display.create',
        target: id,
        detail: { displayName: req.body.displayName, initialsOnly: req.body.initialsOnly ?? false },
        ip: req.ip,
      });
      return id;
    });
    const d = await displayOf(req.params.orgId, id);
    return reply.code(201).send({ ...displayJson(d), token, kioskPath: kioskPath(token) });
  });

  app.patch('/api/v1/organisations/:orgId/displays/:id', { schema: schema.change, config: orgAdmin }, async (req) => {
    const u = requireUser(req);
    const before = await displayOf(req.params.orgId, req.params.id);
    await updateWallDisplay(sql, before.id, {
      ...(req.body.displayName !== undefined ? { displayName: req.body.displayName.trim() } : {}),
      ...(req.body.initialsOnly !== undefined ? { initialsOnly: req.body.initialsOnly } : {}),
    });
    await audit(sql, {
      userId: u.id,
      organisationId: req.params.orgId,
      action: 'wall_display.change',
      target: before.id,
      detail: { before: { displayName: before.display_name, initialsOnly: before.initials_only }, after: req.body },
      ip: req.ip,
    });
    return displayJson(await displayOf(req.params.orgId, before.id));
  });

  app.post(
    '/api/v1/organisations/:orgId/displays/:id/rotate',
    { schema: schema.rotate, config: orgAdmin },
    async (req) => {
      const u = requireUser(req);
      const d = await displayOf(req.params.orgId, req.params.id);
      const token = newSecret();
      await rotateWallDisplayToken(sql, d.id, hashSecret(token));
      await endSessionsOf(app, d.id);
      await audit(sql, {
        userId: u.id,
        organisationId: req.params.orgId,
        action: 'wall_display.rotate',
        target: d.id,
        ip: req.ip,
      });
      return { token, kioskPath: kioskPath(token) };
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/displays/:id/revoke',
    { schema: schema.revoke, config: orgAdmin },
    async (req, reply) => {
      const u = requireUser(req);
      const d = await displayOf(req.params.orgId, req.params.id);
      await disableUser(sql, d.id);
      await endSessionsOf(app, d.id);
      await audit(sql, {
        userId: u.id,
        organisationId: req.params.orgId,
        action: 'wall_display.revoke',
        target: d.id,
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );
};
