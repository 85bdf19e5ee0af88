/**
 * Bindings: a device bound to a patient from a time on (schemas in ./schemas.ts). Only for a
 * patient on whose care team the caller is, and a device and gateway of the caller's
 * organisations (issue 11); the device is registered or moved as the binding names.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isDeviceId, isGatewayId } from '@vitals/contract';
import { checkedPatient } from '../../access/plugin.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import { createBinding } from '../../storage/repos/bindings.ts';
import { findGatewayOf } from '../../storage/repos/gateways.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import { auditMove, tellGateways } from '../devices/moves.ts';
import { registerDevice } from '../devices/registration.ts';
import { memberOrganisations } from '../organisation-scope.ts';
import * as schema from './schemas.ts';

export const bindingRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post(
    '/api/v1/bindings',
    { schema: schema.create, config: { access: { patient: 'body.patientId', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body;
      if (!isDeviceId(b.deviceId))
        throw badRequest(
          `deviceId must be ble:<address lower-case> or serial:<stable id>, got ${JSON.stringify(b.deviceId)}`,
        );
      const patient = checkedPatient(req);
      const orgs = memberOrganisations(u);
      const gateway = b.gatewayId && isGatewayId(b.gatewayId) ? await findGatewayOf(sql, b.gatewayId, orgs) : undefined;
      if (b.gatewayId && !gateway) throw notFound(`gateway ${b.gatewayId}`);
      const from = b.from ?? new Date().toISOString();
      const { result, device } = await sql.transaction(async (tx) => {
        const device = await registerDevice(tx, {
          deviceId: b.deviceId,
          organisationIds: orgs,
          ...(gateway ? { gateway } : {}),
          // A new device without a gateway is registered under the patient's organisation when the
          // caller belongs to it, else under the caller's own (a visiting team's equipment).
          ...(orgs.length > 0
            ? { newDeviceOrganisation: orgs.includes(patient.organisation_id) ? patient.organisation_id : orgs[0]! }
            : {}),
          ...(b.model ? { model: b.model } : {}),
          ...(b.label ? { label: normaliseName(b.label, 'label') } : {}),
        });
        const r = await createBinding(tx, { deviceId: b.deviceId, patientId: patient.id, from, createdBy: u.id });
        if (r.overlaps)
          throw new AppError('conflict', `device ${b.deviceId} already has a binding starting at or after ${from}`);
        await auditMove(tx, { userId: u.id, ip: req.ip }, b.deviceId, device);
        await audit(tx, {
          userId: u.id,
          organisationId: device.organisationId,
          patientId: patient.id,
          action: 'binding.create',
          target: b.deviceId,
          detail: {
            from,
            attached: r.attached,
            ...(device.gatewayId ? { gatewayId: device.gatewayId } : {}),
            ...(device.registered ? { registered: true } : {}),
          },
          ip: req.ip,
        });
        return { result: r, device };
      });
      await tellGateways(device, (g) => app.publishGatewayConfig(g));
      // Readings taken before the paperwork are the patient's now: the rules judge them too
      // (a condition that already ended is recorded as late, not paged).
      if (result.attachedRows.length > 0) app.readingsStored(result.attachedRows);
      return reply.code(201).send({
        id: result.binding.id,
        deviceId: result.binding.device_id,
        patientId: result.binding.patient_id,
        from: result.binding.valid_from.toISOString(),
        to: result.binding.valid_to?.toISOString() ?? null,
        attachedReadings: result.attached,
      });
    },
  );
};
