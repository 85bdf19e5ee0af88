import { describe, expect, it } from 'vitest';
import { RULE_NAMES, ruleName } from './rule-names.ts';

describe('the names of alert rules', () => {
  it('names every rule in both languages, and shows an unknown rule by its id', () => {
    for (const [rule, names] of Object.entries(RULE_NAMES)) {
      expect(names.ja.trim(), rule).not.toBe('');
      expect(names.en.trim(), rule).not.toBe('');
    }
    expect(ruleName('temperature_high', 'ja')).toBe('発熱');
    expect(ruleName('temperature_high', 'en')).toBe('Fever');
    expect(ruleName('a_newer_rule', 'ja')).toBe('a_newer_rule');
    expect(ruleName('toString', 'en')).toBe('toString');
  });
});
