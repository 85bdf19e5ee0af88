import { describe, expect, it } from 'vitest';
import { FLAG_NAMES, FLAGS, isFlag } from './flags.ts';

describe('the flag vocabulary', () => {
  it('names every flag in snake_case with a one-line meaning', () => {
    for (const name of FLAG_NAMES) {
      expect(name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
      expect(FLAGS[name].length).toBeGreaterThan(5);
      expect(FLAGS[name]).not.toContain('\n');
    }
  });

  it('has a flag for each IEEE-11073 special value', () => {
    for (const name of ['value_nan', 'value_nres', 'value_pos_inf', 'value_neg_inf', 'value_reserved'])
      expect(isFlag(name)).toBe(true);
  });

  it('recognises only its own names', () => {
    expect(isFlag('intermediate')).toBe(true);
    expect(isFlag('Intermediate')).toBe(false);
    expect(isFlag('toString')).toBe(false);
    expect(isFlag(42)).toBe(false);
  });
});
