/**
 * A patient's NEWS2 as the alert engine scores it (alerts/news2.ts, alerts/evaluate.ts): the
 * latest device reading or observation of each parameter within the hour before `at`, the
 * patient's SpO2 scale; unknown parameters are missing, never assumed normal.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { news2Input } from '../../alerts/evaluate.ts';
import { NEWS2_METRIC, NEWS2_METRICS, NEWS2_PARAMETERS, NEWS2_WINDOW_MS, news2 } from '../../alerts/news2.ts';
import { UNFIT_FLAGS } from '../../alerts/rules.ts';
import { valuesNear } from '../../storage/repos/alert-readings.ts';
import * as schema from './schemas.ts';

export const news2Routes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/patients/:id/news2',
    { schema: schema.one, config: { access: { patient: 'params.id', need: 'read', audit: 'news2.read' } } },
    async (req) => {
      const p = checkedPatient(req);
      const at = req.query.at !== undefined ? new Date(req.query.at) : new Date();
      const near =
        (await valuesNear(sql, [{ patientId: p.id, at }], [...NEWS2_METRICS], NEWS2_WINDOW_MS, [...UNFIT_FLAGS])).get(
          `${p.id}|${at.getTime()}`,
        ) ?? [];
      const spo2Scale = p.spo2_scale === 2 ? (2 as const) : (1 as const);
      const r = news2(news2Input(near, spo2Scale));
      const timeOf = new Map(near.map((v) => [v.metric, v.time.toISOString()]));
      const parameters: Record<string, { value: number | string; score: number; time: string }> = {};
      for (const name of NEWS2_PARAMETERS) {
        const scored = r.parameters[name];
        if (scored) parameters[name] = { ...scored, time: timeOf.get(NEWS2_METRIC[name]) ?? at.toISOString() };
      }
      return {
        score: r.score,
        band: r.band,
        partial: r.partial,
        missing: r.missing,
        parameters,
        spo2Scale,
        time: at.toISOString(),
      };
    },
  );
};
