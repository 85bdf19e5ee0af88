/**
 * A patient's initials for a wall display that other people may see (a corridor, a waiting
 * room): "Yamada Hanako" → "Y. H.", "山田 花子" → "山・花", "やまだ はなこ" → "や・は". The first
 * character of each part of the name (parts split at ASCII or ideographic spaces); Latin letters
 * as capitals with a full stop, anything else joined by a middle dot, as Japanese wards write them.
 */
export function initialsOf(name: string): string {
  const parts = name
    .trim()
    .split(/[\s\u3000]+/u)
    .filter(Boolean);
  if (parts.length === 0) return '?';
  const firsts = parts.map((p) => Array.from(p.normalize('NFC'))[0]!);
  if (firsts.every((c) => /\p{Script=Latin}/u.test(c))) return firsts.map((c) => `${c.toUpperCase()}.`).join(' ');
  return firsts.join('・');
}
