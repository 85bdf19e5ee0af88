/**
 * NEWS2 (Royal College of Physicians, National Early Warning Score 2, 2017), computed from
 * the parameters a home has. Consciousness (ACVPU) and "air or oxygen" are rarely measured
 * at home: they are listed as missing and scored as "alert" and "air" (0 points), so the
 * score is a lower bound and says so (docs/alerts.md).
 */
import { PRIORITY_RANK, type Priority } from './rules.ts';

export interface News2Input {
  respiratory_rate?: number;
  spo2?: number;
  bp_systolic?: number;
  pulse_rate?: number;
  body_temperature?: number;
  /** true when the patient is on supplemental oxygen; unknown counts as air. */
  onOxygen?: boolean;
  /** SpO2 scale 2 for hypercapnic respiratory failure (target 88–92 %). */
  scale2?: boolean;
}

export interface News2Result {
  score: number;
  parameters: Record<string, number>;
  missing: string[];
  /** Any single parameter scored 3 (RCP: "low–medium" clinical risk). */
  redScore: boolean;
  priority: Priority | null;
}

const MEASURED = ['respiratory_rate', 'spo2', 'bp_systolic', 'pulse_rate', 'body_temperature'] as const;
/** NEWS2 is not computed from fewer parameters than this. */
export const NEWS2_MIN_PARAMETERS = 3;

function rr(v: number): number {
  if (v <= 8) return 3;
  if (v <= 11) return 1;
  if (v <= 20) return 0;
  if (v <= 24) return 2;
  return 3;
}

function spo2Scale1(v: number): number {
  if (v <= 91) return 3;
  if (v <= 93) return 2;
  if (v <= 95) return 1;
  return 0;
}

function spo2Scale2(v: number, onOxygen: boolean): number {
  if (v <= 83) return 3;
  if (v <= 85) return 2;
  if (v <= 87) return 1;
  if (v <= 92 || !onOxygen) return 0;
  if (v <= 94) return 1;
  if (v <= 96) return 2;
  return 3;
}

function systolic(v: number): number {
  if (v <= 90) return 3;
  if (v <= 100) return 2;
  if (v <= 110) return 1;
  if (v <= 219) return 0;
  return 3;
}

function pulse(v: number): number {
  if (v <= 40) return 3;
  if (v <= 50) return 1;
  if (v <= 90) return 0;
  if (v <= 110) return 1;
  if (v <= 130) return 2;
  return 3;
}

function temperature(v: number): number {
  if (v <= 35.0) return 3;
  if (v <= 36.0) return 1;
  if (v <= 38.0) return 0;
  if (v <= 39.0) return 1;
  return 2;
}

/** Points of one measured parameter; null for a metric NEWS2 does not use. */
export function scoreParameter(
  metric: string,
  v: number,
  x: { scale2?: boolean; onOxygen?: boolean } = {},
): number | null {
  const r = Math.round(v * 10) / 10;
  switch (metric) {
    case 'respiratory_rate':
      return rr(Math.round(r));
    case 'spo2':
      return x.scale2 ? spo2Scale2(Math.round(r), x.onOxygen === true) : spo2Scale1(Math.round(r));
    case 'bp_systolic':
      return systolic(Math.round(r));
    case 'pulse_rate':
      return pulse(Math.round(r));
    case 'body_temperature':
      return temperature(r);
    default:
      return null;
  }
}

/** Null when fewer than NEWS2_MIN_PARAMETERS are available. */
export function news2(x: News2Input): News2Result | null {
  const parameters: Record<string, number> = {};
  const missing: string[] = [];
  for (const m of MEASURED) {
    const v = x[m];
    if (v === undefined || !Number.isFinite(v)) missing.push(m);
    else parameters[m] = scoreParameter(m, v, x)!;
  }
  if (Object.keys(parameters).length < NEWS2_MIN_PARAMETERS) return null;
  parameters.air_or_oxygen = x.onOxygen ? 2 : 0;
  if (x.onOxygen === undefined) missing.push('air_or_oxygen');
  parameters.consciousness = 0;
  missing.push('consciousness');
  const score = Object.values(parameters).reduce((a, b) => a + b, 0);
  const redScore = Object.values(parameters).some((p) => p === 3);
  // RCP NEWS2 chart 2: ≥7 high, 5–6 medium, a single 3 low–medium (mapped to low here).
  const priority: Priority | null = score >= 7 ? 'high' : score >= 5 ? 'medium' : redScore ? 'low' : null;
  return { score, parameters, missing, redScore, priority };
}

/** A stretch of measurement time during which the score was in an alert band. */
export interface News2Episode {
  onset: number;
  /** The last scored time inside the episode. */
  last: number;
  priority: Priority;
  /** The score at `last`, and the highest score with its parameters. */
  lastScore: number;
  worst: News2Result;
  /** The first scored time back out of every band, when the episode ended. */
  clearedAt?: number;
}

/**
 * Episodes of a score series in measurement-time order (a backlog is scored at each of its
 * sample times, so an episode inside it is found, not only the score at its end).
 */
export function news2Episodes(scored: readonly { t: number; r: News2Result | null }[]): News2Episode[] {
  const out: News2Episode[] = [];
  let ep: News2Episode | null = null;
  for (const { t, r } of scored) {
    if (r?.priority) {
      if (!ep) ep = { onset: t, last: t, priority: r.priority, lastScore: r.score, worst: r };
      ep.last = t;
      ep.lastScore = r.score;
      if (PRIORITY_RANK[r.priority] > PRIORITY_RANK[ep.priority]) ep.priority = r.priority;
      if (r.score > ep.worst.score) ep.worst = r;
    } else if (ep) {
      ep.clearedAt = t;
      out.push(ep);
      ep = null;
    }
  }
  if (ep) out.push(ep);
  return out;
}
