/**
 * Mentions (issue 15): a member named in a post hears of it through their contacts, by the same
 * delivery outbox as alert pages (notify/outbox.ts sends, retries and records it). The message
 * names who wrote about which patient and where to read it, never the post's text: the post is
 * read through the dashboard, where its sensitivity is checked again. Only members whose
 * clearance reaches the post are mentioned (the route refuses the others).
 */

import { enqueueToContacts } from '../storage/repos/deliveries.ts';
import type { Sql } from '../storage/sql.ts';

const MENTION_ATTEMPTS = 5;

export function mentionText(
  locale: 'ja' | 'en',
  m: { authorName: string; patientName: string; patientId: string; itemId: string },
): { subject: string; body: string } {
  const link = `#/patients/${m.patientId}/timeline/${m.itemId}`;
  return locale === 'ja'
    ? {
        subject: `${m.authorName}さんが${m.patientName}さんのタイムラインであなたを呼んでいます`,
        body: `${m.authorName}さんが${m.patientName}さんのタイムラインにあなた宛ての投稿をしました。ダッシュボードで確認してください: ${link}`,
      }
    : {
        subject: `${m.authorName} mentioned you on ${m.patientName}'s timeline`,
        body: `${m.authorName} mentioned you in a post on ${m.patientName}'s timeline. Read it in the dashboard: ${link}`,
      };
}

/** Queues one message per contact of each mentioned member (in the post's transaction). */
export async function queueMentions(
  tx: Sql,
  m: { itemId: string; patientId: string; patientName: string; authorName: string; userIds: string[]; now: Date },
): Promise<number> {
  return enqueueToContacts(tx, {
    userIds: m.userIds,
    event: 'timeline.mention',
    source: m.itemId,
    patientId: m.patientId,
    fields: { itemId: m.itemId, patientId: m.patientId },
    text: (locale) => mentionText(locale, m),
    maxAttempts: MENTION_ATTEMPTS,
    now: m.now,
  });
}
