import { METRIC_NAMES } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { chartGroups, DISPLAY_DECIMALS, formatValue } from './metric-display.ts';

describe('chartGroups', () => {
  it('draws systolic, diastolic and mean pressure on one chart and every other metric on its own', () => {
    expect(chartGroups(['spo2', 'bp_diastolic', 'body_weight', 'bp_systolic', 'bp_mean'])).toStrictEqual([
      { id: 'bp', metrics: ['bp_systolic', 'bp_diastolic', 'bp_mean'] },
      { id: 'spo2', metrics: ['spo2'] },
      { id: 'body_weight', metrics: ['body_weight'] },
    ]);
  });

  it('has no chart for metrics without data', () => {
    expect(chartGroups([])).toStrictEqual([]);
    expect(chartGroups(['glucose'])).toStrictEqual([{ id: 'glucose', metrics: ['glucose'] }]);
  });
});

describe('formatValue', () => {
  it('shows the decimals the devices measure', () => {
    expect(formatValue('body_temperature', 36.55, 'ja')).toBe('36.6');
    expect(formatValue('body_temperature', 37, 'en')).toBe('37.0');
    expect(formatValue('bp_systolic', 131.6, 'en')).toBe('132');
    expect(formatValue('body_weight', 1052.34, 'en')).toBe('1052.3');
  });

  // Decoders keep exact conversions (issue 14); rounding for display is the dashboard's.
  it.each([
    ['bp_systolic', 141.7616235, '142'],
    ['bp_diastolic', 79.506519, '80'],
    ['glucose', 97.2864, '97'],
    ['body_weight', 69.9983745384, '70.0'],
    ['body_temperature', 333.5 / 9, '37.1'],
    ['body_height', 180.086, '180.1'],
  ] as const)('rounds the exact converted %s %d to %s', (metric, value, shown) => {
    expect(formatValue(metric, value, 'en')).toBe(shown);
  });

  it('has a rule for every metric of the contract', () => {
    for (const metric of METRIC_NAMES) expect(DISPLAY_DECIMALS[metric]).toBeGreaterThanOrEqual(0);
  });
});
