/**
 * The FHIR R4 read API at /fhir/R4 (issue 17; schemas in ./schemas.ts; mapping in ../../fhir/).
 *
 * Same bearer token and same access rule as /api/: every route declares its access in its
 * config and the access core (access/plugin.ts) enforces and audits it, for a signed-in user or
 * for an API client's access token (set here, FHIR only). Answers are `application/fhir+json`;
 * every error, including the access core's 404 for a patient the caller may not see, is an
 * OperationOutcome (this scope's error handler).
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { checkedPatient } from '../../access/plugin.ts';
import { hashSecret } from '../../auth/secrets.ts';
import { AppError, notFound, unauthorized } from '../../errors.ts';
import { capabilityStatement } from '../../fhir/capability.ts';
import { isBpMetric } from '../../fhir/codes.ts';
import { observationId, parseDeviceResourceId } from '../../fhir/ids.ts';
import { compareGroups, groupReadings, toObservation, toObservations } from '../../fhir/observation.ts';
import {
  type IssueCode,
  operationOutcome,
  searchset,
  toDevice,
  toGatewayDevice,
  toPatient,
} from '../../fhir/resources.ts';
import { boundsOf, type Cursor, decodeCursor, encodeCursor, metricsOfCodes, SearchError } from '../../fhir/search.ts';
import { findClientToken } from '../../storage/repos/api-clients.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  deviceByHash,
  gatewayByHash,
  patientsOfDevice,
  readingsOfObservation,
  readingsPage,
  visibleToCaller,
} from '../../storage/repos/fhir.ts';
import { tokenOf } from '../auth/session.ts';
import { exportRoutes } from './export.ts';
import * as schema from './schemas.ts';
import { scopeAllows } from './scopes.ts';
import { tokenRoutes } from './token.ts';

export const FHIR_BASE = '/fhir/R4';
export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const ISSUE_OF_STATUS: Record<number, IssueCode> = { 400: 'invalid', 401: 'login', 403: 'forbidden', 404: 'not-found' };

/** This server's FHIR base URL as the caller reached it (for fullUrl and links). */
export function baseOf(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}${FHIR_BASE}`;
}

function fhirError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  reply.header('content-type', FHIR_JSON);
  if (err instanceof SearchError) return reply.code(400).send(operationOutcome(err.issue, err.message));
  if (err instanceof AppError && err.status < 500)
    return reply.code(err.status).send(operationOutcome(ISSUE_OF_STATUS[err.status] ?? 'invalid', err.message));
  if (err.validation) return reply.code(400).send(operationOutcome('invalid', err.message));
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
    return reply.code(err.statusCode).send(operationOutcome(ISSUE_OF_STATUS[err.statusCode] ?? 'invalid', err.message));
  req.log.error({ err }, 'FHIR request failed');
  return reply.code(500).send(operationOutcome('exception', 'internal error; the server log has the detail', 'fatal'));
}

/** Refuses a client whose scopes do not cover reading this resource type (a user reads as the access rule allows). */
function requireScope(req: FastifyRequest, resourceType: string) {
  if (req.apiClient && !scopeAllows(req.apiClient.scopes, resourceType))
    throw new AppError(
      'forbidden',
      `this API client has no scope to read ${resourceType}: ask for patient/${resourceType}.read`,
    );
}

function requireCaller(req: FastifyRequest) {
  if (!req.user && !req.apiClient)
    throw unauthorized(
      'send Authorization: Bearer <token>: a session token or an API client access token (POST /fhir/R4/auth/token)',
    );
}

export const fhirRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  app.setErrorHandler(fhirError);
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .header('content-type', FHIR_JSON)
      .send(
        operationOutcome(
          'not-found',
          `no FHIR interaction ${req.method} ${req.url.split('?')[0]?.slice(0, 200)} here; see ${FHIR_BASE}/metadata`,
        ),
      ),
  );

  // An API client's access token (the auth plugin already looked for a session with it).
  app.addHook('onRequest', async (req) => {
    if (req.user) return;
    const token = tokenOf(req);
    if (!token || !req.headers.authorization) return;
    const c = await findClientToken(sql, hashSecret(token));
    if (c)
      req.apiClient = { id: c.client_id, organisationId: c.organisation_id, clearance: c.clearance, scopes: c.scopes };
  });
  // `patient=Patient/{id}` is the same as `patient={id}`: the access core reads the bare id.
  app.addHook('preValidation', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (q && typeof q.patient === 'string' && q.patient.startsWith('Patient/')) q.patient = q.patient.slice(8);
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json'))
      reply.header('content-type', FHIR_JSON);
    return payload;
  });

  app.get('/metadata', { schema: schema.metadata, config: { access: 'none' } }, async (req) =>
    capabilityStatement(baseOf(req), { version: '0.1.0' }),
  );

  app.get(
    '/Patient/:id',
    { schema: schema.patient, config: { access: { patient: 'params.id', need: 'read', audit: 'fhir.read' } } },
    async (req) => {
      requireScope(req, 'Patient');
      return toPatient(checkedPatient(req));
    },
  );

  app.get(
    '/Observation/:id',
    {
      schema: schema.observation,
      config: { access: { item: 'observation', id: 'params.id', need: 'read', audit: 'fhir.read' } },
    },
    async (req) => {
      requireScope(req, 'Observation');
      const rows = await readingsOfObservation(sql, req.params.id);
      const group = groupReadings(rows)[0];
      // The id names a whole Observation: its anchor, not another pressure of the same cuff inflation.
      if (!group || observationId(group.anchor) !== req.params.id) throw notFound('Observation');
      return toObservation(group);
    },
  );

  app.get(
    '/Observation',
    {
      schema: schema.observationSearch,
      config: {
        access: { patient: 'query.patient', need: 'read', audit: { action: 'fhir.search', target: 'query.patient' } },
      },
    },
    async (req, reply) => {
      requireScope(req, 'Observation');
      const q = req.query;
      const patient = checkedPatient(req);
      const count = q._count ?? 100;
      const metrics = q.code ? metricsOfCodes(q.code) : undefined;
      const filter = {
        patientId: patient.id,
        ...(metrics ? { metrics } : {}),
        time: (q.date ?? []).flatMap((d) => boundsOf('date', d)),
        received: (q._lastUpdated ?? []).flatMap((d) => boundsOf('_lastUpdated', d)),
      };
      const cursor: Cursor | undefined = q._cursor ? decodeCursor(q._cursor) : undefined;
      // A blood pressure takes three readings: read a quarter more rows than Observations wanted
      // (a page of mostly blood pressures holds fewer than `count`, which FHIR allows).
      const rowsWanted = !metrics || metrics.some(isBpMetric) ? Math.ceil(count * 1.25) : count;
      const { rows, more } = await readingsPage(sql, filter, cursor?.time, rowsWanted);
      let groups = groupReadings(rows);
      if (cursor) groups = groups.filter((g) => compareGroups(g, cursor) > 0);
      const page = groups.slice(0, count);
      const last = page.at(-1);
      const base = baseOf(req);
      const self = `${base}/Observation?${new URLSearchParams(req.url.split('?')[1] ?? '').toString()}`;
      let next: string | undefined;
      if (last && (groups.length > count || more)) {
        const params = new URLSearchParams(req.url.split('?')[1] ?? '');
        params.set('patient', patient.id);
        params.set('_count', String(count));
        params.set('_cursor', encodeCursor({ time: last.time, anchor: last.anchor }));
        next = `${base}/Observation?${params.toString()}`;
      }
      const pageRows = page.flatMap((g) => g.rows);
      // Serialised here: a page of a thousand Observations is a megabyte, and the route's schema
      // (a resourceType and anything) would only make the serialiser walk it again.
      return reply
        .type(FHIR_JSON)
        .send(JSON.stringify(searchset(base, toObservations(pageRows), { self, ...(next ? { next } : {}) })));
    },
  );

  app.get('/Device/:id', { schema: schema.device, config: { access: 'visible-list' } }, async (req) => {
    requireCaller(req);
    requireScope(req, 'Device');
    const parsed = parseDeviceResourceId(req.params.id);
    if (!parsed) throw notFound('Device');
    const found =
      parsed.kind === 'device'
        ? await deviceByHash(sql, parsed.hash).then((d) => d && { id: d.id, resource: toDevice(d) })
        : await gatewayByHash(sql, parsed.hash).then((g) => g && { id: g.id, resource: toGatewayDevice(g) });
    // A device is visible when it was ever bound to a patient the caller may see.
    const patients = found ? await patientsOfDevice(sql, parsed.kind, found.id) : [];
    const visible = patients.length ? await visibleToCaller(sql, req.user?.id ?? null, req.apiClient, patients) : [];
    const who = req.apiClient
      ? { organisationId: req.apiClient.organisationId, detail: { apiClientId: req.apiClient.id } }
      : { userId: req.user!.id };
    if (!found || visible.length === 0) {
      await audit(sql, {
        ...who,
        action: 'access.denied',
        target: `Device/${req.params.id}`.slice(0, 200),
        ...(req.apiClient ? {} : { detail: { route: `GET ${req.routeOptions.url}`, status: 404 } }),
        ip: req.ip,
      });
      throw notFound('Device');
    }
    await audit(sql, {
      ...who,
      patientId: visible[0]!,
      action: 'fhir.read',
      target: `Device/${req.params.id}`,
      ip: req.ip,
    });
    return found.resource;
  });

  await app.register(tokenRoutes);
  await app.register(exportRoutes);
};
