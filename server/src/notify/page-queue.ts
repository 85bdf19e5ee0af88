/**
 * How a step's pages enter the outbox (issue 14): the per-person rate limit and the grouping
 * window.
 *
 * - **Rate limit**: a person who was sent `VITALS_PAGE_LIMIT` pages in the last
 *   `VITALS_PAGE_LIMIT_WINDOW_MINUTES` gets no more medium or low pages for now: each is
 *   recorded as `suppressed` with the reason, never lost (the alert stays in the lists). High
 *   priority always goes through, but waits the grouping window so that a flood arrives as
 *   few messages.
 * - **Grouping**: a page that is not high priority waits `VITALS_PAGE_GROUP_SECONDS` in the
 *   outbox; every later page to the same contact about the same patient joins the waiting one
 *   (recorded as `grouped` into it), so pulse, temperature and NEWS2 opening within a minute
 *   make one message listing the three. A high-priority page goes at once and takes whatever
 *   is waiting with it. Each alert listed keeps its own acknowledgement link: acknowledging
 *   one does not acknowledge the others, which may need another action.
 */
import type { Priority } from '@vitals/contract';
import type { AlertRow } from '../storage/repos/alerts.ts';
import type { ContactRow } from '../storage/repos/contacts.ts';
import {
  type DeliveryRow,
  enqueueDeliveries,
  type NewDelivery,
  pagesSentTo,
  rewritePage,
  waitingPage,
} from '../storage/repos/deliveries.ts';
import type { Sql } from '../storage/sql.ts';
import type { NotifyContext } from './context.ts';
import { groupPageText, type Locale } from './messages.ts';

export const PAGE_ATTEMPTS = 5;

/** One alert as a page lists it. */
export interface PageItem {
  alertId: string;
  rule: string;
  priority: Priority;
  value: number | null;
  metric?: string;
  unit?: string;
  rise?: number;
  riseDays?: number;
  /** A NEWS2 alert's detail (score, parameters, missing). */
  news2?: unknown;
  openedAt: string;
  ackUrl: string;
  alertUrl: string;
}

export interface PageLimits {
  perPerson: number;
  windowMs: number;
  groupMs: number;
}

export function pageLimits(c: {
  pageLimit?: string;
  pageLimitWindowMinutes?: string;
  pageGroupSeconds?: string;
}): PageLimits {
  return {
    perPerson: Number(c.pageLimit ?? '6'),
    windowMs: Number(c.pageLimitWindowMinutes ?? '60') * 60_000,
    groupMs: Number(c.pageGroupSeconds ?? '60') * 1000,
  };
}

interface PagePayload {
  v: 1;
  type: 'alert.page';
  idempotencyKey: string;
  alert: Record<string, unknown>;
  /** Every alert the message lists (one, or several of the patient grouped), most urgent first. */
  alerts: Record<string, unknown>[];
  items: PageItem[];
  recipient: { userId: string; displayName: string; locale: Locale };
  timezone: string;
  step: number;
  round: number;
  ackUrl: string;
  alertUrl: string;
  text: { subject: string; body: string };
  subscription?: unknown;
}

const RANK: Record<string, number> = { high: 3, medium: 2, low: 1 };

/** The payload listing `entries` (alert body and item pairs), its text in the recipient's language. */
function withEntries(p: PagePayload, entries: { alert: Record<string, unknown>; item: PageItem }[]): PagePayload {
  const sorted = [...entries].sort((a, b) => (RANK[b.item.priority] ?? 0) - (RANK[a.item.priority] ?? 0));
  const first = sorted[0]!;
  const patientName = typeof first.alert.patientName === 'string' ? first.alert.patientName : '';
  return {
    ...p,
    alert: first.alert,
    alerts: sorted.map((e) => e.alert),
    items: sorted.map((e) => e.item),
    ackUrl: first.item.ackUrl,
    alertUrl: first.item.alertUrl,
    text: groupPageText(
      p.recipient.locale,
      patientName,
      p.timezone,
      sorted.map((e) => ({ ...e.item, openedAt: new Date(e.item.openedAt) })),
    ),
  };
}

function entriesOf(p: PagePayload) {
  return p.items.map((item, i) => ({ item, alert: p.alerts[i] ?? p.alert }));
}

function isPagePayload(p: Record<string, unknown>): p is Record<string, unknown> & PagePayload {
  return p.type === 'alert.page' && Array.isArray(p.items) && Array.isArray(p.alerts);
}

