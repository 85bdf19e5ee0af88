/**
 * Observations (schemas in ./schemas.ts): what a member of the care team measured or assessed
 * at a visit, stored as the patient's readings with the recorder named, so that the alert rules
 * and NEWS2 judge them like device readings (docs/alerts.md, "How NEWS2 is assembled"). A
 * correction is a new observation that supersedes an earlier one; nothing is edited in place.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isCodedMetric, isMetric, METRICS, type Metric, retentionProblem, valueProblem } from '@vitals/contract';
import type { Static } from 'typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { AppError, badRequest, notFound } from '../../errors.ts';
import { audit } from '../../storage/repos/audit.ts';
import {
  insertObservation,
  listObservations,
  lockObservation,
  markSuperseded,
  type ObservationReadingRow,
  type ObservationRow,
  type ObservedValue,
} from '../../storage/repos/observations.ts';
import { recordObservationItem } from '../../timeline/system-items.ts';
import { requireUser } from '../auth/session.ts';
import * as schema from './schemas.ts';

/** What a visit measures or assesses (issue 14). */
export const OBSERVABLE_METRICS: readonly Metric[] = [
  'bp_systolic',
  'bp_diastolic',
  'pulse_rate',
  'spo2',
  'inhaled_oxygen_flow',
  'respiratory_rate',
  'body_temperature',
  'consciousness',
  'pain_score',
  'body_weight',
  'glucose',
];
const OBSERVABLE = new Set<string>(OBSERVABLE_METRICS);
const DEFAULT_RANGE_MS = 30 * 86_400_000;
const MAX_RANGE_MS = 366 * 86_400_000;

type Observation = Static<typeof schema.Observation>;

function observationJson(o: ObservationRow, readings: readonly ObservationReadingRow[]): Observation {
  return {
    id: o.id,
    patientId: o.patient_id,
    time: o.time.toISOString(),
    recordedAt: o.recorded_at.toISOString(),
    recordedBy: { id: o.recorded_by, displayName: o.recorder_name },
    source: 'observation',
    ...(o.supersedes ? { supersedes: o.supersedes } : {}),
    ...(o.superseded_by ? { supersededBy: o.superseded_by } : {}),
    readings: readings.map((r) => ({
      id: r.id,
      metric: r.metric,
      ...(r.value !== null ? { value: r.value } : {}),
      ...(r.code !== null ? { code: r.code } : {}),
      unit: r.unit,
    })),
  };
}

/** The body's readings as stored values, or a 400 naming the first wrong field. */
function observedValues(readings: Static<typeof schema.NewObservation>['readings']): ObservedValue[] {
  const seen = new Set<string>();
  return readings.map((r, i) => {
    const field = `readings[${i}]`;
    if (!isMetric(r.metric) || !OBSERVABLE.has(r.metric))
      throw badRequest(
        `${field}.metric ${JSON.stringify(r.metric)} cannot be recorded as an observation; use one of ${OBSERVABLE_METRICS.join(', ')}`,
      );
    const metric = r.metric;
    if (seen.has(metric))
      throw badRequest(`${field}.metric ${metric} appears twice; record one value per metric in an observation`);
    seen.add(metric);
    const coded = isCodedMetric(metric);
    if (coded && r.code === undefined) throw badRequest(`${field}.code is required for ${metric}`);
    if (!coded && r.value === undefined) throw badRequest(`${field}.value is required for ${metric}`);
    const problem = valueProblem(metric, r.value, r.code);
    if (problem) throw badRequest(`${field}: ${problem}`);
    return {
      metric,
      unit: METRICS[metric].unit,
      ...(r.value !== undefined ? { value: r.value } : {}),
      ...(r.code !== undefined ? { code: r.code } : {}),
    };
  });
}

