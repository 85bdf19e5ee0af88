/**
 * Issue 16: one message catalogue shared with the server. The dashboard shows each shared word
 * under its own key, keeps no copy of it, and says the same word the server's notifications and
 * copied text say for the same key.
 */
import { type Lang, WORDS, type WordGroup, word } from '@vitals/contract';
import { describe, expect, it } from 'vitest';
import { news2ValueText, pageText } from '../../../server/src/notify/messages.ts';
import { itemText, vitalsText } from '../../../server/src/timeline/text.ts';
import * as account from './features/account/messages.ts';
import * as admin from './features/admin/messages.ts';
import * as alerts from './features/alerts/messages.ts';
import * as patient from './features/patient/messages.ts';
import * as timeline from './features/timeline/messages.ts';
import * as wall from './features/wall/messages.ts';
import { asShown, LOCALES, type MessageKey, SHARED_PREFIXES, translate } from './i18n.ts';

const groups = Object.keys(WORDS) as WordGroup[];
const keysOf = (g: WordGroup) => Object.keys(WORDS[g]);
const dashboard = (lang: Lang, g: WordGroup, key: string) =>
  translate(lang, `${SHARED_PREFIXES[g]}.${key}` as MessageKey);

describe('the message catalogue shared by the server and the dashboard', () => {
  it('gives the dashboard every shared word under its key, the catalogue’s word (as a label, units as written)', () => {
    for (const lang of LOCALES)
      for (const g of groups)
        for (const key of keysOf(g))
          expect(dashboard(lang, g, key), `${g}.${key}`).toBe(asShown(g, word(g, key, lang)));
  });

  it('keeps no second copy of a shared word among the dashboard’s own messages', () => {
    const own = [account, admin, alerts, patient, timeline, wall].flatMap((m) => [
      ...Object.keys(m.en),
      ...Object.keys(m.ja),
    ]);
    const shared = new Set(groups.flatMap((g) => keysOf(g).map((k) => `${SHARED_PREFIXES[g]}.${k}`)));
    expect(own.filter((k) => shared.has(k))).toEqual([]);
  });

  it('says in the server’s pages the priority the dashboard shows', () => {
    for (const lang of LOCALES)
      for (const priority of keysOf('priority')) {
        const page = pageText(lang, {
          rule: 'spo2_low',
          priority,
          value: 87,
          metric: 'spo2',
          unit: '%',
          openedAt: new Date('2026-12-01T00:00:00Z'),
          ackUrl: 'https://x.test/ack',
          alertUrl: 'https://x.test/alert',
          patientName: '佐藤 一郎',
          timezone: 'Asia/Tokyo',
        });
        expect(page.subject.toLowerCase()).toContain(dashboard(lang, 'priority', priority).toLowerCase());
      }
  });

  it('says in copied text the timeline kinds, alert events, professions, sensitivity and units the dashboard shows', () => {
    for (const lang of LOCALES) {
      for (const kind of keysOf('timelineKind')) {
        const text = itemText({ kind, time: '2026-12-01T00:00:00Z', body: '', tags: [], edited: false }, lang, 'UTC');
        expect(text.startsWith(`【${dashboard(lang, 'timelineKind', kind)}】`), `${kind}: ${text}`).toBe(true);
      }
      for (const transition of keysOf('alertEvent')) {
        const text = itemText(
          {
            kind: 'alert',
            time: '2026-12-01T00:00:00Z',
            body: '',
            tags: [],
            edited: false,
            detail: { rule: 'spo2_low', transition },
          },
          lang,
          'UTC',
        );
        expect(text.toLowerCase()).toContain(dashboard(lang, 'alertEvent', transition).toLowerCase());
      }
      for (const profession of keysOf('profession'))
        for (const sensitivity of keysOf('sensitivity')) {
          const text = itemText(
            {
              kind: 'post',
              time: '2026-12-01T00:00:00Z',
              author: { displayName: '加藤', profession },
              sensitivity,
              body: '訪問しました',
              tags: [],
              edited: false,
            },
            lang,
            'UTC',
          );
          const head = (text.split('\n')[0] ?? '').toLowerCase();
          expect(head).toContain(dashboard(lang, 'profession', profession).toLowerCase());
          // The whole team goes without saying; a narrower audience travels with the copy.
          if (sensitivity === 'team') expect(head).not.toContain(dashboard(lang, 'sensitivity', 'team').toLowerCase());
          else expect(head).toContain(dashboard(lang, 'sensitivity', sensitivity).toLowerCase());
        }
      for (const unit of ['/min', '%', 'Cel', 'mg/dL'])
        expect(vitalsText([{ metric: 'pulse_rate', unit, value: 72 }], lang)).toContain(dashboard(lang, 'unit', unit));
    }
  });

  it('names in a NEWS2 page the parameters the dashboard’s NEWS2 table names', () => {
    for (const lang of LOCALES)
      for (const param of keysOf('news2Parameter')) {
        const text = news2ValueText(lang, { score: 5, partial: true, missing: [param], parameters: {} }) ?? '';
        expect(text.toLowerCase()).toContain(dashboard(lang, 'news2Parameter', param).toLowerCase());
      }
  });
});
