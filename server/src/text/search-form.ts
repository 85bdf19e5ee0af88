/**
 * The form timeline text is searched in: NFKC (full- and half-width alike, ㈱ as (株)), lower
 * case, and katakana as hiragana, so "かんごし" finds "カンゴシ" as a Japanese reader expects.
 * Stored text and queries go through the same function (migration 021 recomputed what was stored).
 */
/** ァ to ヶ, and the iteration marks ヽヾ: each 0x60 above its hiragana (ぁ to ゖ, ゝゞ). */
const KATAKANA = /[\u30a1-\u30f6\u30fd\u30fe]/g;
const TO_HIRAGANA = 0x60;

export function searchForm(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(KATAKANA, (c) => String.fromCharCode(c.charCodeAt(0) - TO_HIRAGANA));
}
