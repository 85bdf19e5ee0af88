/**
 * Escalation: page step 0 when an alert fires; when nobody acknowledges within the step's
 * delay, page the next step; after the last, start over until acknowledged (issue 7), as far
 * as the alert's priority allows (issue 14: high until acknowledged, medium one escalation,
 * low never paged; notify/priority-policy.ts). The timer is the alert row's
 * next_escalation_at, claimed with FOR UPDATE SKIP LOCKED, so a restart neither restarts a
 * timer nor pages twice (idempotency keys name step and round).
 *
 * A silence (or, for missing-data rules, a planned absence) that covers an open alert pauses
 * its escalation: the timer moves to the silence's expiry and waiting pages are cancelled.
 * When it runs out and the alert still fires unacknowledged, the step it was at is paged
 * again and escalation goes on from there (it never restarts at step 0 nor skips a step).
 *
 * Pages go through the per-person rate limit and the grouping window (./page-queue.ts).
 */
import { isMetric, METRICS } from '@vitals/contract';
import { alertJson } from '../alerts/json.ts';
import { recordTransition } from '../alerts/transitions.ts';
import { activeAbsence } from '../storage/repos/absences.ts';
import { type AlertRow, alertPatient, dueEscalations, findAlert, updateAlert } from '../storage/repos/alerts.ts';
import { audit } from '../storage/repos/audit.ts';
import { activeMembersOf, teamMembersInRole, usersByIds } from '../storage/repos/care-team.ts';
import { contactsOf } from '../storage/repos/contacts.ts';
import { cancelPendingPages } from '../storage/repos/deliveries.ts';
import type { EscalationPolicy } from '../storage/repos/escalation-policies.ts';
import { getPolicy } from '../storage/repos/escalation-policies.ts';
import { findRotas } from '../storage/repos/rotas.ts';
import {
  activeSilence,
  claimExpiredSilences,
  escalationsToPause,
  resumeEndedSilences,
} from '../storage/repos/silences.ts';
import type { Sql } from '../storage/sql.ts';
import { signAckToken } from './ack-link.ts';
import type { NotifyContext } from './context.ts';
import { DEFAULT_POLICY, type EscalationPosition, nextStep, onCallAt } from './oncall.ts';
import { type PageItem, queuePages } from './page-queue.ts';
import { maySeePatient } from './patient-access.ts';
import { escalationsAt, priorityRule } from './priority-policy.ts';

export { PAGE_ATTEMPTS } from './page-queue.ts';

const ACK_LINK_TTL_MS = 24 * 3_600_000;

async function policyOf(tx: Sql, patientId: string): Promise<EscalationPolicy> {
  const p = await getPolicy(tx, patientId);
  return p
    ? { steps: p.steps, repeatLimit: p.repeatLimit, ...(p.priorities ? { priorities: p.priorities } : {}) }
    : DEFAULT_POLICY;
}

export type SkipReason = 'may_not_see_patient' | 'left_rota_organisation';

/**
 * The people a step names now: rota on call, team members in a role, named users; each
 * checked again at paging time (issue 11, item 7), because teams and organisations change
 * while a policy stays. Only someone who may see the patient now is paged: a page carries
 * the patient's name and value. The others are skipped and the alert's `paged` event says
 * why, so a step that reaches nobody moves on at once instead of waiting on someone who
 * cannot act (an on-call nurse of a station on the team who is not on this patient's team
 * is skipped, not sent a page without content: the administrators see it in the timeline).
 */
