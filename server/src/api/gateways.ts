/**
 * Gateways with their MQTT credentials, the devices they read, device bindings and dead letters,
 * each scoped to the caller's organisations: another organisation's gateway or device answers 404
 * (issue 11). Gateways and dead letters are for the administrators of their organisation.
 */
import { isDeviceId, isGatewayId } from '@vitals/contract';
import type { FastifyInstance } from 'fastify';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { audit } from '../storage/repos/audit.ts';
import { createBinding } from '../storage/repos/bindings.ts';
import { listDeadLetters } from '../storage/repos/dead-letters.ts';
import {
  createGateway,
  findGatewayOf,
  listGateways,
  revokeGateway,
  rotateGatewaySecret,
} from '../storage/repos/gateways.ts';
import { normaliseName } from '../text/display-name.ts';
import { requireAdmin, requireUser } from './auth/session.ts';
import type { AuthUser } from './context.ts';
import { registerDevice } from './device-registration.ts';
import { visiblePatient } from './patients/access.ts';

const administered = (u: AuthUser) => u.memberships.filter((m) => m.role === 'admin').map((m) => m.organisationId);
const memberOf = (u: AuthUser) => u.memberships.map((m) => m.organisationId);

export async function gatewayRoutes(app: FastifyInstance) {
  const { sql } = app;

  app.post(
    '/api/v1/gateways',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            id: { type: 'string', maxLength: 63 },
            label: { type: 'string', maxLength: 200 },
            organisationId: { type: 'string', format: 'uuid' },
          },
        },
      },
    },
    async (req, reply) => {
      const u = requireAdmin(req);
      const body = (req.body ?? {}) as { id?: string; label?: string; organisationId?: string };
      const label = body.label === undefined ? undefined : normaliseName(body.label, 'label');
      const id =
        body.id ??
        `gw-${newSecret(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '0')}`;
      if (!isGatewayId(id))
        throw badRequest(`gateway id must match [a-z0-9][a-z0-9-]{2,62}, got ${JSON.stringify(id)}`);
      const password = newSecret();
      const admin = administered(u);
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
    },
  );

  app.get('/api/v1/gateways', async (req) => {
    return listGateways(sql, administered(requireAdmin(req)));
  });

  const gatewayParam = (req: { params: unknown }) => {
    const id = (req.params as { id: string }).id;
    if (!isGatewayId(id)) throw notFound(`gateway ${id}`);
    return id;
  };

  // A new password, shown once; the old one stops working and a connected session is dropped.
  app.post('/api/v1/gateways/:id/rotate', async (req) => {
    const u = requireAdmin(req);
    const id = gatewayParam(req);
    const password = newSecret();
    const org = await rotateGatewaySecret(sql, id, hashSecret(password), administered(u));
    if (!org) throw notFound(`gateway ${id}`);
    app.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.rotate', target: id, ip: req.ip });
    return { id, mqtt: { username: id, password } };
  });

  app.post('/api/v1/gateways/:id/revoke', async (req, reply) => {
    const u = requireAdmin(req);
    const id = gatewayParam(req);
    const org = await revokeGateway(sql, id, administered(u));
    if (!org) throw notFound(`gateway ${id}`);
    app.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.revoke', target: id, ip: req.ip });
    return reply.code(204).send();
  });

  app.post(
    '/api/v1/bindings',
    {
      schema: {
        body: {
          type: 'object',
          required: ['deviceId', 'patientId'],
          additionalProperties: false,
          properties: {
            deviceId: { type: 'string', maxLength: 210 },
            patientId: { type: 'string', format: 'uuid' },
            from: { type: 'string', format: 'date-time' },
            gatewayId: { type: 'string', maxLength: 63 },
            model: { type: 'string', maxLength: 200 },
            label: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const b = req.body as {
        deviceId: string;
        patientId: string;
        from?: string;
        gatewayId?: string;
        model?: string;
        label?: string;
      };
      if (!isDeviceId(b.deviceId))
        throw badRequest(
          `deviceId must be ble:<address lower-case> or serial:<stable id>, got ${JSON.stringify(b.deviceId)}`,
        );
      const patient = await visiblePatient(sql, u, b.patientId);
      const orgs = memberOf(u);
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
        if (device.movedFrom) await auditMove(tx, req.ip, u.id, b.deviceId, device);
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
      await publishConfigs(device);
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

  // A device taken to another home is re-registered at that home's gateway (issue 11, item 1):
  // readings of it from the old gateway are refused from now on. Bindings stay as they are.
  app.post(
    '/api/v1/devices/:id/move',
    {
      schema: {
        body: {
          type: 'object',
          required: ['gatewayId'],
          additionalProperties: false,
          properties: { gatewayId: { type: 'string', maxLength: 63 } },
        },
      },
    },
    async (req) => {
      const u = requireAdmin(req);
      const deviceId = (req.params as { id: string }).id;
      if (!isDeviceId(deviceId)) throw notFound(`device ${deviceId}`);
      const { gatewayId } = req.body as { gatewayId: string };
      const orgs = administered(u);
      const gateway = isGatewayId(gatewayId) ? await findGatewayOf(sql, gatewayId, orgs) : undefined;
      if (!gateway) throw notFound(`gateway ${gatewayId}`);
      const device = await sql.transaction(async (tx) => {
        const d = await registerDevice(tx, { deviceId, organisationIds: orgs, gateway });
        if (d.movedFrom) await auditMove(tx, req.ip, u.id, deviceId, d);
        return d;
      });
      await publishConfigs(device);
      return {
        id: deviceId,
        organisationId: device.organisationId,
        gatewayId,
        ...(device.movedFrom ? { movedFrom: device.movedFrom } : {}),
      };
    },
  );

  async function auditMove(
    tx: typeof sql,
    ip: string,
    userId: string,
    deviceId: string,
    d: { organisationId: string; gatewayId: string | null; movedFrom?: string },
  ) {
    await audit(tx, {
      userId,
      organisationId: d.organisationId,
      action: 'device.move',
      target: deviceId,
      detail: { from: d.movedFrom, to: d.gatewayId },
      ip,
    });
  }

  /** Both homes learn of a move: the new gateway reads the device, the old one stops. */
  async function publishConfigs(d: { gatewayId: string | null; movedFrom?: string }) {
    if (d.gatewayId) await app.publishGatewayConfig(d.gatewayId);
    if (d.movedFrom) await app.publishGatewayConfig(d.movedFrom);
  }

  app.get(
    '/api/v1/dead-letters',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            before: { type: 'integer', minimum: 1 },
          },
        },
      },
    },
    async (req) => {
      const u = requireAdmin(req);
      const q = req.query as { limit?: number; before?: number };
      const orgs = administered(u);
      for (const org of orgs)
        await audit(sql, { userId: u.id, organisationId: org, action: 'dead_letters.read', ip: req.ip });
      return listDeadLetters(sql, {
        organisationIds: orgs,
        limit: q.limit ?? 100,
        ...(q.before ? { before: q.before } : {}),
      });
    },
  );
}
