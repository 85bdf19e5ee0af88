/**
 * When a latest value is too old to act on. Continuous monitors (a pulse oximeter on the finger)
 * send every few seconds, so a few minutes of silence means the probe is off; spot measurements
 * (cuff, thermometer, scale, glucose meter) are taken once or twice a day.
 */
import type { Metric } from '@vitals/contract';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export const STALE_AFTER_MS: Record<Metric, number> = {
  spo2: 5 * MINUTE_MS,
  perfusion_index: 5 * MINUTE_MS,
  respiratory_rate: 5 * MINUTE_MS,
  // Pulse also comes from blood pressure cuffs, so it gets the spot-measurement rule.
  pulse_rate: DAY_MS,
  bp_systolic: DAY_MS,
  bp_diastolic: DAY_MS,
  bp_mean: DAY_MS,
  body_temperature: DAY_MS,
  body_weight: DAY_MS,
  glucose: DAY_MS,
  body_fat: 30 * DAY_MS,
  bmi: 30 * DAY_MS,
  body_height: 365 * DAY_MS,
  // Recorded by a visiting nurse, like spot measurements.
  inhaled_oxygen_flow: DAY_MS,
  pain_score: DAY_MS,
  consciousness: DAY_MS,
};

/** True when the value measured at `timeMs` is older than its metric allows (unreadable times are stale). */
export function isStale(metric: Metric, timeMs: number, nowMs: number): boolean {
  if (!Number.isFinite(timeMs)) return true;
  return nowMs - timeMs > STALE_AFTER_MS[metric];
}
