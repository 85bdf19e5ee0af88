import { METRIC_NAMES } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { isStale, STALE_AFTER_MS } from './staleness.ts';

const NOW = Date.parse('2026-11-24T06:00:00.000Z');
const MIN = 60_000;

describe('isStale', () => {
  it('dims continuous SpO2 after five minutes', () => {
    expect(isStale('spo2', NOW - 5 * MIN, NOW)).toBe(false);
    expect(isStale('spo2', NOW - 5 * MIN - 1, NOW)).toBe(true);
  });

  it('dims spot measurements such as blood pressure after 24 hours', () => {
    expect(isStale('bp_systolic', NOW - 23 * 60 * MIN, NOW)).toBe(false);
    expect(isStale('bp_systolic', NOW - 25 * 60 * MIN, NOW)).toBe(true);
    expect(isStale('pulse_rate', NOW - 2 * 60 * MIN, NOW)).toBe(false);
  });

  it('treats an unreadable time as stale', () => {
    expect(isStale('glucose', Number.NaN, NOW)).toBe(true);
  });

  it('has a rule for every metric of the contract', () => {
    for (const metric of METRIC_NAMES) expect(STALE_AFTER_MS[metric]).toBeGreaterThan(0);
  });
});
