import { describe, expect, it } from 'vitest';
import { isCodedMetric, METRIC_NAMES, METRICS, possibleRange, valueProblem } from './metrics.ts';
import { validateBatch } from './validate.ts';

const reading = (over: Record<string, unknown>) => ({
  id: 'gw-tokyo-0001:7f3a9c:000000000123',
  device: { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble' },
  time: '2026-11-24T07:59:58.000Z',
  timeSource: 'device',
  ...over,
});
const batch = (readings: unknown[]) => ({
  v: 1,
  gatewayId: 'gw-tokyo-0001',
  batchId: 'gw-tokyo-0001:7f3a9c:b:000042',
  sentAt: '2026-11-24T08:00:01.234Z',
  readings,
});

/** The contract's metrics table (CONTRACT.md, "Metrics"), copied here so a change to either shows. */
const CONTRACT_TABLE: Record<string, { unit: string; loinc: string; possible: [number, number] | null }> = {
  bp_systolic: { unit: 'mm[Hg]', loinc: '8480-6', possible: [10, 350] },
  bp_diastolic: { unit: 'mm[Hg]', loinc: '8462-4', possible: [5, 300] },
  bp_mean: { unit: 'mm[Hg]', loinc: '8478-0', possible: [5, 320] },
  pulse_rate: { unit: '/min', loinc: '8867-4', possible: [1, 350] },
  spo2: { unit: '%', loinc: '59408-5', possible: [0, 100] },
  perfusion_index: { unit: '%', loinc: '61006-3', possible: [0, 100] },
  respiratory_rate: { unit: '/min', loinc: '9279-1', possible: [0, 150] },
  body_temperature: { unit: 'Cel', loinc: '8310-5', possible: [20, 46] },
  body_weight: { unit: 'kg', loinc: '29463-7', possible: [0.2, 650] },
  body_height: { unit: 'cm', loinc: '8302-2', possible: [20, 280] },
  bmi: { unit: 'kg/m2', loinc: '39156-5', possible: [3, 200] },
  body_fat: { unit: '%', loinc: '41982-0', possible: [0, 100] },
  glucose: { unit: 'mg/dL', loinc: '2339-0', possible: [1, 2000] },
  inhaled_oxygen_flow: { unit: 'L/min', loinc: '3151-8', possible: [0, 60] },
  pain_score: { unit: '{score}', loinc: '72514-3', possible: [0, 10] },
  consciousness: { unit: '', loinc: '67775-7', possible: null },
};

describe('the metric table', () => {
  it('holds exactly the metrics of the contract, with their unit, LOINC code and possible range', () => {
    expect(METRIC_NAMES).toEqual(Object.keys(CONTRACT_TABLE));
    for (const m of METRIC_NAMES) {
      expect({ unit: METRICS[m].unit, loinc: METRICS[m].loinc, possible: possibleRange(m) }).toEqual(CONTRACT_TABLE[m]);
    }
  });

  it('knows consciousness as the one coded metric', () => {
    expect(METRIC_NAMES.filter(isCodedMetric)).toEqual(['consciousness']);
  });
});

describe('possible values', () => {
  it.each([
    ['spo2', -5, undefined, "value -5 is outside spo2's possible range 0–100"],
    ['spo2', 100.1, undefined, "value 100.1 is outside spo2's possible range 0–100"],
    ['spo2', 0, undefined, null],
    ['spo2', 100, undefined, null],
    ['pulse_rate', 0, undefined, "value 0 is outside pulse_rate's possible range 1–350"],
    ['pulse_rate', 351, undefined, "value 351 is outside pulse_rate's possible range 1–350"],
    ['bp_systolic', 9, undefined, "value 9 is outside bp_systolic's possible range 10–350"],
    ['bp_systolic', 350, undefined, null],
    ['body_temperature', 19.9, undefined, "value 19.9 is outside body_temperature's possible range 20–46"],
    ['body_temperature', 46, undefined, null],
    ['body_weight', 0.1, undefined, "value 0.1 is outside body_weight's possible range 0.2–650"],
    ['body_weight', 0.2, undefined, null],
    ['glucose', 0, undefined, "value 0 is outside glucose's possible range 1–2000"],
    ['glucose', 2000, undefined, null],
    ['inhaled_oxygen_flow', 0, undefined, null],
    ['inhaled_oxygen_flow', 61, undefined, "value 61 is outside inhaled_oxygen_flow's possible range 0–60"],
    ['pain_score', 10, undefined, null],
    ['pain_score', 11, undefined, "value 11 is outside pain_score's possible range 0–10"],
    ['pain_score', 3.5, undefined, 'value 3.5 of pain_score must be a whole number'],
    ['consciousness', undefined, 'V', null],
    ['consciousness', undefined, 'X', 'code of consciousness must be one of A, C, V, P, U, got "X"'],
    ['consciousness', 1, undefined, 'consciousness is coded: it carries a code (A, C, V, P, U), not a value'],
    ['spo2', 95, 'A', 'spo2 carries a numeric value, not a code'],
  ] as const)('%s value %s code %s: %s', (metric, value, code, problem) => {
    expect(valueProblem(metric, value, code)).toBe(problem);
  });

  it.each([
    [{ metric: 'spo2', value: -5, unit: '%' }, "value -5 is outside spo2's possible range 0–100"],
    [{ metric: 'pulse_rate', value: 999, unit: '/min' }, "value 999 is outside pulse_rate's possible range 1–350"],
    [{ metric: 'pain_score', value: 2.5, unit: '{score}' }, 'value 2.5 of pain_score must be a whole number'],
    [{ metric: 'consciousness', code: 'Z', unit: '' }, 'code of consciousness must be one of A, C, V, P, U, got "Z"'],
    [{ metric: 'consciousness', unit: '' }, 'code is missing and no flag says why'],
  ])('the validator rejects %j, saying %s', (over, reason) => {
    const v = validateBatch(batch([reading(over)]));
    expect(v.ok && v.readings).toEqual([]);
    expect(v.ok && v.rejected.map((r) => r.reason)).toEqual([`readings[0]: ${reason}`]);
  });

  it.each([
    { metric: 'spo2', value: 0, unit: '%' },
    { metric: 'inhaled_oxygen_flow', value: 2, unit: 'L/min' },
    { metric: 'pain_score', value: 7, unit: '{score}' },
    { metric: 'consciousness', code: 'A', unit: '' },
    { metric: 'spo2', unit: '%', flags: ['value_nan'] },
  ])('the validator accepts %j', (over) => {
    const v = validateBatch(batch([reading(over)]));
    expect(v.ok && v.rejected).toEqual([]);
  });
});
