/**
 * NEWS2 (Royal College of Physicians, National Early Warning Score 2, 2017, chart 1 and 2),
 * computed from what a home has: device readings and the team's observations. A parameter
 * that is not known is never assumed normal: it is listed as missing, the score is the sum of
 * the parameters that could be scored (a lower bound) and says `partial` (docs/alerts.md).
 */
import { PRIORITY_RANK, type Priority } from './rules.ts';

/** The chart's seven parameters, in the chart's order, as the API names them. */
export const NEWS2_PARAMETERS = [
  'respiratoryRate',
  'spo2',
  'airOrOxygen',
  'systolicBloodPressure',
  'pulse',
  'consciousness',
  'temperature',
] as const;
export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

/** The stored metric each parameter is read from. */
export const NEWS2_METRIC: Record<News2Parameter, string> = {
  respiratoryRate: 'respiratory_rate',
  spo2: 'spo2',
  airOrOxygen: 'inhaled_oxygen_flow',
  systolicBloodPressure: 'bp_systolic',
  pulse: 'pulse_rate',
  consciousness: 'consciousness',
  temperature: 'body_temperature',
};

/** NEWS2 uses the latest value of each parameter within this time before the time scored. */
export const NEWS2_WINDOW_MS = 60 * 60_000;

/** Every metric NEWS2 reads. */
export const NEWS2_METRICS: readonly string[] = Object.values(NEWS2_METRIC);

export interface News2Input {
  respiratory_rate?: number;
  spo2?: number;
  bp_systolic?: number;
  pulse_rate?: number;
  body_temperature?: number;
  /** The latest inhaled oxygen flow in L/min (0 = on air); absent = not known. */
  inhaled_oxygen_flow?: number;
  /** The latest ACVPU code; absent = not assessed (never assumed "A"). */
  consciousness?: string;
  /** The SpO2 scale the attending physician prescribed (2: hypercapnic respiratory failure, target 88–92 %). */
  spo2Scale?: 1 | 2;
}

export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';

export interface News2Result {
  /** The sum of the parameters that could be scored; a lower bound when `partial`. */
  score: number;
  band: News2Band;
  partial: boolean;
  /** Parameters that could not be scored, in the chart's order. */
  missing: News2Parameter[];
  /** Value and points of each scored parameter (air or oxygen: the flow in L/min; consciousness: the code). */
  parameters: Partial<Record<News2Parameter, { value: number | string; score: number }>>;
  /** Any single parameter scored 3 (RCP chart 2: "low–medium" clinical risk). */
  redScore: boolean;
  /** The alert priority of the band: high, medium, low for low–medium, none for low. */
  priority: Priority | null;
}

// RCP NEWS2 chart 1, row by row.
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

