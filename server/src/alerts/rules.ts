/**
 * Alert rules as data and pure functions: readings (already in measurement-time order) in,
 * episodes out. No I/O and no clock: everything is evaluated on measurement time, so a
 * backlog drained after an outage gives the same history as live data (issue 7, "Rules").
 *
 * Bands of one rule are nested (issue 7, "Lifecycle"): a value in the high band also
 * satisfies the medium band, so a rule is one direction ("below" or "above") with one limit
 * per priority, the high limit the most extreme.
 */

import { PRIORITIES, PRIORITY_RANK, type Priority } from '@vitals/contract';

export { PRIORITIES, PRIORITY_RANK, type Priority };
export const higher = (a: Priority, b: Priority): Priority => (PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b);

export interface Limit {
  value: number;
  /** true: the value itself is in the band (≥ / ≤); false: strictly beyond (> / <). */
  inclusive: boolean;
}

export interface ThresholdRule {
  kind: 'threshold';
  id: string;
  metric: string;
  direction: 'below' | 'above';
  bands: Partial<Record<Priority, Limit>>;
  /** How far back past a limit a value must come before the band counts as left. */
  hysteresis: number;
  /** Continuous devices: a band must hold this long before it alarms. Spot checks alarm at once. */
  sustainSeconds: number;
  /** The edge of the normal range the limits were set against; a patient's target range moves them. */
  targetEdge?: number;
}

export interface TrendRule {
  kind: 'trend';
  id: string;
  metric: string;
  /** Alarm when the value rose by at least `rise` over the lowest value in the window. */
  rise: number;
  windowHours: number;
  /** Daily weighings drift by some minutes; this much slack is added to the window. */
  slackHours: number;
  priority: Priority;
  hysteresis: number;
}

export type ReadingRule = ThresholdRule | TrendRule;

/**
 * Adult defaults from issue 7; sources in docs/alerts.md. Rule ids are stable: per-patient
 * overrides, silences and alerts refer to them.
 */
export const DEFAULT_RULES: readonly ReadingRule[] = [
  {
    kind: 'threshold',
    id: 'spo2_low',
    metric: 'spo2',
    direction: 'below',
    // "SpO2 < 90 % (high), 90–92 % (medium)": below 93 is medium, below 90 high.
    bands: { high: { value: 90, inclusive: false }, medium: { value: 93, inclusive: false } },
    hysteresis: 1,
    sustainSeconds: 120,
    targetEdge: 93,
  },
  {
    kind: 'threshold',
    id: 'pulse_high',
    metric: 'pulse_rate',
    direction: 'above',
    bands: { high: { value: 130, inclusive: false }, medium: { value: 110, inclusive: false } },
    hysteresis: 5,
    sustainSeconds: 120,
  },
  {
    kind: 'threshold',
    id: 'pulse_low',
    metric: 'pulse_rate',
    direction: 'below',
    bands: { high: { value: 40, inclusive: false }, medium: { value: 50, inclusive: false } },
    hysteresis: 5,
    sustainSeconds: 120,
  },
  {
    kind: 'threshold',
    id: 'systolic_high',
    metric: 'bp_systolic',
    direction: 'above',
    bands: { high: { value: 180, inclusive: true }, medium: { value: 160, inclusive: true } },
    hysteresis: 5,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'systolic_low',
    metric: 'bp_systolic',
    direction: 'below',
    bands: { high: { value: 90, inclusive: false } },
    hysteresis: 5,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'diastolic_high',
    metric: 'bp_diastolic',
    direction: 'above',
    bands: { high: { value: 110, inclusive: true } },
    hysteresis: 5,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'temperature_high',
    metric: 'body_temperature',
    direction: 'above',
    bands: { high: { value: 39.0, inclusive: true }, medium: { value: 38.0, inclusive: true } },
    hysteresis: 0.3,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'temperature_low',
    metric: 'body_temperature',
    direction: 'below',
    bands: { high: { value: 35.0, inclusive: false } },
    hysteresis: 0.3,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'glucose_low',
    metric: 'glucose',
    direction: 'below',
    bands: { high: { value: 70, inclusive: false } },
    hysteresis: 10,
    sustainSeconds: 0,
  },
  {
    kind: 'threshold',
    id: 'glucose_high',
    metric: 'glucose',
    direction: 'above',
    bands: { medium: { value: 300, inclusive: false } },
    hysteresis: 20,
    sustainSeconds: 0,
  },
  {
    kind: 'trend',
    id: 'weight_gain',
    metric: 'body_weight',
    rise: 2.0,
    windowHours: 72,
    slackHours: 6,
    priority: 'medium',
    hysteresis: 0.5,
  },
];

