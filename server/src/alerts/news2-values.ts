/**
 * What NEWS2 is scored from at given times, for the alert engine and the API alike: the latest
 * value (or ACVPU code) of each parameter within the hour before the time, a continuous monitor's
 * value only once it has held for two minutes (`settledValue`), the patient's SpO2 scale.
 */
import { seriesOf, valuesNear } from '../storage/repos/alert-readings.ts';
import type { Sql } from '../storage/sql.ts';
import {
  NEWS2_METRICS,
  NEWS2_SETTLE_MS,
  NEWS2_WINDOW_MS,
  type News2Input,
  scoreParameter,
  settledValue,
} from './news2.ts';
import { isContinuous, MAX_CONTINUOUS_GAP_MS, UNFIT_FLAGS } from './rules.ts';

/** Parameters a continuous monitor measures (oximeter, heart-rate strap, respiration sensor). */
const SETTLING_METRICS = new Set(['spo2', 'pulse_rate', 'respiratory_rate']);

export interface News2Values {
  input: News2Input;
  /** Measurement time of the value each metric was scored from. */
  times: Map<string, Date>;
}

export interface News2Due {
  patientId: string;
  /** Times to score at, oldest first. */
  samples: Date[];
  spo2Scale: 1 | 2;
}

export const news2Key = (patientId: string, at: Date) => `${patientId}|${at.getTime()}`;

/** The inputs of every due patient at every sample time, keyed by `news2Key`. */
export async function news2ValuesAt(sql: Sql, due: readonly News2Due[]): Promise<Map<string, News2Values>> {
  const near = await valuesNear(
    sql,
    due.flatMap((d) => d.samples.map((at) => ({ patientId: d.patientId, at }))),
    [...NEWS2_METRICS],
    NEWS2_WINDOW_MS,
    [...UNFIT_FLAGS],
  );
  const out = new Map<string, News2Values>();
  for (const { patientId, samples, spo2Scale } of due) {
    const runs = new Map<string, { time: number; value: number }[]>();
    const from = new Date(samples[0]!.getTime() - NEWS2_SETTLE_MS - MAX_CONTINUOUS_GAP_MS);
    for (const metric of SETTLING_METRICS) {
      const continuousSomewhere = samples.some((at) =>
        near.get(news2Key(patientId, at))?.some((v) => v.metric === metric && v.continuous),
      );
      if (!continuousSomewhere) continue;
      const rows = await seriesOf(sql, patientId, metric, from);
      runs.set(
        metric,
        rows
          .filter((r) => isContinuous(r.flags) && !r.flags?.some((f) => UNFIT_FLAGS.has(f)))
          .map((r) => ({ time: r.time.getTime(), value: r.value })),
      );
    }
    for (const at of samples) {
      const values = near.get(news2Key(patientId, at)) ?? [];
      const input: News2Input = { spo2Scale };
      const times = new Map<string, Date>();
      const flow = values.find((v) => v.metric === 'inhaled_oxygen_flow')?.value;
      const onOxygen = flow === null || flow === undefined ? undefined : flow > 0;
      for (const v of values) {
        if (v.metric === 'consciousness') {
          if (v.code !== null) {
            input.consciousness = v.code;
            times.set(v.metric, v.time);
          }
          continue;
        }
        if (v.value === null || !(v.metric in METRIC_FIELD)) continue;
        let value = v.value;
        let time = v.time;
        const run = v.continuous ? runs.get(v.metric) : undefined;
        if (run) {
          const settled = settledValue(
            run,
            at.getTime(),
            (x) => scoreParameter(v.metric, x, { spo2Scale, ...(onOxygen !== undefined ? { onOxygen } : {}) }),
            MAX_CONTINUOUS_GAP_MS,
          );
          // Not settled yet: the parameter is missing (a lower-bound score), never a transient.
          if (!settled) continue;
          value = settled.value;
          time = new Date(settled.time);
        }
        input[METRIC_FIELD[v.metric]!] = value;
        times.set(v.metric, time);
      }
      out.set(news2Key(patientId, at), { input, times });
    }
  }
  return out;
}

const METRIC_FIELD: Record<
  string,
  'respiratory_rate' | 'spo2' | 'bp_systolic' | 'pulse_rate' | 'body_temperature' | 'inhaled_oxygen_flow'
> = {
  respiratory_rate: 'respiratory_rate',
  spo2: 'spo2',
  bp_systolic: 'bp_systolic',
  pulse_rate: 'pulse_rate',
  body_temperature: 'body_temperature',
  inhaled_oxygen_flow: 'inhaled_oxygen_flow',
};
