/**
 * Gateways with their MQTT credentials (schemas in ./schemas.ts), for the administrators of
 * their organisation: another organisation's gateway answers 404 (issue 11).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isGatewayId } from '@vitals/contract';
import { hashSecret, newSecret } from '../../auth/secrets.ts';
import { AppError, badRequest, forbidden, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  createGateway,
  fleetOf,
  listGateways,
  revokeGateway,
  rotateGatewaySecret,
} from '../../storage/repos/gateways.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import { fleetView } from './fleet.ts';
import * as schema from './schemas.ts';
import { gatewaySettingsRoutes } from './settings.ts';

/** A gateway id from the path; a malformed one is a gateway that does not exist. */
function gatewayId(id: string): string {
  if (!isGatewayId(id)) throw notFound(`gateway ${id}`);
  return id;
}

export const gatewayRoutes: FastifyPluginAsyncTypebox<{ minGatewayVersion?: string }> = async (app, o) => {
  const { sql } = app;
  await app.register(gatewaySettingsRoutes);

  app.post('/api/v1/gateways', { schema: schema.create, config: { access: 'none' } }, async (req, reply) => {
    const u = requireAdmin(req);
    const body = req.body;
    const label = body.label === undefined ? undefined : normaliseName(body.label, 'label');
    const id =
      body.id ??
      `gw-${newSecret(6)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '0')}`;
    if (!isGatewayId(id)) throw badRequest(`gateway id must match [a-z0-9][a-z0-9-]{2,62}, got ${JSON.stringify(id)}`);
    const password = newSecret();
    const admin = administeredOrganisations(u);
    if (body.organisationId && !admin.includes(body.organisationId))
      throw forbidden('you can register gateways only for an organisation you administer');
    if (!body.organisationId && admin.length > 1)
      throw badRequest("you administer several organisations: name the gateway's one in organisationId");
    const org = body.organisationId ?? admin[0]!;
    const created = await createGateway(sql, {
      id,
      ...(label ? { label } : {}),
      secretHash: hashSecret(password),
      organisationId: org,
    });
    if (!created) throw new AppError('conflict', `gateway ${id} already exists`);
    await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.create', target: id, ip: req.ip });
    // The password is shown once; only its hash is kept.
    return reply.code(201).send({
      id,
      ...(label ? { label } : {}),
      organisationId: org,
      mqtt: { username: id, password },
    });
  });

  app.get('/api/v1/gateways', { schema: schema.list, config: { access: 'none' } }, async (req) => {
    return listGateways(sql, administeredOrganisations(requireAdmin(req)));
  });

  app.get('/api/v1/fleet', { schema: schema.fleet, config: { access: 'none' } }, async (req) => {
    const rows = await fleetOf(sql, administeredOrganisations(requireAdmin(req)));
    return fleetView(rows, o.minGatewayVersion);
  });

  // A new password, shown once; the old one stops working and a connected session is dropped.
  app.post('/api/v1/gateways/:id/rotate', { schema: schema.rotate, config: { access: 'none' } }, async (req) => {
    const u = requireAdmin(req);
    const id = gatewayId(req.params.id);
    const password = newSecret();
    const org = await rotateGatewaySecret(sql, id, hashSecret(password), administeredOrganisations(u));
    if (!org) throw notFound(`gateway ${id}`);
    app.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.rotate', target: id, ip: req.ip });
    return { id, mqtt: { username: id, password } };
  });

  app.post('/api/v1/gateways/:id/revoke', { schema: schema.revoke, config: { access: 'none' } }, async (req, reply) => {
    const u = requireAdmin(req);
    const id = gatewayId(req.params.id);
    const org = await revokeGateway(sql, id, administeredOrganisations(u));
    if (!org) throw notFound(`gateway ${id}`);
    app.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.revoke', target: id, ip: req.ip });
    return reply.code(204).send(null);
  });
};
