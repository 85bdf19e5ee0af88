import { describe, expect, it } from 'vitest';
import { searchForm } from './search-form.ts';

describe('searchForm', () => {
  it('folds katakana, half-width katakana and hiragana into one form', () => {
    expect(searchForm('カンゴシ')).toBe('かんごし');
    expect(searchForm('ｶﾝｺﾞｼ')).toBe('かんごし');
    expect(searchForm('かんごし')).toBe('かんごし');
    expect(searchForm('ヴァイタル・サイン ヽヾ')).toBe('ゔぁいたる・さいん ゝゞ');
  });

  it('keeps kanji, the long vowel mark and folds full-width letters and case', () => {
    expect(searchForm('訪問看護ステーション')).toBe('訪問看護すてーしょん');
    expect(searchForm('ＳｐＯ２ 低下')).toBe('spo2 低下');
  });
});
