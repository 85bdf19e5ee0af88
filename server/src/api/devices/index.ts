/**
 * Devices: a device taken to another home is re-registered at that home's gateway (issue 11,
 * item 1); readings of it from the old gateway are refused from now on. Schemas in ./schemas.ts;
 * who may register or move a device in ./registration.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isDeviceId, isGatewayId } from '@vitals/contract';
import { notFound } from '../../errors.ts';
import { findGatewayOf } from '../../storage/repos/gateways.ts';
import { requireAdmin } from '../auth/session.ts';
import { administeredOrganisations } from '../organisation-scope.ts';
import { auditMove, tellGateways } from './moves.ts';
import { registerDevice } from './registration.ts';
import * as schema from './schemas.ts';

export const deviceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post('/api/v1/devices/:id/move', { schema: schema.move, config: { access: 'none' } }, async (req) => {
    const u = requireAdmin(req);
    const deviceId = req.params.id;
    if (!isDeviceId(deviceId)) throw notFound(`device ${deviceId}`);
    const { gatewayId } = req.body;
    const orgs = administeredOrganisations(u);
    const gateway = isGatewayId(gatewayId) ? await findGatewayOf(sql, gatewayId, orgs) : undefined;
    if (!gateway) throw notFound(`gateway ${gatewayId}`);
    const device = await sql.transaction(async (tx) => {
      const d = await registerDevice(tx, { deviceId, organisationIds: orgs, gateway });
      await auditMove(tx, { userId: u.id, ip: req.ip }, deviceId, d);
      return d;
    });
    await tellGateways(device, (g) => app.publishGatewayConfig(g));
    return {
      id: deviceId,
      organisationId: device.organisationId,
      gatewayId,
      ...(device.movedFrom ? { movedFrom: device.movedFrom } : {}),
    };
  });
};
