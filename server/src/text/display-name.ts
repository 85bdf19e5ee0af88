/**
 * Names and labels people read on a screen (patients on a wall display, users, gateways,
 * rotas): one normal form, and no invisible characters that make two different names look
 * alike or reorder what is shown (issue 11 item 13).
 *
 * - NFC, not NFKC: NFKC would turn full-width letters and the ideographic space into ASCII,
 *   changing how Japanese names are written; NFC only unifies composed and decomposed kana
 *   and accents. Ideographic variation selectors (U+E0100…, used for the exact glyph of a
 *   family name) are combining marks and are kept.
 * - Refused: C0/C1 controls (tab and line breaks count as spaces), zero-width characters
 *   (U+200B–U+200D, U+2060, U+FEFF), bidirectional marks, embeddings, overrides and isolates
 *   (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), and every other invisible format
 *   character (Unicode category Cf), line and paragraph separators, and lone surrogates.
 * - Spaces: trimmed at both ends; a run of spaces inside becomes one. A run made only of
 *   ideographic spaces (U+3000, how Japanese separates family and given name: 佐藤　一郎) stays
 *   one ideographic space; any other run becomes one ASCII space.
 */
import { badRequest } from '../errors.ts';

export type DisplayText = { ok: true; value: string } | { ok: false; problem: string };

const NAMED: Record<number, string> = {
  8203: 'a zero-width space',
  8204: 'a zero-width non-joiner',
  8205: 'a zero-width joiner',
  8288: 'a word joiner',
  65279: 'a zero-width no-break space (byte order mark)',
  8206: 'a left-to-right mark',
  8207: 'a right-to-left mark',
  1564: 'an Arabic letter mark',
  8234: 'a left-to-right embedding',
  8235: 'a right-to-left embedding',
  8236: 'a pop directional formatting',
  8237: 'a left-to-right override',
  8238: 'a right-to-left override',
  8294: 'a left-to-right isolate',
  8295: 'a right-to-left isolate',
  8296: 'a first strong isolate',
  8297: 'a pop directional isolate',
  8232: 'a line separator',
  8233: 'a paragraph separator',
};

// Tab, line feed, vertical tab, form feed, carriage return and NEL count as spaces, not controls.
const SPACE = /[\t\n\v\f\r\u0085\p{Zs}]+/gu;
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Cs}\u2028\u2029]/u;
const IDEOGRAPHIC_SPACES = /^\u3000+$/;

/** The normal form of a name or label people read, or why it cannot be one. */
export function displayText(raw: string): DisplayText {
  if (/\p{Cs}/u.test(raw)) return { ok: false, problem: 'contains a broken character (a lone UTF-16 surrogate)' };
  const spaced = raw.normalize('NFC').replace(SPACE, (run) => (IDEOGRAPHIC_SPACES.test(run) ? '\u3000' : ' '));
  const bad = FORBIDDEN.exec(spaced);
  if (bad) {
    const cp = bad[0].codePointAt(0)!;
    const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    return {
      ok: false,
      problem: `contains ${hex} (${NAMED[cp] ?? 'an invisible control or format character'}); remove it: names may not hold invisible characters`,
    };
  }
  const value = spaced.replace(/^[ \u3000]+|[ \u3000]+$/g, '');
  if (value.length === 0) return { ok: false, problem: 'is empty once spaces are removed; give a name' };
  return { ok: true, value };
}

/** `displayText` for request input: the normal form, or a 400 naming the field and the character. */
export function normaliseName(raw: string, field: string): string {
  const r = displayText(raw);
  if (!r.ok) throw badRequest(`${field} ${r.problem}`);
  return r.value;
}
