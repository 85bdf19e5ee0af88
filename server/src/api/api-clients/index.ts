/**
 * API clients for machines (issue 17; schemas in ./schemas.ts): an organisation administrator
 * creates a client limited to chosen patients (their care teams), scopes and a clearance; the
 * secret is shown once and can be rotated; revoking ends its tokens at once. The client trades
 * id and secret for a short-lived access token at /fhir/R4/auth/token (api/fhir/token.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { hashSecret, newSecret } from '../../auth/secrets.ts';
import { badRequest, notFound } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import {
  type ApiClientRow,
  createApiClient,
  findApiClientOf,
  listApiClients,
  patientsOfOrganisations,
  revokeApiClient,
  rotateApiClientSecret,
} from '../../storage/repos/api-clients.ts';
import { audit } from '../../storage/repos/audit.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import { baseOf } from '../fhir/index.ts';
import { isScope } from '../fhir/scopes.ts';
import * as schema from './schemas.ts';

const orgAdmin = { access: { organisationAdmin: 'params.orgId' as const } };

function clientJson(c: ApiClientRow) {
  return {
    id: c.id,
    organisationId: c.organisation_id,
    name: c.name,
    scopes: c.scopes,
    clearance: c.clearance,
    patientIds: c.patient_ids,
    createdAt: c.created_at.toISOString(),
    secretRotatedAt: c.secret_rotated_at.toISOString(),
    ...(c.revoked_at ? { revokedAt: c.revoked_at.toISOString() } : {}),
  };
}

export const apiClientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  const clientOf = async (orgId: string, id: string): Promise<ApiClientRow> => {
    const c = isUuid(id) ? await findApiClientOf(sql, id.toLowerCase(), [orgId]) : undefined;
    if (!c) throw notFound('API client');
    return c;
  };
  const tokenUrl = (req: FastifyRequest) => `${baseOf(req)}/auth/token`;

  app.post(
    '/api/v1/organisations/:orgId/api-clients',
    { schema: schema.create, config: orgAdmin },
    async (req, reply) => {
      const u = requireUser(req);
      const { orgId } = req.params;
      const b = req.body;
      const badScopes = b.scopes.filter((s) => !isScope(s));
      if (badScopes.length)
        throw badRequest(
          `unknown scopes ${badScopes.join(', ')}: use patient/Observation.read, patient/Patient.read, patient/Device.read or patient/*.read`,
        );
      const wanted = [...new Set(b.patientIds.map((p) => p.toLowerCase()))];
      const ours = await patientsOfOrganisations(sql, wanted, [orgId]);
      if (ours.length !== wanted.length)
        throw badRequest(
          `${wanted.length - ours.length} of the patients are not patients this organisation registered: a client may read only those`,
        );
      const secret = newSecret();
      const id = randomUUID();
      await sql.transaction(async (tx) => {
        await createApiClient(tx, {
          id,
          organisationId: orgId,
          name: normaliseName(b.name, 'name'),
          scopes: [...new Set(b.scopes)],
          clearance: b.clearance ?? 'team',
          secretHash: hashSecret(secret),
          patientIds: ours,
          createdBy: u.id,
        });
        await audit(tx, {
          userId: u.id,
          organisationId: orgId,
          action: 'api-client.create',
          target: id,
          detail: { scopes: b.scopes, clearance: b.clearance ?? 'team', patients: ours.length },
          ip: req.ip,
        });
      });
      const c = (await findApiClientOf(sql, id, [orgId]))!;
      return reply.code(201).send({ ...clientJson(c), secret, tokenUrl: tokenUrl(req) });
    },
  );

  app.get('/api/v1/organisations/:orgId/api-clients', { schema: schema.list, config: orgAdmin }, async (req) =>
    (await listApiClients(sql, [req.params.orgId])).map(clientJson),
  );

  app.post(
    '/api/v1/organisations/:orgId/api-clients/:id/rotate',
    { schema: schema.rotate, config: orgAdmin },
    async (req) => {
      const u = requireUser(req);
      const c = await clientOf(req.params.orgId, req.params.id);
      if (c.revoked_at) throw badRequest('this API client was revoked; create a new one');
      const secret = newSecret();
      await rotateApiClientSecret(sql, c.id, hashSecret(secret));
      await audit(sql, {
        userId: u.id,
        organisationId: c.organisation_id,
        action: 'api-client.rotate',
        target: c.id,
        ip: req.ip,
      });
      return {
        ...clientJson((await findApiClientOf(sql, c.id, [c.organisation_id]))!),
        secret,
        tokenUrl: tokenUrl(req),
      };
    },
  );

  app.post(
    '/api/v1/organisations/:orgId/api-clients/:id/revoke',
    { schema: schema.revoke, config: orgAdmin },
    async (req, reply) => {
      const u = requireUser(req);
      const c = await clientOf(req.params.orgId, req.params.id);
      await revokeApiClient(sql, c.id);
      await audit(sql, {
        userId: u.id,
        organisationId: c.organisation_id,
        action: 'api-client.revoke',
        target: c.id,
        ip: req.ip,
      });
      return reply.code(204).send(null);
    },
  );
};
