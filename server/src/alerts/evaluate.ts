/**
 * Evaluation of stored readings: for each patient and rule touched by a commit, load the
 * history the rule needs, run the pure rule over it on measurement time, and report the
 * episodes that involve the new readings to the lifecycle. Most readings are normal and
 * no alert is open: those cost one query per commit, not one per reading.
 */

import { openAlertKeys, seriesOf, settingsOf, valuesNear } from '../storage/repos/alerts.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import type { AlertContext } from './context.ts';
import { clearCondition, reportCondition } from './lifecycle.ts';
import { news2, scoreParameter } from './news2.ts';
import {
  DEFAULT_RULES,
  type Episode,
  effectiveRule,
  evaluateRule,
  isClear,
  lookbackMs,
  markContinuous,
  type PatientRuleSettings,
  type ReadingRule,
  UNFIT_FLAGS,
} from './rules.ts';

const NEWS2_METRICS = ['respiratory_rate', 'spo2', 'bp_systolic', 'pulse_rate', 'body_temperature'];
/** NEWS2 uses the latest value of each parameter within this time of the newest reading. */
const NEWS2_WINDOW_MS = 60 * 60_000;

const fit = (r: { flags: string[] | null }) => !r.flags?.some((f) => UNFIT_FLAGS.has(f));

function settingsFor(patientId: string, s: Awaited<ReturnType<typeof settingsOf>>): PatientRuleSettings {
  const out: PatientRuleSettings = { overrides: {}, targets: {} };
  for (const o of s.overrides) if (o.patient_id === patientId) out.overrides[o.rule_id] = o.override;
  for (const t of s.targets)
    if (t.patient_id === patientId)
      out.targets[t.metric] = {
        ...(t.low !== null ? { low: t.low } : {}),
        ...(t.high !== null ? { high: t.high } : {}),
      };
  return out;
}

export async function evaluateReadings(ctx: AlertContext, rows: readonly StoredReading[]): Promise<void> {
  const usable = rows.filter((r) => r.patient_id && r.value !== null && fit(r));
  if (usable.length === 0) return;
  const byPatient = new Map<string, Map<string, StoredReading[]>>();
  for (const r of usable) {
    const m = byPatient.get(r.patient_id!) ?? new Map<string, StoredReading[]>();
    const list = m.get(r.metric);
    if (list) list.push(r);
    else m.set(r.metric, [r]);
    byPatient.set(r.patient_id!, m);
  }
  const patients = [...byPatient.keys()];
  const news2Due: News2Due[] = [];
  const [open, settings] = await Promise.all([openAlertKeys(ctx.sql, patients), settingsOf(ctx.sql, patients)]);
  for (const [patientId, metrics] of byPatient) {
    const s = settingsFor(patientId, settings);
    for (const [metric, fresh] of metrics) {
      for (const base of DEFAULT_RULES) {
        if (base.metric !== metric) continue;
        let rule: ReadingRule | null;
        try {
          rule = effectiveRule(base, s);
        } catch (e) {
          ctx.log.error({ err: e, patientId, rule: base.id }, 'patient rule settings are invalid; using the defaults');
          rule = base;
        }
        if (!rule) continue;
        const hasOpen = open.has(`${patientId}|${rule.id}|`);
        // Fast path: every new value clear and nothing open means no episode can involve them.
        if (!hasOpen && rule.kind === 'threshold' && fresh.every((r) => isClear(rule as never, r.value!))) continue;
        await evaluateRuleFor(ctx, patientId, rule, fresh, hasOpen);
      }
    }
    const due = news2DueFor(patientId, metrics, s, open.has(`${patientId}|news2|`));
    if (due) news2Due.push(due);
  }
  await evaluateNews2(ctx, news2Due);
}