/** What a doctor may change per patient and rule; every field optional. */
export interface RuleOverride {
  enabled?: boolean;
  bands?: Partial<Record<Priority, number | null>>;
  hysteresis?: number;
  sustainSeconds?: number;
  rise?: number;
  windowHours?: number;
}

/** A patient's target range for a metric (e.g. SpO2 88–92 % for COPD). */
export interface TargetRange {
  low?: number;
  high?: number;
}

export interface PatientRuleSettings {
  overrides: Record<string, RuleOverride>;
  targets: Record<string, TargetRange>;
}

/**
 * The rule as it applies to one patient: the target range moves every limit of the rule by
 * the distance between the patient's edge and the default edge; explicit overrides win.
 * Returns null when the rule is disabled. Throws when an override breaks band nesting.
 */
export function effectiveRule(rule: ReadingRule, s: PatientRuleSettings): ReadingRule | null {
  const o = s.overrides[rule.id] ?? {};
  if (o.enabled === false) return null;
  if (rule.kind === 'trend') {
    return {
      ...rule,
      ...(o.rise !== undefined ? { rise: o.rise } : {}),
      ...(o.windowHours !== undefined ? { windowHours: o.windowHours } : {}),
      ...(o.hysteresis !== undefined ? { hysteresis: o.hysteresis } : {}),
    };
  }
  const target = s.targets[rule.metric];
  const edge = rule.direction === 'below' ? target?.low : target?.high;
  const shift = rule.targetEdge !== undefined && edge !== undefined ? edge - rule.targetEdge : 0;
  const bands: Partial<Record<Priority, Limit>> = {};
  for (const p of PRIORITIES) {
    const base = rule.bands[p];
    const over = o.bands?.[p];
    if (over === null) continue;
    if (over !== undefined) bands[p] = { value: over, inclusive: base?.inclusive ?? rule.direction === 'above' };
    else if (base) bands[p] = { value: round(base.value + shift), inclusive: base.inclusive };
  }
  const r: ThresholdRule = {
    ...rule,
    bands,
    ...(o.hysteresis !== undefined ? { hysteresis: o.hysteresis } : {}),
    ...(o.sustainSeconds !== undefined ? { sustainSeconds: o.sustainSeconds } : {}),
  };
  const problem = nestingProblem(r);
  if (problem) throw new Error(problem);
  return r;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** Null when the bands are nested (high the most extreme), otherwise what is wrong. */
export function nestingProblem(r: ThresholdRule): string | null {
  const present = PRIORITIES.filter((p) => r.bands[p]).reverse(); // high first
  for (let i = 1; i < present.length; i++) {
    const outer = r.bands[present[i - 1]!]!.value;
    const inner = r.bands[present[i]!]!.value;
    const ok = r.direction === 'below' ? outer <= inner : outer >= inner;
    if (!ok)
      return `${r.id}: the ${present[i - 1]} limit (${outer}) must be ${r.direction === 'below' ? 'at or below' : 'at or above'} the ${present[i]} limit (${inner}); bands are nested`;
  }
  if (present.length === 0) return `${r.id}: at least one band needs a limit (or disable the rule)`;
  return null;
}

/** Flags that make a reading unfit for alarming: not a patient value, or one the device doubts. */
export const UNFIT_FLAGS: ReadonlySet<string> = new Set([
  'intermediate',
  'control_solution',
  'demonstration_data',
  'test_data',
  'measurement_ongoing',
  'early_estimate',
  'calibration_ongoing',
  'measurement_unavailable',
  'questionable_measurement',
  'invalid_measurement',
  'equipment_malfunction',
  'sensor_unconnected',
  'sensor_displaced',
  'sensor_malfunction',
  'sensor_disconnected',
  'no_sensor_contact',
  'result_above_range',
  'result_below_range',
  // Server-side: an observation a later one corrected (storage/repos/observations.ts).
  'superseded',
]);

export interface SeriesPoint {
  time: number; // ms since epoch, measurement time
  value: number;
  deviceId: string;
  /** The device declared the reading part of a continuous stream (the `continuous` flag, see `isContinuous`). */
  continuous: boolean;
  /** The reading was just stored (as opposed to history loaded for context). */
  fresh?: boolean;
}

export interface Episode {
  ruleId: string;
  /** Measurement time the condition began (first value in its band). */
  onset: number;
  /** Measurement time the alarm condition was met (onset, or onset + sustain). */
  firedAt: number;
  priority: Priority;
  /** Value that reached the highest band (the most extreme for threshold rules). */
  worstValue: number;
  lastValue: number;
  lastTime: number;
  /** Measurement time of the first value clear of every band, when the episode ended. */
  clearedAt?: number;
  /** The episode contains a fresh reading (or its clearing reading is fresh). */
  touchesFresh: boolean;
}

/** Gaps longer than this break a continuous run (a sensor taken off and put back on). */
export const MAX_CONTINUOUS_GAP_MS = 60_000;

/**
 * The device declares continuity: the gateway flags readings of a continuous monitor (PLX
 * Continuous, a serial oximeter's stream, a heart-rate strap) `continuous` (CONTRACT.md). Persistence
 * is judged by that flag alone, never by how readings happen to arrive: the first reading of a
 * continuous oximeter arrives alone and must not be taken for a spot check, and spot checks sent
 * close together stay spot checks.
 */
export const isContinuous = (flags: readonly string[] | null | undefined): boolean =>
  flags?.includes('continuous') ?? false;

const inBand = (r: ThresholdRule, l: Limit, v: number) =>
  r.direction === 'below' ? (l.inclusive ? v <= l.value : v < l.value) : l.inclusive ? v >= l.value : v > l.value;

/** Still inside the band once hysteresis is allowed for: leaving takes `hysteresis` more. */
const nearBand = (r: ThresholdRule, l: Limit, v: number) =>
  inBand(
    r,
    { value: r.direction === 'below' ? l.value + r.hysteresis : l.value - r.hysteresis, inclusive: l.inclusive },
    v,
  );

/** The highest band a value is strictly in, if any. */
export function bandOf(r: ThresholdRule, v: number): Priority | null {
  for (const p of [...PRIORITIES].reverse()) {
    const l = r.bands[p];
    if (l && inBand(r, l, v)) return p;
  }
  return null;
}

/** True when a value is clear of every band including hysteresis. */
export function isClear(r: ThresholdRule, v: number): boolean {
  return PRIORITIES.every((p) => {
    const l = r.bands[p];
    return !l || !nearBand(r, l, v);
  });
}

/**
 * Threshold rule over a series (sorted by time). Each band keeps a run: it starts at a value
 * strictly in the band and lasts while values stay within the band's hysteresis. A band
 * alarms when its run is a spot check or has lasted `sustainSeconds` on a continuous device.
 * An episode lasts from the first alarming band to the first value clear of every band.
 */
export function evaluateThreshold(r: ThresholdRule, series: readonly SeriesPoint[]): Episode[] {
  const episodes: Episode[] = [];
  const runs: Partial<Record<Priority, number>> = {};
  let open: Episode | null = null;
  let prevTime = -Infinity;
  let prevContinuous = false;
  for (const pt of series) {
    const v = pt.value;
    if (pt.continuous && prevContinuous && pt.time - prevTime > MAX_CONTINUOUS_GAP_MS) {
      for (const p of PRIORITIES) delete runs[p];
    }
    for (const p of PRIORITIES) {
      const l = r.bands[p];
      if (!l) continue;
      if (runs[p] !== undefined) {
        if (!nearBand(r, l, v)) delete runs[p];
      } else if (inBand(r, l, v)) runs[p] = pt.time;
    }
    let alarming: Priority | null = null;
    let alarmOnset = 0;
    for (const p of PRIORITIES) {
      const onset = runs[p];
      if (onset === undefined) continue;
      const sustained = !pt.continuous || r.sustainSeconds === 0 || pt.time - onset >= r.sustainSeconds * 1000;
      if (sustained) {
        alarming = p; // PRIORITIES ascends, so the last one kept is the highest
        alarmOnset = onset;
      }
    }
    if (open) {
      if (isClear(r, v)) {
        open.clearedAt = pt.time;
        open.touchesFresh ||= pt.fresh === true;
        episodes.push(open);
        open = null;
      } else {
        open.lastValue = v;
        open.lastTime = pt.time;
        open.touchesFresh ||= pt.fresh === true;
        if (alarming && PRIORITY_RANK[alarming] > PRIORITY_RANK[open.priority]) {
          open.priority = alarming;
          open.worstValue = v;
        } else if (r.direction === 'below' ? v < open.worstValue : v > open.worstValue) open.worstValue = v;
      }
    } else if (alarming) {
      open = {
        ruleId: r.id,
        onset: alarmOnset,
        firedAt: pt.time,
        priority: alarming,
        worstValue: v,
        lastValue: v,
        lastTime: pt.time,
        touchesFresh: pt.fresh === true,
      };
    }
    prevTime = pt.time;
    prevContinuous = pt.continuous;
  }
  if (open) episodes.push(open);
  return episodes;
}

/**
 * Trend rule (weight gain): a value at least `rise` above the lowest value of the preceding
 * window alarms; the episode ends when the rise falls below `rise - hysteresis`.
 */
export function evaluateTrend(r: TrendRule, series: readonly SeriesPoint[]): Episode[] {
  const episodes: Episode[] = [];
  const windowMs = (r.windowHours + r.slackHours) * 3_600_000;
  let open: Episode | null = null;
  for (let i = 0; i < series.length; i++) {
    const pt = series[i]!;
    let min = Infinity;
    let minTime = pt.time;
    for (let j = i - 1; j >= 0 && pt.time - series[j]!.time <= windowMs; j--) {
      if (series[j]!.value <= min) {
        min = series[j]!.value;
        minTime = series[j]!.time;
      }
    }
    const rise = min === Infinity ? 0 : round(pt.value - min);
    if (open) {
      if (rise < r.rise - r.hysteresis) {
        open.clearedAt = pt.time;
        open.touchesFresh ||= pt.fresh === true;
        episodes.push(open);
        open = null;
      } else {
        open.lastValue = pt.value;
        open.lastTime = pt.time;
        open.touchesFresh ||= pt.fresh === true;
        open.worstValue = Math.max(open.worstValue, rise);
      }
    } else if (rise >= r.rise) {
      open = {
        ruleId: r.id,
        onset: minTime,
        firedAt: pt.time,
        priority: r.priority,
        worstValue: rise,
        lastValue: pt.value,
        lastTime: pt.time,
        touchesFresh: pt.fresh === true,
      };
    }
  }
  if (open) episodes.push(open);
  return episodes;
}

export function evaluateRule(r: ReadingRule, series: readonly SeriesPoint[]): Episode[] {
  switch (r.kind) {
    case 'threshold':
      return evaluateThreshold(r, series);
    case 'trend':
      return evaluateTrend(r, series);
    default:
      return r satisfies never;
  }
}

/** How much history a rule needs before the first fresh reading to decide correctly. */
export function lookbackMs(r: ReadingRule): number {
  return r.kind === 'trend'
    ? (r.windowHours + r.slackHours) * 3_600_000
    : Math.max(r.sustainSeconds * 1000, 0) + 10 * 60_000;
}

/** Rules that read a metric. */
export function rulesForMetric(metric: string, rules: readonly ReadingRule[] = DEFAULT_RULES): ReadingRule[] {
  return rules.filter((r) => r.metric === metric);
}

export function findRule(id: string): ReadingRule | undefined {
  return DEFAULT_RULES.find((r) => r.id === id);
}