async function recipients(
  tx: Sql,
  policy: EscalationPolicy,
  pos: EscalationPosition,
  patientId: string,
  now: Date,
): Promise<{ userIds: string[]; skipped: { userId: string; reason: SkipReason }[] }> {
  const step = policy.steps[pos.step]!;
  const rotas = await findRotas(
    tx,
    step.targets.flatMap((t) => (t.type === 'rota' ? [t.rotaId] : [])),
  );
  const named: string[] = [];
  const skipped = new Map<string, SkipReason>();
  for (const t of step.targets) {
    switch (t.type) {
      case 'rota': {
        const rota = rotas.get(t.rotaId);
        const who = rota && onCallAt(rota, now.getTime());
        if (!rota || !who) break;
        if ((await activeMembersOf(tx, rota.organisationId, [who])).has(who)) named.push(who);
        else skipped.set(who, 'left_rota_organisation');
        break;
      }
      case 'team_role':
        named.push(...(await teamMembersInRole(tx, patientId, t.role)));
        break;
      case 'user':
        named.push(t.userId);
        break;
      default:
        t satisfies never;
    }
  }
  const userIds: string[] = [];
  for (const u of new Set(named)) {
    if (await maySeePatient(tx, u, patientId)) userIds.push(u);
    else skipped.set(u, 'may_not_see_patient');
  }
  for (const u of userIds) skipped.delete(u);
  return { userIds, skipped: [...skipped].map(([userId, reason]) => ({ userId, reason })) };
}

