import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoffDelay', () => {
  it('waits nothing before the first attempt', () => {
    expect(backoffDelay(0, policy, () => 0.5)).toBe(0);
  });

  it('doubles the ceiling with every failure', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, policy, () => 0.999999))).toStrictEqual([1000, 2000, 4000, 8000]);
  });

  it('keeps at least half the ceiling whatever the jitter', () => {
    expect([1, 2, 3].map((n) => backoffDelay(n, policy, () => 0))).toStrictEqual([500, 1000, 2000]);
  });

  it('never exceeds the maximum', () => {
    expect(backoffDelay(50, policy, () => 0.999999)).toBe(60_000);
  });
});