async function evaluateRuleFor(
  ctx: AlertContext,
  patientId: string,
  rule: ReadingRule,
  fresh: StoredReading[],
  hasOpen: boolean,
) {
  const freshIds = new Set(fresh.map((r) => r.id));
  const from = new Date(Math.min(...fresh.map((r) => r.time.getTime())) - lookbackMs(rule));
  const rows = (await seriesOf(ctx.sql, patientId, rule.metric, from)).filter(fit);
  const series = markContinuous(
    rows.map((r) => ({ time: r.time.getTime(), value: r.value, deviceId: r.device_id, fresh: freshIds.has(r.id) })),
  );
  const episodes = evaluateRule(rule, series).filter((e) => e.touchesFresh);
  const last = series.at(-1);
  await ctx.sql.transaction(async (tx) => {
    for (const e of episodes) await reportCondition(tx, ctx, condition(patientId, rule, e));
    // An open alert whose start lies before the loaded history still clears on a clear value.
    if (hasOpen && episodes.length === 0 && last?.fresh && rule.kind === 'threshold' && isClear(rule, last.value))
      await clearCondition(tx, ctx, patientId, rule.id, '', new Date(last.time));
  });
}

function condition(patientId: string, rule: ReadingRule, e: Episode) {
  return {
    patientId,
    rule: rule.id,
    metric: rule.metric,
    priority: e.priority,
    onsetAt: new Date(e.onset),
    firedAt: new Date(e.firedAt),
    lastValue: e.lastValue,
    worstValue: e.worstValue,
    lastSeenAt: new Date(e.lastTime),
    ...(e.clearedAt !== undefined ? { clearedAt: new Date(e.clearedAt) } : {}),
    ...(rule.kind === 'trend' ? { detail: { riseKg: e.worstValue, windowHours: rule.windowHours } } : {}),
  };
}

interface News2Due {
  patientId: string;
  at: Date;
  scale2: boolean;
  hasOpen: boolean;
}

/**
 * Whether NEWS2 must be computed at the patient's newest fresh reading. New values that all
 * score 0 cannot raise the score, so it is only computed when one does, or when a NEWS2
 * alert is open.
 */
function news2DueFor(
  patientId: string,
  metrics: Map<string, StoredReading[]>,
  s: PatientRuleSettings,
  hasOpen: boolean,
): News2Due | null {
  const fresh = NEWS2_METRICS.flatMap((m) => metrics.get(m) ?? []);
  if (fresh.length === 0 || s.overrides.news2?.enabled === false) return null;
  const scale2 = (s.targets.spo2?.low ?? 100) <= 88;
  const anyPoints = fresh.some((r) => (scoreParameter(r.metric, r.value!, { scale2 }) ?? 0) > 0);
  if (!anyPoints && !hasOpen) return null;
  return { patientId, at: new Date(Math.max(...fresh.map((r) => r.time.getTime()))), scale2, hasOpen };
}

/** NEWS2 of each due patient from the latest value of each parameter (one query for all). */
async function evaluateNews2(ctx: AlertContext, due: News2Due[]) {
  if (due.length === 0) return;
  const values = await valuesNear(ctx.sql, due, NEWS2_METRICS, NEWS2_WINDOW_MS);
  for (const { patientId, at, scale2, hasOpen } of due) {
    const input: Record<string, number> = {};
    for (const v of values.get(patientId) ?? []) input[v.metric] = v.value;
    const r = news2({ ...input, scale2 });
    if (!r?.priority && !hasOpen) continue;
    await ctx.sql.transaction(async (tx) => {
      if (r?.priority)
        await reportCondition(tx, ctx, {
          patientId,
          rule: 'news2',
          priority: r.priority,
          onsetAt: at,
          firedAt: at,
          lastValue: r.score,
          worstValue: r.score,
          lastSeenAt: at,
          detail: { score: r.score, parameters: r.parameters, missing: r.missing, partial: r.missing.length > 0 },
        });
      else await clearCondition(tx, ctx, patientId, 'news2', '', at);
    });
  }
}
