import { describe, expect, it } from 'vitest';
import { capitalised, WORDS, type WordGroup, word } from './catalogue.ts';

describe('the shared word catalogue', () => {
  it('has every word in both Japanese and English, none empty or left untranslated by mistake', () => {
    for (const [group, table] of Object.entries(WORDS))
      for (const [key, words] of Object.entries(table as Record<string, { ja: string; en: string }>)) {
        expect(words.ja.trim(), `${group}.${key} ja`).not.toBe('');
        expect(words.en.trim(), `${group}.${key} en`).not.toBe('');
        // Japanese words are written in Japanese, except notation both languages share (SpO2, units).
        if (
          group !== 'unit' &&
          !(group === 'news2Parameter' && key === 'spo2') &&
          !(group === 'channel' && key === 'webhook')
        )
          expect(/[\u3040-\u30ff\u4e00-\u9fff]/.test(words.ja), `${group}.${key} ja "${words.ja}"`).toBe(true);
      }
  });

  it('answers a key it does not know (a newer server’s) with the key itself', () => {
    expect(word('priority', 'high', 'ja')).toBe('至急');
    expect(word('priority', 'critical', 'en')).toBe('critical');
    expect(word('unit' as WordGroup, 'toString', 'en')).toBe('toString');
  });

  it('capitalises a word starting a label, leaving Japanese and notation as they are', () => {
    expect(capitalised('respiratory rate')).toBe('Respiratory rate');
    expect(capitalised('SpO2')).toBe('SpO2');
    expect(capitalised('至急')).toBe('至急');
  });
});
