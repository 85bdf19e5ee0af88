/**
 * Patients: registration, listing, readings, latest values and the wall display (schemas in
 * ./schemas.ts). Care-team scoped (./access.ts), every read of patient data audited.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isMetric, isValidTimeZone, METRICS } from '@vitals/contract';
import { checkedGrant, checkedPatient } from '../../access/plugin.ts';
import { AppError, badRequest, forbidden } from '../../errors.ts';
import { bucketSecondsFor, resolutionLabel } from '../../queries/resolution.ts';
import { audit, auditPatients } from '../../storage/repos/audit.ts';
import { devicesOfPatient } from '../../storage/repos/bound-devices.ts';
import {
  addCareTeamMember,
  createPatient,
  defaultClearance,
  findVisiblePatient,
  listVisiblePatients,
  lockPatient,
  type PatientChanges,
  type PatientRow,
  updatePatient,
} from '../../storage/repos/patients.ts';
import {
  bucketPoints,
  latestOfPatient,
  latestOfPatients,
  moreRawThan,
  rawPoints,
} from '../../storage/repos/readings.ts';
import { normaliseName } from '../../text/display-name.ts';
import { requireUser } from '../auth/session.ts';
import { type AuthUser, patientNameFor } from '../context.ts';
import * as schema from './schemas.ts';

const MAX_RANGE_MS = 5 * 366 * 86_400_000;
const DEFAULT_MAX_POINTS = 1000;

/** `viewer`: the caller, whose display may show initials only (patientNameFor). */
export function patientJson(p: PatientRow, viewer?: AuthUser | null) {
  return {
    id: p.id,
    displayName: patientNameFor(viewer, p.display_name),
    ...(p.birth_date ? { birthDate: p.birth_date } : {}),
    timezone: p.timezone,
    organisationId: p.organisation_id,
    spo2Scale: p.spo2_scale === 2 ? (2 as const) : (1 as const),
    vitalsSensitivity: p.vitals_sensitivity,
    ...(p.area ? { area: p.area } : {}),
  };
}

function parseTime(s: string | undefined, name: string, fallback: Date): Date {
  if (s === undefined) return fallback;
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw badRequest(`${name} must be an ISO 8601 time, got ${JSON.stringify(s)}`);
  return new Date(t);
}

