import { METRIC_NAMES } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import {
  describeRetention,
  horizonOf,
  keptSince,
  parseRetention,
  RetentionError,
  uniformDays,
} from './retention-policy.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-03T05:00:00Z');

describe('parseRetention', () => {
  it('keeps every metric forever by default', () => {
    const p = parseRetention(0, undefined);
    expect(p.days.size).toBe(0);
    expect(horizonOf(p, 'spo2', NOW)).toBeNull();
    expect(describeRetention(p)).toBe('raw readings kept forever');
  });

  it('gives every metric the default and lets a metric override it, 0 keeping it forever', () => {
    const p = parseRetention(365, 'spo2=90, pulse_rate=90,body_weight=0');
    expect(p.days.get('spo2')).toBe(90);
    expect(p.days.get('bp_systolic')).toBe(365);
    expect(p.days.has('body_weight')).toBe(false);
    expect(horizonOf(p, 'spo2', NOW)).toBe(NOW - 90 * DAY);
    expect(uniformDays(p)).toBeNull();
    expect(describeRetention(p)).toMatch(
      /^bp_systolic 365 days, .*spo2 90 days.*; other metrics forever; rollups forever$/,
    );
  });

  it('knows when every metric has the same retention', () => {
    expect(uniformDays(parseRetention(30, undefined))).toBe(30);
    expect(uniformDays(parseRetention(30, 'spo2=30'))).toBe(30);
    expect(uniformDays(parseRetention(30, 'spo2=31'))).toBeNull();
    expect(uniformDays(parseRetention(0, METRIC_NAMES.map((m) => `${m}=7`).join(',')))).toBe(7);
  });

  it('names every problem: unknown metrics, malformed parts and retentions too short for the alert story', () => {
    let e: unknown;
    try {
      parseRetention(1, 'spo3=90,spo2:90,pulse_rate=1');
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(RetentionError);
    const problems = (e as RetentionError).problems;
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/VITALS_RETENTION_DAYS: 1 day\(s\) is shorter than 2/);
    expect(problems[1]).toMatch(/unknown metric "spo3"; known: bp_systolic/);
    expect(problems[2]).toMatch(/"spo2:90" is not metric=days/);
    expect(problems[3]).toMatch(/pulse_rate: 1 day\(s\) is shorter than 2/);
  });
});

describe('keptSince', () => {
  const p = parseRetention(0, 'spo2=30,body_weight=365');

  it("on PostgreSQL is each metric's own horizon", () => {
    const kept = keptSince(p, false)!;
    expect(kept('spo2', NOW)).toBe(NOW - 30 * DAY);
    expect(kept('body_weight', NOW)).toBe(NOW - 365 * DAY);
    expect(kept('bp_systolic', NOW)).toBeNull();
  });

  it('on TimescaleDB with retentions that differ is the shortest one for every metric', () => {
    const kept = keptSince(p, true)!;
    expect(kept('body_weight', NOW)).toBe(NOW - 30 * DAY);
    expect(kept('bp_systolic', NOW)).toBe(NOW - 30 * DAY);
    expect(keptSince(parseRetention(60, undefined), true)!('bp_systolic', NOW)).toBe(NOW - 60 * DAY);
  });

  it('is not needed when nothing is ever deleted', () => {
    expect(keptSince(parseRetention(0, undefined), true)).toBeUndefined();
  });
});
