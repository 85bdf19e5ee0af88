import { describe, expect, it } from 'vitest';
import { displayText } from './display-name.ts';

describe('displayText: names people read on a screen', () => {
  it.each([
    ['佐藤　一郎', '佐藤　一郎'],
    ['  佐藤　一郎　', '佐藤　一郎'],
    ['佐藤　　一郎', '佐藤　一郎'],
    ['Yamada \t  Taro\n', 'Yamada Taro'],
    ['佐藤 　一郎', '佐藤 一郎'],
    ['Ｓａｔｏ', 'Ｓａｔｏ'],
    ['ｻﾄｳ', 'ｻﾄｳ'],
    ['か\u3099', 'が'],
    ['Jose\u0301', 'José'],
    ['葛\u{E0100}城', '葛\u{E0100}城'],
    ['O\u00a0Brien', 'O Brien'],
  ])('keeps %j as %j', (raw, value) => {
    expect(displayText(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['a\u0000b', 'U+0000'],
    ['a\u0007b', 'U+0007'],
    ['a\u009bb', 'U+009B'],
    ['佐藤\u200b一郎', 'U+200B'],
    ['佐藤\u200d一郎', 'U+200D'],
    ['\u2060admin', 'U+2060'],
    ['\ufeff佐藤', 'U+FEFF'],
    ['\u202egnp.exe', 'U+202E'],
    ['a\u202ab', 'U+202A'],
    ['a\u2066b\u2069', 'U+2066'],
    ['a\u200fb', 'U+200F'],
    ['soft\u00adhyphen', 'U+00AD'],
    ['line\u2028break', 'U+2028'],
  ])('refuses %j, naming %s', (raw, codePoint) => {
    const r = displayText(raw);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toContain(codePoint);
  });

  it('refuses a lone surrogate and a name of spaces only', () => {
    expect(displayText('a\ud800b').ok).toBe(false);
    expect(displayText(' \u3000 \t').ok).toBe(false);
  });
});