export const observationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.post(
    '/api/v1/patients/:id/observations',
    { schema: schema.create, config: { access: { patient: 'params.id', need: 'write' } } },
    async (req, reply) => {
      const u = requireUser(req);
      const p = checkedPatient(req);
      const b = req.body;
      const values = observedValues(b.readings);
      const now = Date.now();
      const window = app.ingest.timeWindow(now);
      const checkTime = (t: Date) => {
        if (t.getTime() > window.now + window.maxAheadMs)
          throw badRequest(
            `time ${t.toISOString()} is in the future (the server's clock says ${new Date(now).toISOString()}); record what was measured, when it was measured`,
          );
        if (t.getTime() < window.earliest)
          throw badRequest(
            `time ${t.toISOString()} is before ${new Date(window.earliest).toISOString()}, the earliest time kept`,
          );
      };
      if (b.time !== undefined) checkTime(new Date(b.time));
      for (const v of values) {
        const kept = window.keptSince?.(v.metric as Metric);
        const t = b.time !== undefined ? Date.parse(b.time) : now;
        if (kept != null && t < kept) throw badRequest(retentionProblem(new Date(t).toISOString(), v.metric, kept));
      }
      const id = randomUUID();
      const { observation, rows } = await sql.transaction(async (tx) => {
        let time = b.time !== undefined ? new Date(b.time) : new Date(now);
        if (b.supersedes !== undefined) {
          const earlier = await lockObservation(tx, p.id, b.supersedes);
          if (!earlier) throw notFound(`observation ${b.supersedes} of this patient`);
          if (earlier.superseded_by)
            throw new AppError(
              'conflict',
              `observation ${b.supersedes} was already corrected by ${earlier.superseded_by}; supersede that one instead`,
            );
          // A correction is of what was measured then, unless it says otherwise.
          if (b.time === undefined) time = earlier.time;
          await markSuperseded(tx, p.id, earlier.id);
          await audit(tx, {
            userId: u.id,
            patientId: p.id,
            action: 'observation.supersede',
            target: earlier.id,
            detail: { supersededBy: id },
            ip: req.ip,
          });
        }
        const rows = await insertObservation(tx, {
          id,
          patientId: p.id,
          time,
          recordedBy: u.id,
          ...(b.supersedes !== undefined ? { supersedes: b.supersedes } : {}),
          readings: values,
        });
        await audit(tx, {
          userId: u.id,
          patientId: p.id,
          action: 'observation.record',
          target: id,
          detail: { time: time.toISOString(), readings: values, ...(b.supersedes ? { supersedes: b.supersedes } : {}) },
          ip: req.ip,
        });
        // The timeline shows it, written with it (issue 15).
        const item = await recordObservationItem(tx, {
          observationId: id,
          patientId: p.id,
          time,
          recordedBy: u.id,
          ...(b.supersedes !== undefined ? { supersedes: b.supersedes } : {}),
          readings: values,
        });
        if (item) app.events.publish('timeline.posted', item, { tx });
        const observation = (await lockObservation(tx, p.id, id))!;
        return { observation, rows };
      });
      // The same consumers as ingest's commits: the alert rules and NEWS2 judge them.
      app.readingsStored(rows);
      return reply.code(201).send(
        observationJson(
          observation,
          rows.map((r) => ({ id: r.id, batch_id: id, metric: r.metric, value: r.value, code: r.code, unit: r.unit })),
        ),
      );
    },
  );

  app.get(
    '/api/v1/patients/:id/observations',
    { schema: schema.list, config: { access: { patient: 'params.id', need: 'read', audit: 'observations.read' } } },
    async (req) => {
      const p = checkedPatient(req);
      const to = req.query.to !== undefined ? new Date(req.query.to) : new Date();
      const from = req.query.from !== undefined ? new Date(req.query.from) : new Date(to.getTime() - DEFAULT_RANGE_MS);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
        throw badRequest('from and to must be ISO 8601 times');
      if (from >= to) throw badRequest('from must be before to');
      if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badRequest('the range may span at most 366 days');
      const list = await listObservations(sql, p.id, from, to);
      return { observations: list.map((x) => observationJson(x.observation, x.readings)) };
    },
  );
};