/**
 * The message `d` as it must go out now: only alerts still firing and not silenced stay
 * listed; null when none does (the message is not sent). `stillPaged` answers per alert id.
 */
export async function pageAsSent(
  d: DeliveryRow,
  stillPaged: (alertId: string) => Promise<boolean>,
): Promise<Record<string, unknown> | null> {
  const p = d.payload;
  if (!isPagePayload(p) || p.items.length < 2) return p;
  const keep = [];
  for (const e of entriesOf(p)) if (await stillPaged(e.item.alertId)) keep.push(e);
  if (keep.length === 0) return null;
  return keep.length === p.items.length ? p : { ...withEntries(p, keep) };
}

export interface StepPages {
  alert: AlertRow;
  alertBody: Record<string, unknown>;
  patientName: string;
  timezone: string;
  pos: { step: number; round: number };
  keyOf(contactId: string): string;
  recipients: { user: { id: string; display_name: string; locale: Locale }; contact: ContactRow }[];
  /** The alert as this person's page lists it (the acknowledgement link is theirs). */
  item(userId: string): PageItem;
  now: Date;
}

/** Queues one step's pages; returns who was reached and whom the rate limit held back. */
export async function queuePages(
  tx: Sql,
  ctx: NotifyContext,
  s: StepPages,
): Promise<{ reached: string[]; suppressed: string[] }> {
  const limits = pageLimits(ctx.config);
  const { alert, now } = s;
  const sent = new Map<string, number>();
  for (const { user } of s.recipients)
    if (!sent.has(user.id))
      sent.set(user.id, await pagesSentTo(tx, user.id, new Date(now.getTime() - limits.windowMs)));
  const reached = new Set<string>();
  const suppressed = new Set<string>();
  let queued = false;
  for (const { user, contact } of s.recipients) {
    const key = s.keyOf(contact.id);
    const item = s.item(user.id);
    const n = sent.get(user.id) ?? 0;
    const limited = n >= limits.perPerson;
    const payload = withEntries(
      {
        v: 1,
        type: 'alert.page',
        idempotencyKey: key,
        alert: s.alertBody,
        alerts: [],
        items: [],
        recipient: { userId: user.id, displayName: user.display_name, locale: user.locale },
        timezone: s.timezone,
        step: s.pos.step,
        round: s.pos.round,
        ackUrl: item.ackUrl,
        alertUrl: item.alertUrl,
        text: { subject: '', body: '' },
        ...(contact.channel === 'webpush' ? { subscription: contact.subscription } : {}),
      },
      [{ alert: s.alertBody, item }],
    );
    const row: NewDelivery = {
      idempotencyKey: key,
      alertId: alert.id,
      patientId: alert.patient_id,
      event: 'alert.page',
      channel: contact.channel,
      userId: user.id,
      contactId: contact.id,
      target: contact.address,
      payload: { ...payload },
      maxAttempts: PAGE_ATTEMPTS,
      step: s.pos.step,
      round: s.pos.round,
      now,
    };
    if (limited && alert.priority !== 'high') {
      await enqueueDeliveries(tx, [
        {
          ...row,
          status: 'suppressed',
          reason: `rate limit: ${n} pages to this person in the last ${limits.windowMs / 60_000} minutes (at most ${limits.perPerson}); the alert stays in the alert list`,
        },
      ]);
      suppressed.add(user.id);
      continue;
    }
    const immediate = alert.priority === 'high' && !limited;
    const waiting = await waitingPage(tx, contact.id, alert.patient_id);
    if (waiting && isPagePayload(waiting.payload)) {
      const others = entriesOf(waiting.payload).filter((e) => e.item.alertId !== alert.id);
      const merged = withEntries(waiting.payload, [...others, { alert: s.alertBody, item }]);
      await rewritePage(tx, waiting.id, { ...merged }, immediate ? now : waiting.next_attempt_at);
      await enqueueDeliveries(tx, [
        {
          ...row,
          payload: { v: 1, type: 'alert.page', idempotencyKey: key, groupedInto: waiting.id },
          status: 'grouped',
          groupedInto: waiting.id,
        },
      ]);
    } else {
      await enqueueDeliveries(tx, [
        { ...row, sendAt: immediate || limits.groupMs === 0 ? now : new Date(now.getTime() + limits.groupMs) },
      ]);
    }
    queued = true;
    reached.add(user.id);
  }
  if (queued) ctx.kick();
  return { reached: [...reached], suppressed: [...suppressed] };
}
