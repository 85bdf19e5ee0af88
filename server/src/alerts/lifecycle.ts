/**
 * The alert lifecycle in the database (issue 7, "Lifecycle"): one open alert per patient
 * and rule; firing → acknowledged → resolved; high latches until acknowledged; medium and
 * low resolve when clear; priority only rises while open; repeats update, never stack; a
 * condition coming back soon after it cleared reopens the same alert (flapping: one alert,
 * at most one page per priority). Conditions that had already ended when they reached us
 * are recorded as late and never paged: a medium or low one is resolved as `late`; a high one
 * stays `firing` with `late: true` until someone acknowledges it (a high-priority episode
 * nobody saw must be looked at, without waking anyone). A condition cleared by a reading that
 * arrived late says so in its transition (`detail.late`).
 *
 * Paging and what follows a transition belong to notifications (`ctx.notifications`, see
 * transitions.ts): an acknowledged or resolved alert's pending pages are cancelled there.
 */

import {
  type AlertPriority,
  type AlertRow,
  findAlert,
  insertAlert,
  lastAutoResolved,
  openAlertFor,
  updateAlert,
} from '../storage/repos/alerts.ts';
import type { Sql } from '../storage/sql.ts';
import type { AlertContext } from './context.ts';
import { higher, PRIORITY_RANK } from './rules.ts';
import { recordTransition } from './transitions.ts';

/** A condition that returns within this time after clearing reopens the same alert. */
export const FLAP_WINDOW_MS = 10 * 60_000;
/** An episode that already ended and met its alarm condition longer ago than this is late. */
export const LATE_AFTER_MS = 5 * 60_000;

export interface Condition {
  patientId: string;
  rule: string;
  ruleKey?: string;
  metric?: string | null;
  priority: AlertPriority;
  /** Measurement time the condition began. */
  onsetAt: Date;
  /** Measurement time the alarm condition was met. */
  firedAt: Date;
  lastValue?: number | null;
  worstValue?: number | null;
  lastSeenAt: Date;
  /** Set when the condition has ended (the first clear value's time). */
  clearedAt?: Date;
  detail?: Record<string, unknown>;
}

const raised = (from: AlertPriority | null, to: AlertPriority) =>
  from === null || PRIORITY_RANK[to] > PRIORITY_RANK[from];
/**
 * A report whose newest reading is older than LATE_AFTER_MS comes from a backlog: it is
 * recorded but not paged until fresher data shows the condition still holds, and if the
 * backlog shows it ended, the alert is recorded as late.
 */
const isFresh = (c: Condition, now: Date) => now.getTime() - c.lastSeenAt.getTime() <= LATE_AFTER_MS;
const later = (a: Date | null, b: Date) => (a && a > b ? a : b);

