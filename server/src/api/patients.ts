/** Patients: registration, listing, readings and latest values. Care-team scoped, audited. */
import { isMetric, isValidTimeZone, METRICS } from '@vitals/contract';
import type { FastifyInstance } from 'fastify';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { bucketSecondsFor, resolutionLabel } from '../queries/resolution.ts';
import { audit } from '../storage/repos/audit.ts';
import {
  addCareTeamMember,
  createPatient,
  defaultClearance,
  findVisiblePatient,
  listVisiblePatients,
  type PatientRow,
} from '../storage/repos/patients.ts';
import { bucketPoints, latestOfPatient, latestOfPatients, moreRawThan, rawPoints } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';
import { normaliseName } from '../text/display-name.ts';
import { requireUser } from './auth.ts';
import type { AuthUser } from './context.ts';

const MAX_RANGE_MS = 5 * 366 * 86_400_000;

export function patientJson(p: PatientRow) {
  return {
    id: p.id,
    displayName: p.display_name,
    ...(p.birth_date ? { birthDate: p.birth_date } : {}),
    timezone: p.timezone,
    organisationId: p.organisation_id,
  };
}

/** The patient, if the user is on its care team; 404 otherwise (existence is not revealed). */
export async function visiblePatient(sql: Sql, user: AuthUser, id: string): Promise<PatientRow> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('patient');
  const p = await findVisiblePatient(sql, user.id, id);
  if (!p) throw notFound('patient');
  return p;
}

function parseTime(s: unknown, name: string, fallback: Date): Date {
  if (s === undefined) return fallback;
  const t = typeof s === 'string' ? Date.parse(s) : Number.NaN;
  if (Number.isNaN(t)) throw badRequest(`${name} must be an ISO 8601 time, got ${JSON.stringify(s)}`);
  return new Date(t);
}

export async function patientRoutes(app: FastifyInstance) {
  const { sql } = app.deps;

  app.post(
    '/api/v1/patients',
    {
      schema: {
        body: {
          type: 'object',
          required: ['displayName'],
          additionalProperties: false,
          properties: {
            displayName: { type: 'string', minLength: 1, maxLength: 200 },
            birthDate: { type: 'string', format: 'date' },
            timezone: { type: 'string', minLength: 1, maxLength: 64 },
            organisationId: { type: 'string', format: 'uuid' },
          },
        },
      },
    },
    async (req, reply) => {
      const u = requireUser(req);
      const body = req.body as { displayName: string; birthDate?: string; timezone?: string; organisationId?: string };
      const org = body.organisationId
        ? u.memberships.find((m) => m.organisationId === body.organisationId)
        : u.memberships[0];
      if (!org) throw forbidden('you can register patients only for an organisation you belong to');
      if (body.timezone && !isValidTimeZone(body.timezone)) throw badRequest(`unknown timezone ${body.timezone}`);
      const displayName = normaliseName(body.displayName, 'displayName');
      const id = await sql.transaction(async (tx) => {
        const pid = await createPatient(tx, {
          displayName,
          ...(body.birthDate ? { birthDate: body.birthDate } : {}),
          ...(body.timezone ? { timezone: body.timezone } : {}),
          organisationId: org.organisationId,
          createdBy: u.id,
        });
        // DOMAIN.md: the person who registers a patient joins that patient's care team.
        await addCareTeamMember(tx, {
          patientId: pid,
          userId: u.id,
          teamRole: u.profession === 'physician' ? 'attending' : 'lead',
          clearance: defaultClearance(u.profession),
          addedBy: u.id,
        });
        await audit(tx, {
          userId: u.id,
          organisationId: org.organisationId,
          patientId: pid,
          action: 'patient.create',
          ip: req.ip,
        });
        return pid;
      });
      const p = await visiblePatient(sql, u, id);
      return reply.code(201).send(patientJson(p));
    },
  );

  app.get('/api/v1/patients', async (req) => {
    const u = requireUser(req);
    const list = await listVisiblePatients(sql, u.id);
    return list.map(patientJson);
  });

  app.get('/api/v1/patients/:id', async (req) => {
    const u = requireUser(req);
    const p = await visiblePatient(sql, u, (req.params as { id: string }).id);
    await audit(sql, { userId: u.id, patientId: p.id, action: 'patient.read', ip: req.ip });
    return patientJson(p);
  });

  app.get('/api/v1/patients/:id/latest', async (req) => {
    const u = requireUser(req);
    const p = await visiblePatient(sql, u, (req.params as { id: string }).id);
    await audit(sql, { userId: u.id, patientId: p.id, action: 'readings.latest', ip: req.ip });
    return { metrics: await latestOfPatient(sql, p.id) };
  });

  app.get(
    '/api/v1/patients/:id/readings',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['metric'],
          additionalProperties: false,
          properties: {
            metric: { type: 'string', maxLength: 64 },
            from: { type: 'string', maxLength: 64 },
            to: { type: 'string', maxLength: 64 },
            maxPoints: { type: 'integer', minimum: 1, maximum: 10_000 },
          },
        },
      },
    },
    async (req) => {
      const u = requireUser(req);
      const p = await visiblePatient(sql, u, (req.params as { id: string }).id);
      const q = req.query as { metric: string; from?: string; to?: string; maxPoints?: number };
      if (!isMetric(q.metric))
        throw badRequest(`unknown metric ${JSON.stringify(q.metric)}; known: ${Object.keys(METRICS).join(', ')}`);
      const to = parseTime(q.to, 'to', new Date());
      const from = parseTime(q.from, 'from', new Date(to.getTime() - 86_400_000));
      if (from >= to) throw badRequest('from must be before to');
      if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badRequest('the range may span at most 5 years');
      const maxPoints = q.maxPoints ?? 1000;
      await audit(sql, { userId: u.id, patientId: p.id, action: 'readings.read', target: q.metric, ip: req.ip });
      const unit = METRICS[q.metric].unit;
      if (!(await moreRawThan(sql, p.id, q.metric, from, to, maxPoints)))
        return { metric: q.metric, unit, resolution: 'raw', points: await rawPoints(sql, p.id, q.metric, from, to) };
      const bucket = bucketSecondsFor(to.getTime() - from.getTime(), maxPoints);
      return {
        metric: q.metric,
        unit,
        resolution: resolutionLabel(bucket),
        points: await bucketPoints(sql, p.id, q.metric, from, to, bucket),
      };
    },
  );

  app.get('/api/v1/wall', async (req) => {
    const u = requireUser(req);
    const list = await listVisiblePatients(sql, u.id);
    const latest = await latestOfPatients(
      sql,
      list.map((p) => p.id),
    );
    if (list.length > 0)
      await sql.query(
        `INSERT INTO audit_log (user_id, patient_id, action, ip) SELECT $1, unnest($2::uuid[]), 'readings.latest', $3`,
        [u.id, list.map((p) => p.id), req.ip],
      );
    return {
      patients: list.map((p) => ({
        id: p.id,
        displayName: p.display_name,
        timezone: p.timezone,
        metrics: latest.get(p.id) ?? {},
      })),
    };
  });
}
