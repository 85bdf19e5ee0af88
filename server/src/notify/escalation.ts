/**
 * Escalation: page step 0 when an alert fires; when nobody acknowledges within the step's
 * delay, page the next step; after the last, start over until acknowledged (issue 7). The
 * timer is the alert row's next_escalation_at, claimed with FOR UPDATE SKIP LOCKED, so a
 * restart neither restarts a timer nor pages twice (idempotency keys name step and round).
 */
import { isMetric, METRICS } from '@vitals/contract';
import { alertJson } from '../alerts/json.ts';
import { recordTransition } from '../alerts/transitions.ts';
import { type AlertRow, alertPatient, dueEscalations, updateAlert } from '../storage/repos/alerts.ts';
import { activeMembersOf, teamMembersInRole, usersByIds } from '../storage/repos/care-team.ts';
import { contactsOf } from '../storage/repos/contacts.ts';
import { enqueueDeliveries, type NewDelivery } from '../storage/repos/deliveries.ts';
import type { EscalationPolicy } from '../storage/repos/escalation-policies.ts';
import { getPolicy } from '../storage/repos/escalation-policies.ts';
import { findRotas } from '../storage/repos/rotas.ts';
import { activeSilence } from '../storage/repos/silences.ts';
import type { Sql } from '../storage/sql.ts';
import { signAckToken } from './ack-link.ts';
import type { NotifyContext } from './context.ts';
import { pageText } from './messages.ts';
import { DEFAULT_POLICY, type EscalationPosition, nextStep, onCallAt } from './oncall.ts';
import { maySeePatient } from './patient-access.ts';

export const PAGE_ATTEMPTS = 5;
const ACK_LINK_TTL_MS = 24 * 3_600_000;

async function policyOf(tx: Sql, patientId: string): Promise<EscalationPolicy> {
  const p = await getPolicy(tx, patientId);
  return p ? { steps: p.steps, repeatLimit: p.repeatLimit } : DEFAULT_POLICY;
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
) {
  const { userIds, skipped } = await recipients(tx, policy, pos, alert.patient_id, now);
  const users = await usersByIds(tx, userIds);
  const contacts = await contactsOf(tx, [...users.keys()]);
  const { display_name: patientName, timezone } = await alertPatient(tx, alert.patient_id);
  const secret = await ctx.linkSecret();
  const base = (ctx.config.publicUrl ?? 'http://localhost:8080').replace(/\/$/, '');
  const list: NewDelivery[] = [];
  const reached = new Set<string>();
  for (const c of contacts) {
    const u = users.get(c.user_id)!;
    const token = signAckToken(secret, { alertId: alert.id, userId: u.id, expiresAt: now.getTime() + ACK_LINK_TTL_MS });
    const ackUrl = `${base}/api/v1/alerts/ack-link?token=${token}`;
    const alertUrl = `${base}/#/alerts/${alert.id}`;
    const key = `page:${alert.id}:${alert.priority}:${pos.round}.${pos.step}:${c.id}`;
    const text = pageText(u.locale, {
      rule: alert.rule,
      priority: alert.priority,
      patientName,
      value: alert.last_value,
      ...(alert.metric && isMetric(alert.metric) ? { unit: METRICS[alert.metric].unit } : {}),
      openedAt: alert.opened_at,
      timezone,
      ackUrl,
      alertUrl,
    });
    list.push({
      idempotencyKey: key,
      alertId: alert.id,
      patientId: alert.patient_id,
      event: 'alert.page',
      channel: c.channel,
      userId: u.id,
      contactId: c.id,
      target: c.address,
      payload: {
        v: 1,
        type: 'alert.page',
        idempotencyKey: key,
        alert: alertJson(alert, patientName),
        recipient: { userId: u.id, displayName: u.display_name },
        step: pos.step,
        round: pos.round,
        ackUrl,
        alertUrl,
        text,
        ...(c.channel === 'webpush' ? { subscription: c.subscription } : {}),
      },
      maxAttempts: PAGE_ATTEMPTS,
      step: pos.step,
      round: pos.round,
      now,
    });
    reached.add(u.id);
  }
  await enqueueDeliveries(tx, list);
  if (list.length) ctx.kick();
  return { userIds, reached: [...reached], skipped };
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
): Promise<AlertRow> {
  let pos: EscalationPosition | null = start;
  for (let tries = 0; pos && tries <= policy.steps.length; tries++) {
    const r = await pageStep(tx, ctx, alert, policy, pos, now);
    await recordTransition(tx, ctx, alert, 'paged', {
      detail: {
        step: pos.step,
        round: pos.round,
        recipients: r.reached,
        unreachable: r.userIds.filter((u) => !r.reached.includes(u)),
        ...(r.skipped.length ? { skipped: r.skipped } : {}),
      },
    });
    if (r.reached.length > 0) {
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

/**
 * Starts paging for a firing alert (new, reopened or raised in priority), unless a silence
 * covers its rule at this priority (a silence never hides a higher priority).
 */
export async function startPaging(tx: Sql, ctx: NotifyContext, alert: AlertRow): Promise<AlertRow> {
  const now = ctx.clock.now();
  const silence = await activeSilence(tx, alert.patient_id, alert.rule, alert.priority, now);
  if (silence) {
    const a = await updateAlert(tx, alert.id, { silenced_by: silence.id, next_escalation_at: null }, now);
    await recordTransition(tx, ctx, a, 'silenced', {
      detail: { silenceId: silence.id, until: silence.expires_at.toISOString() },
    });
    return a;
  }
  const policy = await policyOf(tx, alert.patient_id);
  const a = await updateAlert(tx, alert.id, { notified_priority: alert.priority, silenced_by: null }, now);
  return pageFrom(tx, ctx, a, policy, { step: 0, round: 0 }, now);
}

/** Pages the next step of every firing alert whose timer ran out. Returns how many moved on. */
export async function escalateDue(ctx: NotifyContext, limit = 50): Promise<number> {
  const now = ctx.clock.now();
  return ctx.sql.transaction(async (tx) => {
    const due = await dueEscalations(tx, now, limit);
    for (const alert of due) {
      const policy = await policyOf(tx, alert.patient_id);
      const next = nextStep(policy, {
        step: Math.min(alert.escalation_step ?? 0, policy.steps.length - 1),
        round: alert.escalation_round,
      });
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