/** Applies one condition report (ongoing or ended) to the patient's alert for the rule. */
export async function reportCondition(tx: Sql, ctx: AlertContext, c: Condition): Promise<AlertRow | null> {
  const now = ctx.clock.now();
  const key = c.ruleKey ?? '';
  const open = await openAlertFor(tx, c.patientId, c.rule, key);
  if (open) {
    const priority = higher(open.priority, c.priority);
    const wasCleared = open.condition_cleared_at !== null;
    let a = await updateAlert(
      tx,
      open.id,
      {
        priority,
        last_value: c.lastValue ?? open.last_value,
        worst_value: priority !== open.priority ? (c.worstValue ?? open.worst_value) : open.worst_value,
        last_seen_at: later(open.last_seen_at, c.lastSeenAt),
        repeat_count: open.repeat_count + 1,
        condition_cleared_at: null,
        ...(c.detail ? { detail: c.detail } : {}),
        ...(raised(open.priority, priority) && open.state === 'acknowledged' ? { state: 'firing' as const } : {}),
      },
      now,
    );
    if (wasCleared && !c.clearedAt) await recordTransition(tx, ctx, a, 'condition_returned');
    if (raised(open.priority, priority))
      await recordTransition(tx, ctx, a, 'priority_raised', { detail: { from: open.priority, to: priority } });
    if (
      c.clearedAt &&
      open.notified_priority === null &&
      open.state === 'firing' &&
      now.getTime() - c.clearedAt.getTime() > LATE_AFTER_MS
    ) {
      // Seen only in a backlog, and the backlog shows it ended: late, never paged.
      return markLate(tx, ctx, a, c.clearedAt);
    }
    if (
      a.state === 'firing' &&
      raised(a.notified_priority, priority) &&
      (isFresh(c, now) || (c.clearedAt && priority === 'high'))
    ) {
      // A late alert that fresh data shows holding now is live again: it pages and is no longer late.
      if (a.late) a = await updateAlert(tx, a.id, { late: false }, now);
      a = await ctx.notifications.page(tx, a);
    }
    if (c.clearedAt) a = await clearAlert(tx, ctx, a, c.clearedAt);
    return a;
  }

  const prev = await lastAutoResolved(tx, c.patientId, c.rule, key);
  const flapping =
    prev?.condition_cleared_at &&
    c.onsetAt.getTime() >= prev.onset_at.getTime() &&
    c.onsetAt.getTime() - prev.condition_cleared_at.getTime() <= FLAP_WINDOW_MS;
  if (prev && flapping) {
    if (c.onsetAt.getTime() === prev.onset_at.getTime() || (c.clearedAt && prev.condition_cleared_at! >= c.clearedAt))
      return prev; // already recorded
    const priority = higher(prev.priority, c.priority);
    let a = await updateAlert(
      tx,
      prev.id,
      {
        priority,
        flap_count: prev.flap_count + 1,
        last_value: c.lastValue ?? prev.last_value,
        last_seen_at: later(prev.last_seen_at, c.lastSeenAt),
        ...(c.clearedAt
          ? { condition_cleared_at: c.clearedAt }
          : {
              state: 'firing' as const,
              condition_cleared_at: null,
              resolved_at: null,
              resolved_by: null,
              resolution: null,
            }),
      },
      now,
    );
    if (!c.clearedAt) {
      await recordTransition(tx, ctx, a, 'reopened', { detail: { flapCount: a.flap_count } });
      if (raised(prev.notified_priority, priority)) a = await ctx.notifications.page(tx, a);
    }
    return a;
  }

  const late = c.clearedAt !== undefined && now.getTime() - c.firedAt.getTime() > LATE_AFTER_MS;
  if (c.clearedAt && late && c.priority === 'high') {
    // A high-priority episode found in a backlog: it stays visible until acknowledged, unpaged.
    const a = await insertAlert(tx, { ...base(c, now), state: 'firing', conditionClearedAt: null });
    if (!a) return null;
    await recordTransition(tx, ctx, a, 'opened', {
      detail: { value: c.lastValue ?? null, backlog: true, page: false },
    });
    return markLate(tx, ctx, a, c.clearedAt);
  }
  if (c.clearedAt && (late || c.priority !== 'high')) {
    // Ended before anyone could act: recorded for the history, not paged.
    const a = await insertAlert(tx, {
      ...base(c, now),
      state: 'resolved',
      late,
      conditionClearedAt: c.clearedAt,
      resolution: late ? 'late' : 'cleared',
    });
    if (a) await recordTransition(tx, ctx, a, late ? 'late' : 'cleared_before_notification');
    return a;
  }
  // Ongoing, or a high-priority episode that ended moments ago: it latches and pages.
  let a = await insertAlert(tx, { ...base(c, now), state: 'firing', conditionClearedAt: c.clearedAt ?? null });
  if (!a) return null;
  const fresh = isFresh(c, now) || c.clearedAt !== undefined;
  await recordTransition(tx, ctx, a, 'opened', {
    detail: { value: c.lastValue ?? null, ...(fresh ? {} : { backlog: true, page: false }) },
  });
  if (fresh) a = await ctx.notifications.page(tx, a);
  return a;
}

/**
 * A never-paged alert whose condition a backlog shows already ended at `clearedAt`. Medium and
 * low resolve as `late`. High stays `firing` with `late: true` and the condition cleared, so it
 * is listed until someone acknowledges it (which resolves it); it is never paged (the
 * transitions say `page: false`, and no escalation timer is set).
 */
async function markLate(tx: Sql, ctx: AlertContext, a: AlertRow, clearedAt: Date): Promise<AlertRow> {
  const now = ctx.clock.now();
  const detail = { clearedAt: clearedAt.toISOString(), page: false };
  if (a.priority === 'high') {
    const r = await updateAlert(
      tx,
      a.id,
      { late: true, condition_cleared_at: clearedAt, next_escalation_at: null },
      now,
    );
    await recordTransition(tx, ctx, r, 'late', { detail: { ...detail, needsReview: true } });
    return r;
  }
  const r = await updateAlert(
    tx,
    a.id,
    { state: 'resolved', late: true, condition_cleared_at: clearedAt, resolved_at: now, resolution: 'late' },
    now,
  );
  await recordTransition(tx, ctx, r, 'late', { detail });
  return r;
}

