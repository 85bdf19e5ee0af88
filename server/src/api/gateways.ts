/** Gateways with their MQTT credentials, and device bindings. */
import { isDeviceId, isGatewayId } from '@vitals/contract';
import type { FastifyInstance } from 'fastify';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { AppError, badRequest, notFound } from '../errors.ts';
import { audit } from '../storage/repos/audit.ts';
import { createBinding } from '../storage/repos/bindings.ts';
import { listDeadLetters } from '../storage/repos/dead-letters.ts';
import {
  createGateway,
  ensureDevice,
  findGateway,
  listGateways,
  revokeGateway,
  rotateGatewaySecret,
} from '../storage/repos/gateways.ts';
import { requireAdmin, requireUser } from './auth.ts';
import { visiblePatient } from './patients.ts';

export async function gatewayRoutes(app: FastifyInstance) {
  const { sql } = app.deps;

  app.post(
    '/api/v1/gateways',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { id: { type: 'string', maxLength: 63 }, label: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (req, reply) => {
      const u = requireAdmin(req);
      const body = (req.body ?? {}) as { id?: string; label?: string };
      const id =
        body.id ??
        `gw-${newSecret(6)
          .toLowerCase()
          .replace(/[^a-z0-9]/g, '0')}`;
      if (!isGatewayId(id))
        throw badRequest(`gateway id must match [a-z0-9][a-z0-9-]{2,62}, got ${JSON.stringify(id)}`);
      const password = newSecret();
      const org = u.memberships.find((m) => m.role === 'admin')!.organisationId;
      const created = await createGateway(sql, {
        id,
        ...(body.label ? { label: body.label } : {}),
        secretHash: hashSecret(password),
        organisationId: org,
      });
      if (!created) throw new AppError('conflict', `gateway ${id} already exists`);
      await audit(sql, { userId: u.id, organisationId: org, action: 'gateway.create', target: id, ip: req.ip });
      // The password is shown once; only its hash is kept.
      return reply
        .code(201)
        .send({ id, ...(body.label ? { label: body.label } : {}), mqtt: { username: id, password } });
    },
  );

  app.get('/api/v1/gateways', async (req) => {
    requireAdmin(req);
    return listGateways(sql);
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
    if (!(await rotateGatewaySecret(sql, id, hashSecret(password)))) throw notFound(`gateway ${id}`);
    app.deps.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, action: 'gateway.rotate', target: id, ip: req.ip });
    return { id, mqtt: { username: id, password } };
  });

  app.post('/api/v1/gateways/:id/revoke', async (req, reply) => {
    const u = requireAdmin(req);
    const id = gatewayParam(req);
    if (!(await findGateway(sql, id))) throw notFound(`gateway ${id}`);
    await revokeGateway(sql, id);
    app.deps.broker.disconnect?.(id);
    await audit(sql, { userId: u.id, action: 'gateway.revoke', target: id, ip: req.ip });
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
      if (b.gatewayId && !(await findGateway(sql, b.gatewayId))) throw notFound(`gateway ${b.gatewayId}`);
      const from = b.from ?? new Date().toISOString();
      const result = await sql.transaction(async (tx) => {
        await ensureDevice(tx, {
          id: b.deviceId,
          ...(b.gatewayId ? { gatewayId: b.gatewayId } : {}),
          ...(b.model ? { model: b.model } : {}),
          ...(b.label ? { label: b.label } : {}),
        });
        const r = await createBinding(tx, { deviceId: b.deviceId, patientId: patient.id, from, createdBy: u.id });
        if (r.overlaps)
          throw new AppError('conflict', `device ${b.deviceId} already has a binding starting at or after ${from}`);
        await audit(tx, {
          userId: u.id,
          patientId: patient.id,
          action: 'binding.create',
          target: b.deviceId,
          detail: { from, attached: r.attached },
          ip: req.ip,
        });
        return r;
      });
      const gw =
        b.gatewayId ??
        (await sql.query<{ gateway_id: string | null }>('SELECT gateway_id FROM devices WHERE id = $1', [b.deviceId]))
          .rows[0]?.gateway_id;
      if (gw) await app.deps.publishGatewayConfig(gw);
      // Readings taken before the paperwork are the patient's now: the rules judge them too
      // (a condition that already ended is recorded as late, not paged).
      if (result.attachedRows.length > 0) app.deps.readingsStored(result.attachedRows);
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
      await audit(sql, { userId: u.id, action: 'dead_letters.read', ip: req.ip });
      return listDeadLetters(sql, { limit: q.limit ?? 100, ...(q.before ? { before: q.before } : {}) });
    },
  );
}
