import { describe, expect, it } from 'vitest';
import { compareVersions } from './fleet.ts';

describe('gateway versions', () => {
  it.each([
    ['1.10.0', '1.9.3', 1],
    ['1.9.3', '1.10.0', -1],
    ['v2.0.0', '2.0.0', 0],
    ['2.0', '2.0.0', 0],
    ['2.0.0-rc.1', '2.0.0', -1],
    ['2.0.1-rc.1', '2.0.0', 1],
  ])('compares %s with %s numerically: %i', (a, b, sign) => {
    expect(compareVersions(a, b)).toBe(sign);
  });
});