/** How late the reading that cleared a condition at `at` arrived: a detail for the transition. */
function lateClearing(at: Date, now: Date): Record<string, unknown> {
  const delay = now.getTime() - at.getTime();
  return delay > LATE_AFTER_MS
    ? { late: true, clearedAt: at.toISOString(), arrivedAfterSeconds: Math.round(delay / 1000) }
    : {};
}

function base(c: Condition, now: Date) {
  return {
    patientId: c.patientId,
    rule: c.rule,
    ruleKey: c.ruleKey ?? '',
    metric: c.metric ?? null,
    priority: c.priority,
    onsetAt: c.onsetAt,
    openedAt: c.firedAt,
    now,
    lastValue: c.lastValue ?? null,
    worstValue: c.worstValue ?? c.lastValue ?? null,
    lastSeenAt: c.lastSeenAt,
    ...(c.detail ? { detail: c.detail } : {}),
  };
}

/** The condition of an open alert cleared at `at` (measurement time). */
export async function clearAlert(tx: Sql, ctx: AlertContext, a: AlertRow, at: Date): Promise<AlertRow> {
  const now = ctx.clock.now();
  if (a.state === 'resolved') return a;
  if (a.state === 'acknowledged') {
    const r = await updateAlert(
      tx,
      a.id,
      {
        state: 'resolved',
        condition_cleared_at: at,
        resolved_at: now,
        resolution: 'cleared_after_ack',
        next_escalation_at: null,
      },
      now,
    );
    await recordTransition(tx, ctx, r, 'resolved', {
      detail: { resolution: 'cleared_after_ack', ...lateClearing(at, now) },
    });
    return r;
  }
  if (a.priority === 'high') {
    if (a.condition_cleared_at) return a;
    // IEC 60601-1-8 latching: a high-priority alarm stays until someone acknowledges it.
    const r = await updateAlert(tx, a.id, { condition_cleared_at: at }, now);
    const late = lateClearing(at, now);
    await recordTransition(tx, ctx, r, 'condition_cleared', Object.keys(late).length ? { detail: late } : {});
    return r;
  }
  const r = await updateAlert(
    tx,
    a.id,
    { state: 'resolved', condition_cleared_at: at, resolved_at: now, resolution: 'cleared', next_escalation_at: null },
    now,
  );
  await recordTransition(tx, ctx, r, 'resolved', { detail: { resolution: 'cleared', ...lateClearing(at, now) } });
  return r;
}

/** Clears the open alert of a rule (missing-data rules: the data came, the gateway is back). */
export async function clearCondition(
  tx: Sql,
  ctx: AlertContext,
  patientId: string,
  rule: string,
  ruleKey: string,
  at: Date,
): Promise<AlertRow | null> {
  const open = await openAlertFor(tx, patientId, rule, ruleKey);
  return open ? clearAlert(tx, ctx, open, at) : null;
}

export type AckOutcome = { ok: true; alert: AlertRow } | { ok: false; reason: 'not_found' | 'resolved' };

/**
 * Acknowledges: one whose condition has cleared resolves; one still active stops its
 * escalation and resolves when it clears (issue 7). Acknowledging twice changes nothing.
 */
export async function acknowledge(
  tx: Sql,
  ctx: AlertContext,
  alertId: string,
  userId: string,
  note: string | undefined,
  ip?: string,
): Promise<AckOutcome> {
  const now = ctx.clock.now();
  const a = await findAlert(tx, alertId, true);
  if (!a) return { ok: false, reason: 'not_found' };
  if (a.state === 'resolved') return { ok: false, reason: 'resolved' };
  if (a.state === 'acknowledged') return { ok: true, alert: a };
  const cleared = a.condition_cleared_at !== null;
  const r = await updateAlert(
    tx,
    a.id,
    {
      state: cleared ? 'resolved' : 'acknowledged',
      acknowledged_at: now,
      acknowledged_by: userId,
      ack_note: note ?? null,
      next_escalation_at: null,
      ...(cleared ? { resolved_at: now, resolved_by: userId, resolution: 'acknowledged' } : {}),
    },
    now,
  );
  await recordTransition(tx, ctx, r, 'acknowledged', {
    userId,
    ...(note ? { detail: { note } } : {}),
    ...(ip ? { ip } : {}),
  });
  if (cleared) await recordTransition(tx, ctx, r, 'resolved', { userId, detail: { resolution: 'acknowledged' } });
  return { ok: true, alert: r };
}
