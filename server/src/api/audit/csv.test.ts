import { describe, expect, it } from 'vitest';
import { csvCell, csvLine } from './csv.ts';

describe('audit CSV cells', () => {
  it('prefixes with an apostrophe every cell a spreadsheet would run as a formula', () => {
    expect(['=1+1', '+81 3', '-2', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual([
      `"'=1+1"`,
      `"'+81 3"`,
      `"'-2"`,
      `"'@SUM(A1)"`,
      `"'\tx"`,
      `"'\rx"`,
    ]);
  });

  it('quotes every cell, doubles quotes inside and keeps commas, line breaks and Japanese as they are', () => {
    expect(csvLine(['看護師の山田さん', 'a "b", c\nd', null, 42, { k: 'v' }])).toBe(
      `"看護師の山田さん","a ""b"", c\nd","","42","{""k"":""v""}"\r\n`,
    );
  });
});
