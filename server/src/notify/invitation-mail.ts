/**
 * Invitations by e-mail. The outbox row names the invitation, never its token: the link's token
 * is made when the mail goes out (a copy of the open invitation that ends with it) and lives only
 * in the mail, so the database never holds a usable token in clear. A mail whose invitation was
 * accepted, replaced or expired before it went out is cancelled.
 */
import { hashSecret, newSecret } from '../auth/secrets.ts';
import type { NewDelivery } from '../storage/repos/deliveries.ts';
import { createInvitation, type InvitationPurpose, openInvitation } from '../storage/repos/invitations.ts';
import type { Sql } from '../storage/sql.ts';
import type { Locale, PageText } from './messages.ts';

export const INVITATION_EVENT = 'invitation';
export const INVITATION_CLOSED =
  'the invitation was accepted, replaced by a newer one or expired before the mail went out';

export interface InvitationMail {
  userId: string;
  organisationId: string;
  organisationName: string;
  inviterName: string;
  email: string;
  locale: Locale;
  /** The invitation the mail is a copy of was issued then (one mail per issued invitation). */
  issuedAt: Date;
}

/** The outbox row of an invitation mail: who and from whom, no token. */
export function invitationDelivery(m: InvitationMail): NewDelivery {
  const key = `${INVITATION_EVENT}:${m.userId}:${m.organisationId}:${m.issuedAt.getTime()}`;
  return {
    idempotencyKey: key,
    alertId: null,
    patientId: null,
    event: INVITATION_EVENT,
    channel: 'email',
    userId: m.userId,
    target: m.email,
    payload: {
      v: 1,
      type: INVITATION_EVENT,
      idempotencyKey: key,
      invitation: { userId: m.userId, organisationId: m.organisationId },
      organisationName: m.organisationName,
      inviterName: m.inviterName,
      locale: m.locale,
    },
    maxAttempts: 5,
    now: m.issuedAt,
  };
}

export function invitationText(
  locale: Locale,
  m: { organisationName: string; inviterName: string; link: string; expiresAt: Date; purpose: InvitationPurpose },
): PageText {
  const until = new Intl.DateTimeFormat(locale === 'ja' ? 'ja-JP' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'Asia/Tokyo',
  }).format(m.expiresAt);
  if (locale === 'ja')
    return {
      subject: `[vitals] ${m.organisationName} への招待`,
      body: [
        `${m.inviterName} さんが、在宅療養のチーム（${m.organisationName}）にあなたを招待しました。`,
        '',
        m.purpose === 'join'
          ? '次のリンクを開き、いまお使いのパスワードで参加を確認してください。'
          : '次のリンクを開き、ご自分のパスワードを設定してください。',
        m.link,
        '',
        `このリンクは一度だけ使え、${until}（日本時間）まで有効です。`,
        '心当たりのない場合は、このメールを破棄し、リンクを開かないでください。',
      ].join('\n'),
    };
  return {
    subject: `[vitals] Invitation to ${m.organisationName}`,
    body: [
      `${m.inviterName} invited you to the home-care team of ${m.organisationName}.`,
      '',
      m.purpose === 'join'
        ? 'Open this link and confirm with the password you use now:'
        : 'Open this link and choose your password:',
      m.link,
      '',
      `The link works once, until ${until} (Japan time).`,
      'If you did not expect this, delete the mail and do not open the link.',
    ].join('\n'),
  };
}

/**
 * The mail as it goes out: a fresh token for the still-open invitation, in a link to the
 * dashboard. Undefined when the invitation is no longer open (the mail is cancelled).
 */
export async function invitationAsSent(
  sql: Sql,
  payload: Record<string, unknown>,
  publicUrl: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  const ref = payload.invitation as { userId: string; organisationId: string };
  const open = await openInvitation(sql, ref.userId, ref.organisationId);
  if (!open) return undefined;
  const token = newSecret();
  await createInvitation(sql, {
    tokenHash: hashSecret(token),
    userId: ref.userId,
    organisationId: ref.organisationId,
    purpose: open.purpose,
    createdBy: open.created_by,
    ends: { copyOf: { expiresAt: open.expires_at } },
  });
  const base = (publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const locale = payload.locale === 'en' ? 'en' : 'ja';
  return {
    ...payload,
    text: invitationText(locale, {
      organisationName: String(payload.organisationName),
      inviterName: String(payload.inviterName),
      link: `${base}/#/invitation/${token}`,
      expiresAt: open.expires_at,
      purpose: open.purpose,
    }),
  };
}
