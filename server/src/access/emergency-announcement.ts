/**
 * How an emergency access is announced (issue 13): on the patient's timeline, where the care team
 * sees who opened it, why and until when, and to the administrators of the patient's organisation
 * through their contacts, by the delivery outbox that sends alert pages. Both are written in the
 * transaction that opens the access, so an access is never open without its announcement. The
 * message names who and which patient and says where to look; the reason stays in the timeline and
 * the audit log, read where access is checked.
 */
import type { TimelinePosted } from '../events/domain-events.ts';
import { enqueueToContacts } from '../storage/repos/deliveries.ts';
import type { Sql } from '../storage/sql.ts';
import { recordSystemItem } from '../timeline/system-items.ts';

const ANNOUNCEMENT_ATTEMPTS = 5;

export interface OpenedEmergencyAccess {
  accessId: string;
  patientId: string;
  patientName: string;
  userId: string;
  userName: string;
  reason: string;
  startedAt: Date;
  expiresAt: Date;
  /** Administrators of the patient's organisation. */
  adminIds: string[];
}

export function emergencyAccessText(
  locale: 'ja' | 'en',
  a: Pick<OpenedEmergencyAccess, 'userName' | 'patientName' | 'patientId' | 'expiresAt'>,
): { subject: string; body: string } {
  const link = `#/patients/${a.patientId}`;
  const until = a.expiresAt.toISOString();
  return locale === 'ja'
    ? {
        subject: `緊急アクセス: ${a.userName}さんが${a.patientName}さんの記録を開きました`,
        body: `${a.userName}さんがケアチーム外から${a.patientName}さんの記録への緊急アクセスを開きました（${until}まで）。理由はタイムラインと監査ログで確認してください: ${link}`,
      }
    : {
        subject: `Emergency access: ${a.userName} opened ${a.patientName}'s record`,
        body: `${a.userName}, who is not on the care team, opened an emergency access to ${a.patientName}'s record (until ${until}). Read the reason on the timeline and in the audit log: ${link}`,
      };
}

/** The timeline item and the administrators' messages; the item's announcement when it is new. */
export async function announceEmergencyAccess(
  tx: Sql,
  a: OpenedEmergencyAccess,
): Promise<{ posted: TimelinePosted | undefined; queued: number }> {
  const posted = await recordSystemItem(tx, {
    patientId: a.patientId,
    kind: 'event',
    time: a.startedAt,
    authorId: a.userId,
    body: a.reason,
    sourceKey: `emergency-access:${a.accessId}`,
    detail: {
      event: 'emergency_access.opened',
      emergencyAccessId: a.accessId,
      expiresAt: a.expiresAt.toISOString(),
      summary: 'emergency access 緊急アクセス',
    },
  });
  const queued = await enqueueToContacts(tx, {
    userIds: a.adminIds,
    event: 'emergency_access.opened',
    source: a.accessId,
    patientId: a.patientId,
    fields: { emergencyAccessId: a.accessId, patientId: a.patientId },
    text: (locale) => emergencyAccessText(locale, a),
    maxAttempts: ANNOUNCEMENT_ATTEMPTS,
    now: a.startedAt,
  });
  return { posted, queued };
}