export const patientRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post('/api/v1/patients', { schema: schema.create, config: { access: 'none' } }, async (req, reply) => {
    const u = requireUser(req);
    const body = req.body;
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
        ...(body.area?.trim() ? { area: body.area.trim() } : {}),
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
    const p = await findVisiblePatient(sql, u.id, id);
    if (!p) throw new AppError('internal', 'the patient just registered is not visible to its registrant');
    return reply.code(201).send(patientJson(p));
  });

  app.get('/api/v1/patients', { schema: schema.list, config: { access: 'visible-list' } }, async (req) => {
    const u = requireUser(req);
    const list = await listVisiblePatients(sql, u.id);
    return list.map((p) => patientJson(p, req.user));
  });

  app.get(
    '/api/v1/patients/:id',
    { schema: schema.one, config: { access: { patient: 'params.id', need: 'read', audit: 'patient.read' } } },
    async (req) => patientJson(checkedPatient(req), req.user),
  );

  app.get(
    '/api/v1/patients/:id/latest',
    { schema: schema.latest, config: { access: { patient: 'params.id', need: 'read', audit: 'readings.latest' } } },
    async (req) => ({ metrics: await latestOfPatient(sql, checkedPatient(req).id) }),
  );

  app.get(
    '/api/v1/patients/:id/devices',
    { schema: schema.devices, config: { access: { patient: 'params.id', need: 'read', audit: 'devices.read' } } },
    async (req) => ({
      devices: (await devicesOfPatient(sql, checkedPatient(req).id, new Date())).map((d) => ({
        id: d.device_id,
        ...(d.model ? { model: d.model } : {}),
        ...(d.label ? { label: d.label } : {}),
        boundFrom: d.bound_from.toISOString(),
        ...(d.last_seen ? { lastSeenAt: d.last_seen.toISOString() } : {}),
        ...(d.battery_at
          ? {
              battery: {
                ...(d.battery_level !== null ? { level: d.battery_level } : {}),
                low: d.battery_low ?? false,
                at: d.battery_at.toISOString(),
              },
            }
          : {}),
        ...(d.gateway_id
          ? {
              gateway: {
                id: d.gateway_id,
                state:
                  d.gateway_state === 'online' || d.gateway_state === 'offline'
                    ? d.gateway_state
                    : ('unknown' as const),
                ...(d.gateway_since ? { since: d.gateway_since.toISOString() } : {}),
              },
            }
          : {}),
      })),
    }),
  );

  /**
   * Name and timezone are the record's housekeeping: the attending physician or the team lead.
   * The SpO2 scale is a prescription and the vitals sensitivity decides who sees them: the
   * attending physician alone.
   */
  app.patch(
    '/api/v1/patients/:id',
    { schema: schema.change, config: { access: { patient: 'params.id', need: 'lead' } } },
    async (req) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
      const physicianOnly = (['spo2Scale', 'vitalsSensitivity'] as const).filter((k) => b[k] !== undefined);
      if (physicianOnly.length > 0 && checkedGrant(req).teamRole !== 'attending')
        throw forbidden(
          `only the attending physician of this patient can change ${physicianOnly.join(' and ')}; ask them to`,
        );
      if (b.timezone !== undefined && !isValidTimeZone(b.timezone))
        throw badRequest(`timezone must be an IANA time zone such as Asia/Tokyo, got ${JSON.stringify(b.timezone)}`);
      const changes: PatientChanges = {
        ...(b.displayName !== undefined ? { displayName: normaliseName(b.displayName, 'displayName') } : {}),
        ...(b.timezone !== undefined ? { timezone: b.timezone } : {}),
        ...(b.spo2Scale !== undefined ? { spo2Scale: b.spo2Scale } : {}),
        ...(b.vitalsSensitivity !== undefined ? { vitalsSensitivity: b.vitalsSensitivity } : {}),
        ...(b.area !== undefined ? { area: b.area === null ? null : b.area.trim() || null } : {}),
      };
      const after = await sql.transaction(async (tx) => {
        const before = await lockPatient(tx, p.id);
        if (!before) throw new AppError('not_found', 'patient not found');
        await updatePatient(tx, p.id, changes);
        const changed = (await lockPatient(tx, p.id))!;
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'patient.update',
          detail: { before: patientJson(before), after: patientJson(changed) },
          ip: req.ip,
        });
        return changed;
      });
      app.events.publish('patient.changed', { patientId: p.id });
      return patientJson(after);
    },
  );

  const readingsAccess = {
    patient: 'params.id',
    need: 'read',
    audit: { action: 'readings.read', target: 'query.metric' },
  } as const;
  app.get(
    '/api/v1/patients/:id/readings',
    { schema: schema.readings, config: { access: readingsAccess } },
    async (req) => {
      const p = checkedPatient(req);
      const q = req.query;
      const metric = q.metric;
      if (!isMetric(metric))
        throw badRequest(`unknown metric ${JSON.stringify(metric)}; known: ${Object.keys(METRICS).join(', ')}`);
      const to = parseTime(q.to, 'to', new Date());
      const from = parseTime(q.from, 'from', new Date(to.getTime() - 86_400_000));
      if (from >= to) throw badRequest('from must be before to');
      if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badRequest('the range may span at most 5 years');
      const maxPoints = q.maxPoints ?? DEFAULT_MAX_POINTS;
      const unit = METRICS[metric].unit;
      if (!(await moreRawThan(sql, p.id, metric, from, to, maxPoints)))
        return { metric, unit, resolution: 'raw', points: await rawPoints(sql, p.id, metric, from, to) };
      const bucket = bucketSecondsFor(to.getTime() - from.getTime(), maxPoints);
      return {
        metric,
        unit,
        resolution: resolutionLabel(bucket),
        points: await bucketPoints(sql, p.id, metric, from, to, bucket),
      };
    },
  );

  app.get('/api/v1/wall', { schema: schema.wall, config: { access: 'visible-list' } }, async (req) => {
    const u = requireUser(req);
    const list = await listVisiblePatients(sql, u.id);
    const ids = list.map((p) => p.id);
    const latest = await latestOfPatients(sql, ids);
    await auditPatients(sql, { userId: u.id, patientIds: ids, action: 'readings.latest', ip: req.ip });
    return {
      patients: list.map((p) => ({
        id: p.id,
        displayName: patientNameFor(u, p.display_name),
        ...(p.area ? { area: p.area } : {}),
        timezone: p.timezone,
        metrics: latest.get(p.id) ?? {},
      })),
    };
  });
};
