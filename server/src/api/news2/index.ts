/**
 * A patient's NEWS2 as the alert engine scores it (alerts/news2.ts, alerts/evaluate.ts): the
 * latest device reading or observation of each parameter within the hour before `at` (a continuous
 * monitor's once it has held for two minutes), the patient's SpO2 scale; unknown parameters are
 * missing, never assumed normal.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { checkedPatient } from '../../access/plugin.ts';
import { NEWS2_METRIC, NEWS2_PARAMETERS, news2 } from '../../alerts/news2.ts';
import { news2Key, news2ValuesAt } from '../../alerts/news2-values.ts';
import * as schema from './schemas.ts';

export const news2Routes: FastifyPluginAsyncTypebox = async (app) => {
  const { sql } = app;

  app.get(
    '/api/v1/patients/:id/news2',
    { schema: schema.one, config: { access: { patient: 'params.id', need: 'read', audit: 'news2.read' } } },
    async (req) => {
      const p = checkedPatient(req);
      const at = req.query.at !== undefined ? new Date(req.query.at) : new Date();
      const spo2Scale = p.spo2_scale === 2 ? (2 as const) : (1 as const);
      const values = (await news2ValuesAt(sql, [{ patientId: p.id, samples: [at], spo2Scale }])).get(
        news2Key(p.id, at),
      );
      const r = news2(values?.input ?? { spo2Scale });
      const parameters: Record<string, { value: number | string; score: number; time: string }> = {};
      for (const name of NEWS2_PARAMETERS) {
        const scored = r.parameters[name];
        if (scored) parameters[name] = { ...scored, time: (values?.times.get(NEWS2_METRIC[name]) ?? at).toISOString() };
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
