import { describe, expect, it } from 'vitest';
import { initialsOf } from './initials.ts';

describe('a patient’s initials for a wall display', () => {
  it.each([
    ['Yamada Hanako', 'Y. H.'],
    ['yamada  hanako', 'Y. H.'],
    ['山田 花子', '山・花'],
    ['山田\u3000花子', '山・花'],
    ['やまだ はなこ', 'や・は'],
    ['Ōno Ken', 'Ō. K.'],
    ['佐藤', '佐'],
    ['  ', '?'],
  ])('shows %j as %j', (name, initials) => {
    expect(initialsOf(name)).toBe(initials);
  });

  it('keeps a character outside the basic plane whole', () => {
    expect(initialsOf('𠮷田 太郎')).toBe('𠮷・太');
  });
});
