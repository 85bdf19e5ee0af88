/**
 * One alert transition, recorded and announced: the alert's event row (timeline) and the
 * audit log naming the user (null: the system), then the announcement to notifications, all
 * in the caller's transaction so a transition and what it queues commit together.
 *
 * The lifecycle knows notifications only through `AlertNotifications`; notify/ implements it
 * (notify depends on alerts, never the reverse). Issue 12: the announcement moves onto the
 * domain event bus as `alert.changed` once that bus carries transactional subscribers.
 */

import type { AlertChanged, TimelinePosted } from '../events/domain-events.ts';
import { addAlertEvent } from '../storage/repos/alert-events.ts';
import type { AlertRow } from '../storage/repos/alerts.ts';
import { audit } from '../storage/repos/audit.ts';
import type { Sql } from '../storage/sql.ts';
import { recordAlertItem } from '../timeline/system-items.ts';
import type { AlertContext } from './context.ts';

export interface Transition {
  alert: AlertRow;
  type: string;
  /** The alert event row the transition wrote. */
  eventId: number;
  at: Date;
  userId: string | null;
  detail?: Record<string, unknown>;
  /** The timeline item the transition wrote (issue 15), to announce once committed. */
  timelineItem?: TimelinePosted;
}

/** What the alert lifecycle asks of notifications. */
export interface AlertNotifications {
  /** A transition was recorded: queue what must commit with it (site webhook, cancelled pages). */
  transitioned(tx: Sql, t: Transition): Promise<void>;
  /**
   * A firing alert must be paged (new, reopened, or raised in priority): returns the alert
   * as paging left it (silenced, or its escalation timer set).
   */
  page(tx: Sql, alert: AlertRow): Promise<AlertRow>;
  /** Something was committed that may have queued deliveries: send what is due now. */
  deliver(): Promise<void>;
  /** The key acknowledgement links are signed with. */
  linkSecret(): Promise<string>;
}

export async function recordTransition(
  tx: Sql,
  ctx: AlertContext,
  alert: AlertRow,
  type: string,
  opts: { userId?: string | null; detail?: Record<string, unknown>; ip?: string } = {},
): Promise<void> {
  const now = ctx.clock.now();
  const eventId = await addAlertEvent(tx, {
    alertId: alert.id,
    at: now,
    type,
    userId: opts.userId ?? null,
    ...(opts.detail ? { detail: opts.detail } : {}),
  });
  // The timeline shows it in the same transaction (opened, acknowledged, resolved, …).
  const timelineItem = await recordAlertItem(tx, {
    alert,
    type,
    eventId,
    at: now,
    userId: opts.userId ?? null,
    ...(opts.detail ? { detail: opts.detail } : {}),
  });
  await audit(tx, {
    userId: opts.userId ?? null,
    patientId: alert.patient_id,
    action: `alert.${type}`,
    target: alert.id,
    detail: { rule: alert.rule, priority: alert.priority, state: alert.state, ...(opts.detail ?? {}) },
    ...(opts.ip ? { ip: opts.ip } : {}),
  });
  await ctx.notifications.transitioned(tx, {
    alert,
    type,
    eventId,
    at: now,
    userId: opts.userId ?? null,
    ...(opts.detail ? { detail: opts.detail } : {}),
    ...(timelineItem ? { timelineItem } : {}),
  });
}

/** A transition as the event bus carries it (`alert.changed`). */
export function alertChanged(t: Transition): AlertChanged {
  return {
    alertId: t.alert.id,
    patientId: t.alert.patient_id,
    rule: t.alert.rule,
    priority: t.alert.priority,
    state: t.alert.state,
    transition: t.type,
    at: t.at.toISOString(),
  };
}