/** Queues the pages of one step; returns the people reached through at least one contact. */
async function pageStep(
  tx: Sql,
  ctx: NotifyContext,
  alert: AlertRow,
  policy: EscalationPolicy,
  pos: EscalationPosition,
  now: Date,
  tag: string,
) {
  const { userIds, skipped } = await recipients(tx, policy, pos, alert.patient_id, now);
  const users = await usersByIds(tx, userIds);
  const contacts = await contactsOf(tx, [...users.keys()]);
  const { display_name: patientName, timezone } = await alertPatient(tx, alert.patient_id);
  const secret = await ctx.linkSecret();
  const base = (ctx.config.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const item = (userId: string): PageItem => {
    const token = signAckToken(secret, { alertId: alert.id, userId, expiresAt: now.getTime() + ACK_LINK_TTL_MS });
    return {
      alertId: alert.id,
      rule: alert.rule,
      priority: alert.priority,
      value: alert.last_value,
      ...(alert.metric && isMetric(alert.metric) ? { metric: alert.metric, unit: METRICS[alert.metric].unit } : {}),
      ...(riseOf(alert) ?? {}),
      // A NEWS2 page says its score, what scored and what is missing (messages.ts).
      ...(alert.rule === 'news2' && alert.detail ? { news2: alert.detail } : {}),
      openedAt: alert.opened_at.toISOString(),
      ackUrl: `${base}/api/v1/alerts/ack-link?token=${token}`,
      alertUrl: `${base}/#/alerts/${alert.id}`,
    };
  };
  const r = await queuePages(tx, ctx, {
    alert,
    alertBody: alertJson(alert, patientName),
    patientName,
    timezone,
    pos,
    // A reopened (flapping) alert pages under new keys: its earlier pages may have been cancelled.
    keyOf: (contactId) =>
      `page:${alert.id}:${alert.priority}:${pos.round}.${pos.step}${alert.flap_count ? `:f${alert.flap_count}` : ''}${tag}:${contactId}`,
    recipients: contacts.map((c) => ({ user: users.get(c.user_id)!, contact: c })),
    item,
    now,
  });
  return { userIds, reached: r.reached, suppressed: r.suppressed, skipped };
}

/** A weight trend's rise and window, as its page says it ("+2.1 kg in 3 days"). */
function riseOf(alert: AlertRow): { rise: number; riseDays: number } | undefined {
  const d = alert.detail;
  if (alert.rule !== 'weight_gain' || !d || typeof d.riseKg !== 'number' || typeof d.windowHours !== 'number')
    return undefined;
  return { rise: d.riseKg, riseDays: d.windowHours / 24 };
}

/**
 * Pages from `pos` on, moving past steps that reach nobody; sets the timer for the next.
 * Returns the updated alert.
 */
async function pageFrom(
  tx: Sql,
  ctx: NotifyContext,
  alert: AlertRow,
  policy: EscalationPolicy,
  start: EscalationPosition,
  now: Date,
  tag = '',
): Promise<AlertRow> {
  let pos: EscalationPosition | null = start;
  for (let tries = 0; pos && tries <= policy.steps.length; tries++) {
    const r = await pageStep(tx, ctx, alert, policy, pos, now, tag);
    await recordTransition(tx, ctx, alert, 'paged', {
      detail: {
        step: pos.step,
        round: pos.round,
        recipients: r.reached,
        unreachable: r.userIds.filter((u) => !r.reached.includes(u) && !r.suppressed.includes(u)),
        ...(r.suppressed.length ? { suppressed: r.suppressed } : {}),
        ...(r.skipped.length ? { skipped: r.skipped } : {}),
      },
    });
    // A person the rate limit held back was reached minutes ago: the step waits for them.
    if (r.reached.length + r.suppressed.length > 0) {
      const delay = policy.steps[pos.step]!.delayMinutes * 60_000;
      return updateAlert(
        tx,
        alert.id,
        { escalation_step: pos.step, escalation_round: pos.round, next_escalation_at: new Date(now.getTime() + delay) },
        now,
      );
    }
    ctx.log.warn(
      { alertId: alert.id, step: pos.step, skipped: r.skipped },
      'escalation step reaches nobody (no one on call, no contact, or nobody who may see the patient); moving to the next step',
    );
    pos = nextStep(policy, pos);
  }
  await recordTransition(tx, ctx, alert, 'escalation_exhausted');
  return updateAlert(
    tx,
    alert.id,
    { escalation_step: start.step, escalation_round: start.round, next_escalation_at: null },
    now,
  );
}

/** Rules a planned absence pauses (alerts/checks.ts opens none of them while the patient is away). */
const PAUSED_BY_ABSENCE = new Set(['missed_measurement', 'device_silent', 'gateway_offline']);

/** Stops an alert's escalation until `until` (a silence's expiry, an absence's end). */
async function pause(
  tx: Sql,
  ctx: NotifyContext,
  alert: AlertRow,
  by: { silenceId: string } | { absenceId: string },
  until: Date,
): Promise<AlertRow> {
  const now = ctx.clock.now();
  const id = 'silenceId' in by ? by.silenceId : by.absenceId;
  const a = await updateAlert(tx, alert.id, { silenced_by: id, next_escalation_at: until }, now);
  await cancelPendingPages(tx, alert.id, 'silenced');
  await recordTransition(tx, ctx, a, 'silenced', { detail: { ...by, until: until.toISOString() } });
  return a;
}

/**
 * Starts paging for a firing alert (new, reopened or raised in priority), unless a silence
 * covers its rule at this priority (a silence never hides a higher priority) or its
 * priority is never paged (low, by default).
 */
export async function startPaging(tx: Sql, ctx: NotifyContext, alert: AlertRow): Promise<AlertRow> {
  const now = ctx.clock.now();
  const silence = await activeSilence(tx, alert.patient_id, alert.rule, alert.priority, now);
  if (silence) {
    if (alert.silenced_by === silence.id) return alert;
    return pause(tx, ctx, alert, { silenceId: silence.id }, silence.expires_at);
  }
  const policy = await policyOf(tx, alert.patient_id);
  if (!priorityRule(policy.priorities, alert.priority).page) {
    if (alert.notified_priority === alert.priority) return alert;
    const a = await updateAlert(
      tx,
      alert.id,
      { notified_priority: alert.priority, silenced_by: null, next_escalation_at: null },
      now,
    );
    await recordTransition(tx, ctx, a, 'not_paged', { detail: { reason: 'priority_policy' } });
    return a;
  }
  const a = await updateAlert(tx, alert.id, { notified_priority: alert.priority, silenced_by: null }, now);
  return pageFrom(tx, ctx, a, policy, { step: 0, round: 0 }, now);
}

/** Pages the next step of every firing alert whose timer ran out. Returns how many moved on. */
export async function escalateDue(ctx: NotifyContext, limit = 50): Promise<number> {
  const now = ctx.clock.now();
  return ctx.sql.transaction(async (tx) => {
    const due = await dueEscalations(tx, now, limit);
    for (const alert of due) {
      const silence = await activeSilence(tx, alert.patient_id, alert.rule, alert.priority, now);
      if (silence) {
        await pause(tx, ctx, alert, { silenceId: silence.id }, silence.expires_at);
        continue;
      }
      const absence = PAUSED_BY_ABSENCE.has(alert.rule) && (await activeAbsence(tx, alert.patient_id, now));
      if (absence) {
        await pause(tx, ctx, alert, { absenceId: absence.id }, absence.ends_at);
        continue;
      }
      const policy = await policyOf(tx, alert.patient_id);
      const rule = priorityRule(policy.priorities, alert.priority);
      if (alert.silenced_by) {
        // The silence (or absence) is over and nobody acknowledged: the step it was at again.
        const a = await updateAlert(
          tx,
          alert.id,
          { silenced_by: null, notified_priority: alert.priority, next_escalation_at: null },
          now,
        );
        const at = {
          step: Math.min(alert.escalation_step ?? 0, policy.steps.length - 1),
          round: alert.escalation_round,
        };
        await recordTransition(tx, ctx, a, 'escalation_resumed', {
          detail: { after: alert.silenced_by, step: at.step, round: at.round },
        });
        if (rule.page) await pageFrom(tx, ctx, a, policy, at, now, `:after-${alert.silenced_by}`);
        continue;
      }
      const next = nextStep(policy, {
        step: Math.min(alert.escalation_step ?? 0, policy.steps.length - 1),
        round: alert.escalation_round,
      });
      if (next && rule.escalations !== null && escalationsAt(policy.steps.length, next) > rule.escalations) {
        // Medium by default: paged, escalated once, and now only shown until someone acts.
        const a = await updateAlert(tx, alert.id, { next_escalation_at: null }, now);
        await recordTransition(tx, ctx, a, 'escalation_stopped', {
          detail: { reason: 'priority_policy', escalations: rule.escalations },
        });
        continue;
      }
      if (!next) {
        const a = await updateAlert(tx, alert.id, { next_escalation_at: null }, now);
        await recordTransition(tx, ctx, a, 'escalation_exhausted');
        continue;
      }
      await recordTransition(tx, ctx, alert, 'escalated', { detail: { step: next.step, round: next.round } });
      await pageFrom(tx, ctx, alert, policy, next, now);
    }
    return due.length;
  });
}

/**
 * Silences set while alerts were already firing: their escalation pauses now (not at their
 * next step); silences ended early let it resume; expired silences are audited once.
 */
export async function applySilences(ctx: NotifyContext, limit = 50): Promise<void> {
  const now = ctx.clock.now();
  await ctx.sql.transaction(async (tx) => {
    const seen = new Set<string>();
    for (const p of await escalationsToPause(tx, now, limit)) {
      if (seen.has(p.alert_id)) continue;
      seen.add(p.alert_id);
      const alert = await findAlert(tx, p.alert_id, true);
      if (alert?.state !== 'firing' || alert.silenced_by) continue;
      await pause(tx, ctx, alert, { silenceId: p.silence_id }, p.expires_at);
    }
    await resumeEndedSilences(tx, now);
    for (const s of await claimExpiredSilences(tx, now))
      await audit(tx, {
        userId: null,
        patientId: s.patient_id,
        action: 'silence.expired',
        target: s.id,
        detail: { rule: s.rule, priority: s.priority, reason: s.reason, expiresAt: s.expires_at.toISOString() },
      });
  });
}
