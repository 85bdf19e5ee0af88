/** The metric table of the wire contract: canonical UCUM unit and LOINC code per metric. */
export const METRICS = {
  bp_systolic: { unit: 'mm[Hg]', loinc: '8480-6', en: 'Systolic BP', ja: '収縮期血圧' },
  bp_diastolic: { unit: 'mm[Hg]', loinc: '8462-4', en: 'Diastolic BP', ja: '拡張期血圧' },
  bp_mean: { unit: 'mm[Hg]', loinc: '8478-0', en: 'Mean arterial pressure', ja: '平均血圧' },
  pulse_rate: { unit: '/min', loinc: '8867-4', en: 'Pulse rate', ja: '脈拍' },
  spo2: { unit: '%', loinc: '59408-5', en: 'SpO2', ja: 'SpO2' },
  perfusion_index: { unit: '%', loinc: '61006-3', en: 'Perfusion index', ja: '灌流指標' },
  respiratory_rate: { unit: '/min', loinc: '9279-1', en: 'Respiratory rate', ja: '呼吸数' },
  body_temperature: { unit: 'Cel', loinc: '8310-5', en: 'Body temperature', ja: '体温' },
  body_weight: { unit: 'kg', loinc: '29463-7', en: 'Body weight', ja: '体重' },
  body_height: { unit: 'cm', loinc: '8302-2', en: 'Body height', ja: '身長' },
  bmi: { unit: 'kg/m2', loinc: '39156-5', en: 'BMI', ja: 'BMI' },
  body_fat: { unit: '%', loinc: '41982-0', en: 'Body fat', ja: '体脂肪率' },
  glucose: { unit: 'mg/dL', loinc: '2339-0', en: 'Glucose', ja: '血糖' },
} as const satisfies Record<string, { unit: string; loinc: string; en: string; ja: string }>;

export type Metric = keyof typeof METRICS;
export type CanonicalUnit = (typeof METRICS)[Metric]['unit'];

export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

export function isMetric(name: unknown): name is Metric {
  return typeof name === 'string' && Object.hasOwn(METRICS, name);
}

export function unitOf(metric: Metric): CanonicalUnit {
  return METRICS[metric].unit;
}
