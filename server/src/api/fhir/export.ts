/**
 * FHIR Bulk Data export (issue 17): kick-off for one patient (`Patient/{id}/$export`) or for an
 * organisation's patients the caller may see (`Group/{organisationId}/$export`), over a period
 * (`_since`) and types (`_type`); 202 with Content-Location of the status URL; status polling with
 * X-Progress; NDJSON files streamed from the database (interop/bulk-export.ts). Kick-off audits
 * each patient, each download audits each patient of the file; a job is its requester's alone.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { AppError, badRequest, notFound, unauthorized } from '../../errors.ts';
import { rangeOf } from '../../fhir/search.ts';
import { isUuid } from '../../ids.ts';
import { EXPORT_TYPES, type ExportType, fileLines } from '../../interop/bulk-export.ts';
import { audit } from '../../storage/repos/audit.ts';
import { visibleToCaller } from '../../storage/repos/fhir.ts';
import {
  cancelExport,
  createExport,
  type ExportRow,
  findExportOf,
  organisationPatientsOfClient,
  organisationPatientsVisibleTo,
} from '../../storage/repos/fhir-exports.ts';
import { OperationOutcome } from './schemas.ts';
import { scopeAllows } from './scopes.ts';

const FHIR_ERRORS = { '4xx': OperationOutcome, '5xx': OperationOutcome } as const;
const Accepted = Type.Null({ description: 'accepted: Content-Location names the status URL' });

const KickOffQuery = Type.Object(
  {
    _type: Type.Optional(
      Type.String({ maxLength: 100, description: 'Patient,Observation,Device (default all three)' }),
    ),
    _since: Type.Optional(Type.String({ maxLength: 40, description: 'only readings received since (FHIR instant)' })),
    _outputFormat: Type.Optional(Type.String({ maxLength: 40, description: 'application/fhir+ndjson (the only one)' })),
  },
  { additionalProperties: false },
);
const Id = Type.String({ maxLength: 64 });

const kickOff = (summary: string) => ({
  summary,
  tags: ['fhir'],
  params: Type.Object({ id: Id }, { additionalProperties: false }),
  querystring: KickOffQuery,
  response: { 202: Accepted, ...FHIR_ERRORS },
});

const statusSchema = {
  summary: 'Bulk export status: 202 with X-Progress while running, 200 with the manifest when complete',
  tags: ['fhir'],
  params: Type.Object({ jobId: Id }, { additionalProperties: false }),
  response: {
    200: Type.Object({ transactionTime: Type.String(), request: Type.String() }, { additionalProperties: true }),
    202: Accepted,
    ...FHIR_ERRORS,
  },
};

const cancelSchema = {
  summary: 'Cancel a bulk export',
  tags: ['fhir'],
  params: Type.Object({ jobId: Id }, { additionalProperties: false }),
  response: { 202: Accepted, ...FHIR_ERRORS },
};

const fileSchema = {
  summary: 'One NDJSON file of a complete bulk export',
  tags: ['fhir'],
  params: Type.Object(
    { jobId: Id, n: Type.Integer({ minimum: 0, maximum: 100_000 }) },
    { additionalProperties: false },
  ),
  response: {
    200: Type.Unsafe<Readable>({ type: 'string', description: 'application/fhir+ndjson, streamed' }),
    ...FHIR_ERRORS,
  },
};

function requester(req: FastifyRequest) {
  if (!req.user && !req.apiClient) throw unauthorized();
  return { userId: req.user?.id ?? null, clientId: req.apiClient?.id ?? null };
}

function typesOf(raw: string | undefined, req: FastifyRequest): ExportType[] {
  const types = raw ? raw.split(',').map((s) => s.trim()) : [...EXPORT_TYPES];
  const unknown = types.filter((t) => !(EXPORT_TYPES as readonly string[]).includes(t));
  if (unknown.length)
    throw badRequest(`_type ${unknown.join(',')} is not exported here; use ${EXPORT_TYPES.join(',')}`);
  if (req.apiClient) {
    const refused = types.filter((t) => !scopeAllows(req.apiClient!.scopes, t));
    if (refused.length) throw new AppError('forbidden', `this API client has no scope to read ${refused.join(', ')}`);
  }
  return [...new Set(types)] as ExportType[];
}

function sinceOf(raw: string | undefined): Date | null {
  if (!raw) return null;
  try {
    return rangeOf(raw).start;
  } catch {
    throw badRequest(`_since ${raw} is not a FHIR instant (2026-11-01T00:00:00Z)`);
  }
}

export const exportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;
  const statusUrl = (req: FastifyRequest, id: string) => `${req.protocol}://${req.host}/fhir/R4/$export-status/${id}`;

  const start = async (
    req: FastifyRequest,
    patientIds: string[],
    q: { _type?: string; _since?: string; _outputFormat?: string },
  ) => {
    if (q._outputFormat && !['application/fhir+ndjson', 'application/ndjson', 'ndjson'].includes(q._outputFormat))
      throw badRequest('_outputFormat: only application/fhir+ndjson is produced');
    const who = requester(req);
    const job = await createExport(sql, {
      id: randomUUID(),
      ...who,
      organisationId: req.apiClient?.organisationId ?? null,
      requestUrl: `${req.protocol}://${req.host}${req.url}`,
      patientIds: [...patientIds].sort(),
      types: typesOf(q._type, req),
      since: sinceOf(q._since),
    });
    for (const p of patientIds)
      await audit(sql, {
        ...(who.userId ? { userId: who.userId } : { organisationId: req.apiClient!.organisationId }),
        patientId: p,
        action: 'fhir.export',
        target: job.id,
        ...(who.clientId ? { detail: { apiClientId: who.clientId } } : {}),
        ip: req.ip,
      });
    return job;
  };

  app.get(
    '/Patient/:id/$export',
    {
      schema: kickOff('Bulk export of one patient (FHIR Bulk Data): 202 and the status URL'),
      config: { access: { patient: 'params.id', need: 'read', audit: 'fhir.export.kick-off' } },
    },
    async (req, reply) => {
      const job = await start(req, [checkedPatient(req).id], req.query);
      return reply.code(202).header('content-location', statusUrl(req, job.id)).send(null);
    },
  );

  app.get(
    '/Group/:id/$export',
    {
      schema: kickOff('Bulk export of the patients of an organisation (its id) that the caller may see'),
      config: { access: 'visible-list' },
    },
    async (req, reply) => {
      const orgId = req.params.id.toLowerCase();
      if (!isUuid(orgId)) throw notFound('Group');
      requester(req);
      const patients = req.apiClient
        ? await organisationPatientsOfClient(sql, orgId, req.apiClient.id, req.apiClient.clearance)
        : await organisationPatientsVisibleTo(sql, orgId, req.user!.id);
      if (patients.length === 0) throw notFound('Group');
      const job = await start(req, patients, req.query);
      return reply.code(202).header('content-location', statusUrl(req, job.id)).send(null);
    },
  );

  const jobOf = async (req: FastifyRequest, jobId: string): Promise<ExportRow> => {
    const job = isUuid(jobId) ? await findExportOf(sql, jobId.toLowerCase(), requester(req)) : undefined;
    if (!job) throw notFound('export');
    return job;
  };

  app.get('/$export-status/:jobId', { schema: statusSchema, config: { access: 'none' } }, async (req, reply) => {
    const job = await jobOf(req, req.params.jobId);
    const total = job.patient_ids.length;
    if (job.status === 'failed') throw new AppError('internal', job.error ?? 'the export failed');
    if (job.status === 'cancelled') throw notFound('export');
    if (job.status !== 'complete') {
      const pct = total ? Math.floor((job.done_patients / total) * 100) : 0;
      return reply
        .code(202)
        .header('x-progress', `${pct}% (${job.done_patients} of ${total} patients)`)
        .header('retry-after', '1')
        .send(null);
    }
    const base = `${req.protocol}://${req.host}/fhir/R4`;
    return {
      transactionTime: job.until.toISOString(),
      request: job.request_url,
      requiresAccessToken: true,
      output: job.files.map((f, n) => ({ type: f.type, url: `${base}/$export-file/${job.id}/${n}` })),
      error: [],
    };
  });

  app.delete('/$export-status/:jobId', { schema: cancelSchema, config: { access: 'none' } }, async (req, reply) => {
    const job = await jobOf(req, req.params.jobId);
    await cancelExport(sql, job.id);
    return reply.code(202).send(null);
  });

  app.get('/$export-file/:jobId/:n', { schema: fileSchema, config: { access: 'none' } }, async (req, reply) => {
    const job = await jobOf(req, req.params.jobId);
    const file = job.status === 'complete' ? job.files[req.params.n] : undefined;
    if (!file) throw notFound('export file');
    // What the caller may see now, not only at kick-off.
    const visible = await visibleToCaller(
      sql,
      req.user?.id ?? null,
      req.apiClient ? { id: req.apiClient.id, clearance: req.apiClient.clearance } : null,
      file.patients,
    );
    for (const p of visible)
      await audit(sql, {
        ...(req.user ? { userId: req.user.id } : { organisationId: req.apiClient!.organisationId }),
        patientId: p,
        action: 'fhir.export.download',
        target: `${job.id}/${req.params.n}`,
        ...(req.apiClient ? { detail: { apiClientId: req.apiClient.id } } : {}),
        ip: req.ip,
      });
    const lines = fileLines(sql, job, { type: file.type, patients: visible });
    return reply.header('content-type', 'application/fhir+ndjson').send(Readable.from(lines));
  });
};
