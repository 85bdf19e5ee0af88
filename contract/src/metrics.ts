/**
 * The metric table of the wire contract: canonical UCUM unit, LOINC code and the physically
 * possible range per metric. A value outside `possible` is a broken device or decoder, never a
 * patient state (CONTRACT.md, "Metrics"). Coded metrics carry a `code` from `codes` and no value.
 */
interface MetricSpec {
  unit: string;
  loinc: string;
  en: string;
  ja: string;
  /** Inclusive [min, max] of a numeric value. */
  possible?: readonly [number, number];
  /** Only whole numbers are possible. */
  integer?: true;
  /** The codes of a coded metric (no numeric value). */
  codes?: readonly string[];
  /**
   * Decimals shown to people: the resolution of the devices that measure it. Values are stored
   * exact (conversions are not rounded); screens and messages round with this.
   */
  decimals: number;
}

/** ACVPU: Alert, new Confusion, responds to Voice, to Pain, Unresponsive (NEWS2). */
export const ACVPU = ['A', 'C', 'V', 'P', 'U'] as const;
export type AcvpuCode = (typeof ACVPU)[number];

export const METRICS = {
  bp_systolic: {
    unit: 'mm[Hg]',
    loinc: '8480-6',
    en: 'Systolic BP',
    ja: '収縮期血圧',
    possible: [10, 350],
    decimals: 0,
  },
  bp_diastolic: {
    unit: 'mm[Hg]',
    loinc: '8462-4',
    en: 'Diastolic BP',
    ja: '拡張期血圧',
    possible: [5, 300],
    decimals: 0,
  },
  bp_mean: {
    unit: 'mm[Hg]',
    loinc: '8478-0',
    en: 'Mean arterial pressure',
    ja: '平均血圧',
    possible: [5, 320],
    decimals: 0,
  },
  pulse_rate: { unit: '/min', loinc: '8867-4', en: 'Pulse rate', ja: '脈拍', possible: [1, 350], decimals: 0 },
  spo2: { unit: '%', loinc: '59408-5', en: 'SpO2', ja: 'SpO2', possible: [0, 100], decimals: 0 },
  perfusion_index: {
    unit: '%',
    loinc: '61006-3',
    en: 'Perfusion index',
    ja: '灌流指標',
    possible: [0, 100],
    decimals: 1,
  },
  respiratory_rate: {
    unit: '/min',
    loinc: '9279-1',
    en: 'Respiratory rate',
    ja: '呼吸数',
    possible: [0, 150],
    decimals: 0,
  },
  body_temperature: {
    unit: 'Cel',
    loinc: '8310-5',
    en: 'Body temperature',
    ja: '体温',
    possible: [20, 46],
    decimals: 1,
  },
  body_weight: { unit: 'kg', loinc: '29463-7', en: 'Body weight', ja: '体重', possible: [0.2, 650], decimals: 1 },
  body_height: { unit: 'cm', loinc: '8302-2', en: 'Body height', ja: '身長', possible: [20, 280], decimals: 1 },
  bmi: { unit: 'kg/m2', loinc: '39156-5', en: 'BMI', ja: 'BMI', possible: [3, 200], decimals: 1 },
  body_fat: { unit: '%', loinc: '41982-0', en: 'Body fat', ja: '体脂肪率', possible: [0, 100], decimals: 1 },
  glucose: { unit: 'mg/dL', loinc: '2339-0', en: 'Glucose', ja: '血糖', possible: [1, 2000], decimals: 0 },
  inhaled_oxygen_flow: {
    unit: 'L/min',
    loinc: '3151-8',
    en: 'Inhaled oxygen flow',
    ja: '酸素流量',
    // 0 = on air.
    possible: [0, 60],
    decimals: 1,
  },
  pain_score: {
    unit: '{score}',
    loinc: '72514-3',
    en: 'Pain score',
    ja: '痛みスコア',
    possible: [0, 10],
    integer: true,
    decimals: 0,
  },
  consciousness: {
    unit: '',
    loinc: '67775-7',
    en: 'Consciousness (ACVPU)',
    ja: '意識レベル (ACVPU)',
    codes: ACVPU,
    decimals: 0,
  },
} as const satisfies Record<string, MetricSpec>;

export type Metric = keyof typeof METRICS;
export type CanonicalUnit = (typeof METRICS)[Metric]['unit'];

export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

/** Metrics whose readings carry a `code` instead of a value. */
export type CodedMetric = {
  [M in Metric]: (typeof METRICS)[M] extends { codes: readonly string[] } ? M : never;
}[Metric];
export type NumericMetric = Exclude<Metric, CodedMetric>;

export function isMetric(name: unknown): name is Metric {
  return typeof name === 'string' && Object.hasOwn(METRICS, name);
}

export function isCodedMetric(metric: Metric): metric is CodedMetric {
  return 'codes' in METRICS[metric];
}

export function unitOf(metric: Metric): CanonicalUnit {
  return METRICS[metric].unit;
}

/** The inclusive possible range of a numeric metric, or null for a coded one. */
export function possibleRange(metric: Metric): readonly [number, number] | null {
  const spec: MetricSpec = METRICS[metric];
  return spec.possible ?? null;
}

/** 0–100, 0.2–650: how the contract writes a range. */
const formatRange = ([min, max]: readonly [number, number]) => `${min}–${max}`;

/**
 * Why a reading's value or code is impossible for its metric, or null when it is possible.
 * Expects a known metric; `value` a finite number when present.
 */
export function valueProblem(metric: Metric, value: number | undefined, code: unknown): string | null {
  const spec: MetricSpec = METRICS[metric];
  if (spec.codes) {
    if (value !== undefined) return `${metric} is coded: it carries a code (${spec.codes.join(', ')}), not a value`;
    if (code === undefined) return null; // a special value; the flags say why
    if (typeof code !== 'string' || !spec.codes.includes(code))
      return `code of ${metric} must be one of ${spec.codes.join(', ')}, got ${JSON.stringify(code) ?? String(code)}`;
    return null;
  }
  if (code !== undefined) return `${metric} carries a numeric value, not a code`;
  if (value === undefined) return null;
  const range = spec.possible;
  if (range && (value < range[0] || value > range[1]))
    return `value ${value} is outside ${metric}'s possible range ${formatRange(range)}`;
  if (spec.integer && !Number.isInteger(value)) return `value ${value} of ${metric} must be a whole number`;
  return null;
}

const UNIT_DECIMALS = new Map<string, number>();
for (const m of METRIC_NAMES) {
  const { unit, decimals } = METRICS[m];
  UNIT_DECIMALS.set(unit, Math.max(decimals, UNIT_DECIMALS.get(unit) ?? 0));
}

/**
 * A value as people read it: the metric's decimals, or where only the unit is known the most any
 * metric of that unit shows, trailing zeros left out (88 %, 2.4 %). No grouping, "." as separator.
 */
export function displayNumber(value: number, o: { metric?: string; unit?: string }): string {
  const decimals =
    o.metric && o.metric in METRICS ? METRICS[o.metric as Metric].decimals : (UNIT_DECIMALS.get(o.unit ?? '') ?? 1);
  const f = 10 ** decimals;
  return String(Math.round(value * f) / f);
}
