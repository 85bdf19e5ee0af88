/**
 * Evaluation of stored readings: for each patient and rule touched by a commit, load the
 * history the rule needs, run the pure rule over it on measurement time, and report the
 * episodes that involve the new readings to the lifecycle. Most readings are normal and
 * no alert is open: those cost one query per commit, not one per reading.
 */

import { seriesOf } from '../storage/repos/alert-readings.ts';
import { settingsOf } from '../storage/repos/alert-settings.ts';
import { openAlertKeys } from '../storage/repos/alerts.ts';
import { spo2ScalesOf } from '../storage/repos/patients.ts';
import type { StoredReading } from '../storage/repos/readings.ts';
import type { AlertContext } from './context.ts';
import { clearCondition, reportCondition } from './lifecycle.ts';
import { NEWS2_METRICS, news2, news2Episodes, scoreParameter } from './news2.ts';
import { type News2Due, news2Key, news2ValuesAt } from './news2-values.ts';
import {
  DEFAULT_RULES,
  type Episode,
  effectiveRule,
  evaluateRule,
  isClear,
  isContinuous,
  lookbackMs,
  type PatientRuleSettings,
  type ReadingRule,
  UNFIT_FLAGS,
} from './rules.ts';

const fit = (r: { flags: string[] | null }) => !r.flags?.some((f) => UNFIT_FLAGS.has(f));

/** One patient's overrides and target ranges, from the stored settings rows (of one or several patients). */
export function settingsFor(patientId: string, s: Awaited<ReturnType<typeof settingsOf>>): PatientRuleSettings {
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

/** Coded metrics (consciousness) have no value; NEWS2 still reads them. */
const scoredByNews2Only = (r: StoredReading) => r.value === null && r.metric === 'consciousness';

export async function evaluateReadings(ctx: AlertContext, rows: readonly StoredReading[]): Promise<void> {
  const usable = rows.filter((r) => r.patient_id && (r.value !== null || scoredByNews2Only(r)) && fit(r));
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
  const news2Due: News2DueAlert[] = [];
  const [open, settings, scales] = await Promise.all([
    openAlertKeys(ctx.sql, patients),
    settingsOf(ctx.sql, patients),
    spo2ScalesOf(ctx.sql, patients),
  ]);
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
    const due = news2DueFor(patientId, metrics, s, scales.get(patientId) ?? 1, open.has(`${patientId}|news2|`));
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
  const series = rows.map((r) => ({
    time: r.time.getTime(),
    value: r.value,
    deviceId: r.device_id,
    continuous: isContinuous(r.flags),
    fresh: freshIds.has(r.id),
  }));
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

interface News2DueAlert extends News2Due {
  hasOpen: boolean;
}

/** A backlog spanning a day is scored at most this often (once a minute). */
const NEWS2_MAX_SAMPLES = 1440;

/**
 * Whether NEWS2 must be computed for the patient's fresh readings, and at which times: the
 * newest reading of each minute they span (live traffic: just the newest). New values that all
 * score 0 cannot raise the score, so it is only computed when one does, or when a NEWS2 alert
 * is open. Consciousness (a code) and oxygen always count as scoring: they change other rows
 * (oxygen decides SpO2's scale-2 row).
 */
function news2DueFor(
  patientId: string,
  metrics: Map<string, StoredReading[]>,
  s: PatientRuleSettings,
  spo2Scale: 1 | 2,
  hasOpen: boolean,
): News2DueAlert | null {
  const fresh = NEWS2_METRICS.flatMap((m) => metrics.get(m) ?? []);
  if (fresh.length === 0 || s.overrides.news2?.enabled === false) return null;
  // Oxygen unknown is taken as on oxygen here: a scale-2 SpO2 of 97 % might then score 3.
  const anyPoints = fresh.some(
    (r) => r.value === null || (scoreParameter(r.metric, r.value, { spo2Scale, onOxygen: true }) ?? 1) > 0,
  );
  if (!anyPoints && !hasOpen) return null;
  const newestOfMinute = new Map<number, number>();
  for (const r of fresh) {
    const t = r.time.getTime();
    const m = Math.floor(t / 60_000);
    if ((newestOfMinute.get(m) ?? -Infinity) < t) newestOfMinute.set(m, t);
  }
  const samples = [...newestOfMinute.values()].sort((a, b) => a - b).slice(-NEWS2_MAX_SAMPLES);
  return { patientId, samples: samples.map((t) => new Date(t)), spo2Scale, hasOpen };
}

/**
 * NEWS2 of each due patient at each sample time, from the latest value (or ACVPU code) of each
 * parameter within the hour before it (one query for all), and the episodes that makes.
 */
async function evaluateNews2(ctx: AlertContext, due: News2DueAlert[]) {
  if (due.length === 0) return;
  const values = await news2ValuesAt(ctx.sql, due);
  for (const { patientId, samples, hasOpen } of due) {
    const scored = samples.map((at) => ({
      t: at.getTime(),
      r: news2(values.get(news2Key(patientId, at))?.input ?? {}),
    }));
    const episodes = news2Episodes(scored);
    const last = scored.at(-1);
    if (episodes.length === 0 && !hasOpen) continue;
    await ctx.sql.transaction(async (tx) => {
      for (const e of episodes)
        await reportCondition(tx, ctx, {
          patientId,
          rule: 'news2',
          priority: e.priority,
          onsetAt: new Date(e.onset),
          firedAt: new Date(e.onset),
          lastValue: e.lastScore,
          worstValue: e.worst.score,
          lastSeenAt: new Date(e.last),
          ...(e.clearedAt !== undefined ? { clearedAt: new Date(e.clearedAt) } : {}),
          detail: {
            score: e.worst.score,
            band: e.worst.band,
            parameters: e.worst.parameters,
            missing: e.worst.missing,
            partial: e.worst.partial,
          },
        });
      // An open alert from an earlier commit clears on a clear score.
      if (hasOpen && episodes.length === 0 && last && !last.r?.priority)
        await clearCondition(tx, ctx, patientId, 'news2', '', new Date(last.t));
    });
  }
}