/** Scale 2: null when the value's row depends on oxygen and oxygen is not known. */
function spo2Scale2(v: number, onOxygen: boolean | undefined): number | null {
  if (v <= 83) return 3;
  if (v <= 85) return 2;
  if (v <= 87) return 1;
  if (v <= 92) return 0;
  if (onOxygen === undefined) return null;
  if (!onOxygen) return 0; // ≥ 93 on air
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

const ACVPU_CODES = new Set(['A', 'C', 'V', 'P', 'U']);

/**
 * Points of one numeric metric; null for a metric NEWS2 does not score this way, or for SpO2
 * on scale 2 at 93 % or more while oxygen is not known. The chart's rows are whole numbers
 * (temperature: tenths), so values are rounded to them first.
 */
export function scoreParameter(
  metric: string,
  v: number,
  x: { spo2Scale?: 1 | 2; onOxygen?: boolean } = {},
): number | null {
  const r = Math.round(v * 10) / 10;
  switch (metric) {
    case 'respiratory_rate':
      return rr(Math.round(r));
    case 'spo2':
      return x.spo2Scale === 2 ? spo2Scale2(Math.round(r), x.onOxygen) : spo2Scale1(Math.round(r));
    case 'bp_systolic':
      return systolic(Math.round(r));
    case 'pulse_rate':
      return pulse(Math.round(r));
    case 'body_temperature':
      return temperature(r);
    case 'inhaled_oxygen_flow':
      return v > 0 ? 2 : 0;
    default:
      return null;
  }
}

const bandOf = (score: number, redScore: boolean): News2Band =>
  score >= 7 ? 'high' : score >= 5 ? 'medium' : redScore ? 'low-medium' : 'low';

const PRIORITY_OF: Record<News2Band, Priority | null> = {
  high: 'high',
  medium: 'medium',
  'low-medium': 'low',
  low: null,
};

/** The score of whatever is known; never null: with nothing known it is 0, partial, everything missing. */
export function news2(x: News2Input): News2Result {
  const parameters: News2Result['parameters'] = {};
  const missing: News2Parameter[] = [];
  const flow = x.inhaled_oxygen_flow;
  const onOxygen = flow === undefined || !Number.isFinite(flow) ? undefined : flow > 0;
  for (const p of NEWS2_PARAMETERS) {
    const metric = NEWS2_METRIC[p];
    if (p === 'consciousness') {
      const code = x.consciousness;
      if (code !== undefined && ACVPU_CODES.has(code)) parameters[p] = { value: code, score: code === 'A' ? 0 : 3 };
      else missing.push(p);
      continue;
    }
    const v = x[metric as keyof News2Input];
    const points =
      typeof v === 'number' && Number.isFinite(v)
        ? scoreParameter(metric, v, {
            ...(x.spo2Scale ? { spo2Scale: x.spo2Scale } : {}),
            ...(onOxygen !== undefined ? { onOxygen } : {}),
          })
        : null;
    if (points === null || typeof v !== 'number') missing.push(p);
    else parameters[p] = { value: v, score: points };
  }
  const scores = Object.values(parameters).map((p) => p.score);
  const score = scores.reduce((a, b) => a + b, 0);
  const redScore = scores.some((s) => s === 3);
  const band = bandOf(score, redScore);
  return { score, band, partial: missing.length > 0, missing, parameters, redScore, priority: PRIORITY_OF[band] };
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

/**
 * How long a continuous monitor's value must have held before NEWS2 counts it: the same two
 * minutes the SpO2 and pulse rules wait, so that a probe moving on a finger (a transient dip)
 * raises neither a threshold alert nor a NEWS2 alert. Spot checks and observations count at once.
 */
export const NEWS2_SETTLE_MS = 120_000;

/**
 * The value of a continuous parameter that has held over the settle window ending at `at`: of the
 * readings in [at - NEWS2_SETTLE_MS, at] and the one holding at the window's start, the one that
 * scores least (the most recent of equals). `null` when the run does not reach back over the whole
 * window (the monitor was put on less than two minutes ago, or a gap longer than `maxGapMs` broke
 * the run): the value has not settled yet and NEWS2 leaves the parameter out rather than guess.
 * `run` is the monitor's readings in time order; those after `at` are ignored.
 */
export function settledValue(
  run: readonly { time: number; value: number }[],
  at: number,
  score: (v: number) => number | null,
  maxGapMs: number,
): { time: number; value: number } | null {
  const start = at - NEWS2_SETTLE_MS;
  let best: { time: number; value: number; score: number } | null = null;
  let reachesStart = false;
  let prev: number | null = null;
  for (const r of run) {
    if (r.time > at) break;
    if (prev !== null && r.time - prev > maxGapMs) {
      // A gap: what came before no longer holds.
      best = null;
      reachesStart = false;
    }
    prev = r.time;
    if (r.time <= start) {
      // The latest reading at or before the start is the value holding when the window opened.
      best = null;
      reachesStart = true;
    }
    const s = score(r.value) ?? 0;
    if (!best || s <= best.score) best = { time: r.time, value: r.value, score: s };
  }
  if (prev === null || at - prev > maxGapMs || !reachesStart || !best) return null;
  return { time: best.time, value: best.value };
}
